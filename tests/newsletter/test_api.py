"""API under /api/v1/newsletter/: one error shape, never a 500."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from newsletter import tokens
from newsletter.models import Digest, EditorNote, Frequency, Subscriber
from tests.newsletter.factories import SubscriberFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/newsletter"


def assert_error(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"status", "code", "message", "errors"} and body["status"] == status
    if field:
        assert field in [error["field"] for error in body["errors"]]


def test_outside_address_subscribes_confirms_and_unsubscribes_by_token(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"{API}/subscribe/", {"email": "Ext@Example.org", "frequency": "daily"})
    assert response.status_code == 202 and response.json() == {"status": "confirmation_sent"}
    assert len(mail.outbox) == 1
    subscriber = Subscriber.objects.get()
    confirm = tokens.token_make(subscriber=subscriber, purpose=tokens.CONFIRM)
    assert api_client.post(f"{API}/confirm/", {"token": confirm}).json()["status"] == "active"

    manage = tokens.token_make(subscriber=subscriber, purpose=tokens.MANAGE)
    response = api_client.put(f"{API}/preferences/", {"token": manage, "frequency": "monthly"}, format="json")
    assert response.json()["frequency"] == "monthly"
    assert api_client.get(f"{API}/preferences/", {"token": manage}).json()["email"] == "ext@example.org"
    assert api_client.post(f"{API}/unsubscribe/", {"token": manage}).json()["status"] == "unsubscribed"


def test_signed_in_employee_subscribes_at_once(employee_api, employee):
    response = employee_api.post(f"{API}/subscribe/", {"frequency": "weekly"})
    assert response.json() == {"status": "active"}
    assert Subscriber.objects.get().user == employee
    assert mail.outbox == []


def test_same_address_in_other_letter_case_is_the_same_subscriber(api_client, django_capture_on_commit_callbacks):
    SubscriberFactory(email="case@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"{API}/subscribe/", {"email": "CASE@example.ORG"})
    assert response.status_code == 202
    assert Subscriber.objects.count() == 1 and mail.outbox == []  # active already: nothing sent


def test_bad_input_answers_4xx_in_the_error_shape(api_client, editor):
    assert_error(api_client.post(f"{API}/subscribe/", {"email": "nope"}), 400, "email")
    assert_error(api_client.post(f"{API}/subscribe/", {}), 400, "email")
    assert_error(api_client.post(f"{API}/subscribe/", {"email": "a@b.org", "frequency": "hourly"}), 400, "frequency")
    assert_error(api_client.post(f"{API}/confirm/", {"token": "12:forged"}), 400, "token")
    assert_error(api_client.post(f"{API}/unsubscribe/", {}), 400, "token")
    assert_error(api_client.get(f"{API}/preferences/", {"token": "x"}), 400, "token")
    assert_error(api_client.get(f"{API}/archive/999/"), 404)
    assert_error(api_client.get(f"{API}/editor/notes/weekly/"), 401)
    api_client.force_authenticate(editor)
    assert_error(api_client.get(f"{API}/editor/notes/hourly/"), 404)
    assert_error(api_client.get(f"{API}/editor/preview/", {"frequency": "hourly"}), 400, "frequency")
    assert_error(api_client.get(f"{API}/editor/preview/", {"frequency": "weekly", "email": "who@x.org"}), 404)


def test_employees_cannot_use_editor_endpoints(employee_api):
    assert_error(employee_api.put(f"{API}/editor/notes/weekly/", {"body": "x"}), 403)


def test_editor_sets_the_note_and_previews_the_digest_as_a_subscriber(api_client, editor):
    reader = SubscriberFactory(email="reader@example.org")
    api_client.force_authenticate(editor)
    assert api_client.put(f"{API}/editor/notes/weekly/", {"body": "Storms ahead"}).status_code == 200
    assert EditorNote.objects.get().body == "Storms ahead"
    preview = api_client.get(f"{API}/editor/preview/", {"frequency": "weekly", "email": reader.email}).json()
    assert preview["to"] == reader.email
    assert "Storms ahead" in preview["text"] and "Storms ahead" in preview["html"]


def test_archive_list_and_detail_in_fixed_queries(api_client, django_assert_num_queries):
    for week in range(3):
        Digest.objects.create(
            frequency=Frequency.WEEKLY,
            period_start=date(2025, 3, 3 + 7 * week),
            period_end=date(2025, 3, 10 + 7 * week),
            editor_note="Note",
            fanned_out_at="2025-04-01T00:00Z",
        )
    with django_assert_num_queries(2):
        response = api_client.get(f"{API}/archive/")
    assert response.json()["count"] == 3
    first = response.json()["results"][0]
    assert first["period_start"] == "2025-03-17"
    with django_assert_num_queries(1):
        detail = api_client.get(f"{API}/archive/{first['id']}/").json()
    assert detail["editor_note"] == "Note" and detail["sections"] == []


def test_subscribing_an_address_again_does_not_mail_it_again_within_ten_minutes(
    api_client, django_capture_on_commit_callbacks, settings
):
    from datetime import timedelta

    from django.utils import timezone

    body = {"email": "target@example.org", "frequency": "weekly"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert api_client.post("/api/v1/newsletter/subscribe/", body, format="json").status_code == 202
    assert [m.to for m in mail.outbox] == [["target@example.org"]]
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/newsletter/subscribe/", body, format="json")
    assert len(mail.outbox) == 2


def test_one_client_cannot_subscribe_addresses_without_limit(api_client, client, settings):
    import uuid

    settings.NEWSLETTER_SUBSCRIBE_LIMIT_PER_HOUR = 3
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    for n in range(3):
        body = {"email": f"victim{n}@example.org", "frequency": "weekly"}
        response = api_client.post("/api/v1/newsletter/subscribe/", body, format="json", REMOTE_ADDR=address)
        assert response.status_code == 202
    response = api_client.post(
        "/api/v1/newsletter/subscribe/", {"email": "one-more@example.org"}, format="json", REMOTE_ADDR=address
    )
    assert response.status_code == 429
    assert "Too many subscriptions" in response.json()["message"]
    page = client.post("/newsletter/", {"email": "by-form@example.org", "frequency": "weekly"}, REMOTE_ADDR=address)
    assert page.status_code == 429
    assert "Too many subscriptions" in page.content.decode()
    assert not Subscriber.objects.filter(email__in=["one-more@example.org", "by-form@example.org"]).exists()
