"""Pages: subscribe, confirm, preferences, one-click unsubscribe, archive,
editor's note, preview and run progress."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from newsletter import tokens
from newsletter.models import Delivery, DeliveryStatus, Digest, EditorNote, Frequency, Subscriber, SubscriberStatus
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def manage_token(subscriber):
    return tokens.token_make(subscriber=subscriber, purpose=tokens.MANAGE)


def sent_digest(start: date, note: str = "From the editor's desk") -> Digest:
    return Digest.objects.create(
        frequency=Frequency.WEEKLY,
        period_start=start,
        period_end=date.fromordinal(start.toordinal() + 7),
        editor_note=note,
        fanned_out_at="2025-03-17T01:00Z",
    )


def test_one_click_unsubscribe_works_over_http_without_session_or_csrf_token():
    subscriber = SubscriberFactory()
    Delivery.objects.create(digest=sent_digest(date(2025, 3, 10)), subscriber=subscriber)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("newsletter:unsubscribe", args=[manage_token(subscriber)]),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED  # the queued copy never goes


def test_token_made_for_one_address_does_not_work_for_another():
    alice = SubscriberFactory(email="alice@example.org")
    bob = SubscriberFactory(email="bob@example.org")
    forged = f"{bob.pk}:{manage_token(alice).split(':', 1)[1]}"
    client = Client(enforce_csrf_checks=True)

    assert client.post(reverse("newsletter:unsubscribe", args=[forged])).status_code == 400
    assert client.get(reverse("newsletter:preferences", args=[forged])).status_code == 400
    confirm = tokens.token_make(subscriber=alice, purpose=tokens.CONFIRM)
    assert client.post(reverse("newsletter:unsubscribe", args=[confirm])).status_code == 400  # wrong purpose
    # An address changed after the mail went out: the old link is dead.
    old = manage_token(alice)
    Subscriber.objects.filter(pk=alice.pk).update(email="alice.new@example.org")
    assert client.post(reverse("newsletter:unsubscribe", args=[old])).status_code == 400
    assert set(Subscriber.objects.values_list("status", flat=True)) == {SubscriberStatus.ACTIVE}


def test_outside_address_confirms_through_the_mailed_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("newsletter:subscribe"), {"email": "Pilot@Example.org", "frequency": "daily"})
    assert "Check your e-mail" in response.content.decode()
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "/newsletter/confirm/" in word)
    path = link.split("127.0.0.1:8000", 1)[1]

    assert "Confirm my subscription" in client.get(path).content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING  # opening the link is not enough
    assert "You are subscribed" in client.post(path).content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE


def test_employee_subscribes_in_one_click(client, employee):
    client.force_login(employee)
    response = client.post(reverse("newsletter:subscribe"), {"frequency": "monthly"}, follow=True)
    assert "You are subscribed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert (subscriber.user, subscriber.status, subscriber.frequency) == (employee, "active", "monthly")
    assert mail.outbox == []


def test_preference_page_changes_frequency_and_unsubscribes_without_login(client):
    subscriber = SubscriberFactory(frequency="weekly")
    url = reverse("newsletter:preferences", args=[manage_token(subscriber)])
    response = client.post(url, {"frequency": "daily"}, follow=True)
    assert "preferences are saved" in response.content.decode()
    response = client.post(url, {"action": "unsubscribe"}, follow=True)
    assert "You are unsubscribed" in response.content.decode()
    subscriber.refresh_from_db()
    assert (subscriber.frequency, subscriber.status) == ("daily", "unsubscribed")


def test_bad_input_gets_a_4xx_page_never_a_500(client, editor):
    assert client.get(reverse("newsletter:confirm", args=["garbage"])).status_code == 400
    assert client.post(reverse("newsletter:subscribe"), {"email": "not-an-address"}).status_code == 200  # form error
    client.force_login(editor)
    assert client.get(reverse("newsletter:editor-preview"), {"frequency": "hourly"}).status_code == 200
    assert client.get(reverse("newsletter:editor-digest", args=[999])).status_code == 404


def test_archive_lists_past_digests_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    for week in range(3):
        sent_digest(date(2025, 3, 3 + 7 * week))
    Digest.objects.create(
        frequency="weekly", period_start=date(2025, 4, 7), period_end=date(2025, 4, 14), is_empty=True
    )
    with django_assert_num_queries(2):  # count + page
        response = client.get(reverse("newsletter:archive"))
    body = response.content.decode()
    assert body.count("Ideaportal weekly digest") == 3
    digest = Digest.objects.filter(is_empty=False).first()
    with django_assert_num_queries(1):
        detail = client.get(digest.get_absolute_url())
    assert "From the editor&#x27;s desk" in detail.content.decode()


def test_pages_for_editors_only(client, employee, editor):
    client.force_login(employee)
    assert client.get(reverse("newsletter:editor")).status_code == 403
    assert client.get(reverse("newsletter:editor-preview")).status_code == 403


def test_editor_writes_the_note_previews_it_as_a_subscriber_and_sends_a_test_copy(client, editor):
    reader = SubscriberFactory(email="reader@example.org")
    client.force_login(editor)
    client.post(reverse("newsletter:editor"), {"frequency": "weekly", "body": "Hurricane season is here."})
    assert EditorNote.objects.get().body == "Hurricane season is here."

    preview = client.get(reverse("newsletter:editor-preview"), {"frequency": "weekly", "email": reader.email})
    assert "Hurricane season is here." in preview.content.decode()
    assert "As reader@example.org will receive it" in preview.content.decode()

    client.post(reverse("newsletter:editor-preview"), {"frequency": "weekly", "email": reader.email})
    [copy] = mail.outbox
    assert copy.to == [editor.email] and copy.subject.startswith("[Test copy]")
    assert "List-Unsubscribe" not in copy.extra_headers  # the reader's links stay theirs
    assert Delivery.objects.count() == 0


def test_run_page_shows_progress_and_totals_in_fixed_queries(client, editor, django_assert_num_queries):
    digest = sent_digest(date(2025, 3, 10))
    for status in ["sent", "sent", "sent", "pending", "failed"]:
        Delivery.objects.create(digest=digest, subscriber=SubscriberFactory(), status=status)
    client.force_login(editor)
    client.get(reverse("newsletter:editor"))  # warm the session and role caches
    # session, user, roles, digest with totals, counts by status
    with django_assert_num_queries(5):
        response = client.get(reverse("newsletter:editor-digest-progress", args=[digest.pk]))
    body = response.content.decode()
    assert 'max="5" value="4"' in body and "80% handled" in body
    assert "hx-trigger" in body  # keeps polling while copies are pending
    Delivery.objects.filter(status="pending").update(status="sent")
    body = client.get(reverse("newsletter:editor-digest", args=[digest.pk])).content.decode()
    assert "Totals" in body and "hx-trigger" not in body


def test_editor_page_lists_digests_in_a_fixed_number_of_queries(client, editor, django_assert_num_queries):
    client.force_login(editor)
    client.get(reverse("newsletter:editor"))
    for week in range(4):
        sent_digest(date(2025, 3, 3 + 7 * week))
    # session, user, roles, the open note, digests with totals, messages
    with django_assert_num_queries(6):
        body = client.get(reverse("newsletter:editor")).content.decode()
    assert body.count("/newsletter/editor/digests/") == 4
