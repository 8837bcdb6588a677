from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.test import override_settings

from notifications.kinds import kind_register
from notifications.models import EmailStatus, Notification, NotificationPreference
from notifications.services import notification_emails_send, notify
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = kind_register("tests.sample", "Sample messages", email_default=True)
QUIET = kind_register("tests.quiet", "Quiet messages", email_default=False)


def test_notify_reaches_each_recipient_once_and_skips_the_actor(django_capture_on_commit_callbacks):
    actor, a, b = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        count = notify(recipients=[actor, a, b, a], kind="tests.sample", title="Moved", url="/x/", exclude=[actor])
    assert count == 2
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted([a.pk, b.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert Notification.objects.filter(email_status=EmailStatus.SENT).count() == 2


def test_email_copy_follows_the_persons_preference(django_capture_on_commit_callbacks):
    keen, opted_out = UserFactory.create_batch(2)
    NotificationPreference.objects.create(user=opted_out, kind="tests.sample", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[keen, opted_out], kind="tests.sample", title="Hello")
        notify(recipients=[keen], kind="tests.quiet", title="Quiet by default")
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert Notification.objects.count() == 3


def test_dedupe_key_makes_a_second_notify_a_no_op(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person], kind="tests.sample", title="Reminder", dedupe_key="reminder:1")
        notify(recipients=[person], kind="tests.sample", title="Reminder", dedupe_key="reminder:1")
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_titles_are_written_in_each_recipients_language():
    from django.utils.translation import gettext

    en, th = UserFactory(preferred_language="en"), UserFactory(preferred_language="th")
    notify(recipients=[en, th], kind="tests.sample", title=lambda: gettext("Thai"))
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles[en.pk] == "Thai"
    assert titles[th.pk] != "Thai"  # Django ships a Thai translation of the language name


class _FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    def __exit__(self, *exc):
        return False


def test_mail_server_failure_keeps_the_email_pending_for_a_retry(monkeypatch):
    person = UserFactory()
    notify(recipients=[person], kind="tests.sample", title="Hello")
    monkeypatch.setattr("notifications.services.get_connection", _FailingBackend)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_emails_send()
    notification = Notification.objects.get()
    assert notification.email_status == EmailStatus.PENDING
    assert notification.email_attempts == 1
    monkeypatch.undo()
    assert notification_emails_send() == 1
    assert notification_emails_send() == 0
    assert len(mail.outbox) == 1


@override_settings(SITE_URL="https://ideas.example.com")
def test_email_links_back_to_the_portal_and_to_preferences():
    person = UserFactory()
    notify(recipients=[person], kind="tests.sample", title="Your idea moved", body="Now in review", url="/ideas/7/")
    notification_emails_send()
    message = mail.outbox[0]
    assert message.subject == "Your idea moved"
    assert "https://ideas.example.com/ideas/7/" in message.body
    assert "https://ideas.example.com/notifications/preferences/" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_people_see_only_their_own_notifications(client, api_client):
    mine, theirs = UserFactory.create_batch(2)
    notify(recipients=[mine], kind="tests.sample", title="For me")
    notify(recipients=[theirs], kind="tests.sample", title="Not for me")
    api_client.force_authenticate(mine)
    titles = [n["title"] for n in api_client.get("/api/v1/notifications/").json()["results"]]
    assert titles == ["For me"]
    client.force_login(mine)
    page = client.get("/notifications/").content.decode()
    assert "For me" in page
    assert "Not for me" not in page


def test_notification_list_query_count_does_not_grow_with_rows(api_client, django_assert_num_queries):
    person = UserFactory()
    api_client.force_authenticate(person)
    notify(recipients=[person], kind="tests.sample", title="One")
    with django_assert_num_queries(2):  # count + page
        api_client.get("/api/v1/notifications/")
    for i in range(30):
        notify(recipients=[person], kind="tests.sample", title=f"More {i}")
    with django_assert_num_queries(2):
        api_client.get("/api/v1/notifications/")


def test_mark_read_touches_only_the_callers_notifications(api_client):
    mine, theirs = UserFactory.create_batch(2)
    notify(recipients=[mine, theirs], kind="tests.sample", title="Both")
    their_id = Notification.objects.get(recipient=theirs).pk
    api_client.force_authenticate(mine)
    assert api_client.post("/api/v1/notifications/read/", {"ids": [their_id]}, format="json").json() == {"marked": 0}
    assert api_client.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert Notification.objects.get(recipient=theirs).read_at is None


def test_mark_read_rejects_bad_ids_clearly(api_client, employee):
    api_client.force_authenticate(employee)
    response = api_client.post("/api/v1/notifications/read/", {"ids": ["abc"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ids.0"


def test_preferences_page_saves_email_choices(client):
    person = UserFactory()
    client.force_login(person)
    assert "Sample messages" in client.get("/notifications/preferences/").content.decode()
    client.post("/notifications/preferences/", {"tests.quiet": "on"})
    prefs = dict(NotificationPreference.objects.filter(user=person).values_list("kind", "email"))
    assert prefs["tests.quiet"] is True
    assert prefs["tests.sample"] is False


def test_header_shows_unread_count_and_page_marks_all_read(client):
    person = UserFactory()
    notify(recipients=[person], kind="tests.sample", title="One")
    notify(recipients=[person], kind="tests.sample", title="Two")
    client.force_login(person)
    assert '<span class="badge">2' in client.get("/").content.decode()
    client.post("/notifications/read/")
    assert '<span class="badge">' not in client.get("/").content.decode()
