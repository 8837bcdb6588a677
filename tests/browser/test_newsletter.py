from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from newsletter import tokens
from newsletter.models import Delivery, Digest, Subscriber
from tests.browser.conftest import assert_accessible, sign_in
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_outside_reader_subscribes_confirms_and_manages_preferences(page):
    page.goto("/newsletter/")
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("reader@example.org")
    page.get_by_label("How often").select_option("daily")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("status")).to_contain_text("confirmation link is on its way")
    assert_accessible(page)

    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/newsletter/confirm/" in word)
    page.goto(link.split("127.0.0.1:8000", 1)[1])
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my subscription").click()
    expect(page.get_by_role("heading", name="You are subscribed")).to_be_visible()

    page.get_by_role("link", name="Choose topics or change how often").click()
    assert_accessible(page)
    page.get_by_label("How often").select_option("monthly")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("preferences are saved")
    page.get_by_role("button", name="Unsubscribe from all digests").click()
    expect(page.get_by_role("status")).to_contain_text("You are unsubscribed")
    assert_accessible(page)
    assert Subscriber.objects.get().status == "unsubscribed"


def test_archive_pages_are_accessible(page):
    Digest.objects.create(
        frequency="weekly",
        period_start=date(2025, 3, 10),
        period_end=date(2025, 3, 17),
        editor_note="Hurricane season starts soon.",
        fanned_out_at="2025-03-17T01:00Z",
    )
    page.goto("/newsletter/archive/")
    assert_accessible(page)
    page.get_by_role("link", name="Ideaportal weekly digest").click()
    expect(page.get_by_text("Hurricane season starts soon.")).to_be_visible()
    assert_accessible(page)


def test_editor_writes_a_note_previews_it_and_watches_a_run(page, editor):
    reader = SubscriberFactory(email="reader@example.org")
    digest = Digest.objects.create(
        frequency="weekly",
        period_start=date(2025, 3, 10),
        period_end=date(2025, 3, 17),
        fanned_out_at="2025-03-17T01:00Z",
    )
    delivery = Delivery.objects.create(digest=digest, subscriber=reader, status="pending")
    sign_in(page, editor.email)
    page.get_by_role("link", name="Newsletter editor").click()
    assert_accessible(page)
    page.get_by_label("Editor's note").fill("Storm photos portal launched.")
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_role("status")).to_contain_text("note for the next digest is saved")

    page.get_by_role("link", name="Preview the next digest").click()
    page.get_by_label("As received by").fill(reader.email)
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.get_by_text("Storm photos portal launched.", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send me a test copy").click()
    expect(page.get_by_role("status")).to_contain_text("test copy is on its way")
    assert mail.outbox[-1].to == [editor.email]

    page.goto(f"/newsletter/editor/digests/{digest.pk}/")
    bar = page.get_by_role("progressbar", name="Copies handled")
    expect(bar).to_have_attribute("value", "0")
    assert_accessible(page)
    Delivery.objects.filter(pk=delivery.pk).update(status="sent")
    # htmx polls the progress and swaps in the totals without a reload.
    expect(page.get_by_role("heading", name="Totals")).to_be_visible(timeout=6000)
    expect(page.get_by_role("progressbar", name="Copies handled")).to_have_attribute("value", "1")


def test_manage_link_of_an_employee_from_the_subscribe_page(page, employee):
    sign_in(page, employee.email)
    page.goto("/newsletter/")
    page.get_by_role("button", name="Subscribe with my work address").click()
    expect(page.get_by_role("status")).to_contain_text("You are subscribed")
    assert_accessible(page)
    subscriber = Subscriber.objects.get(user=employee)
    token = tokens.token_make(subscriber=subscriber, purpose=tokens.MANAGE)
    expect(page.get_by_role("link", name="Change your preferences or unsubscribe")).to_have_attribute(
        "href", f"/newsletter/preferences/{token}/"
    )
