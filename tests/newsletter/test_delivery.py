"""Each active subscriber gets each digest exactly once, whatever fails."""

from __future__ import annotations

import smtplib
import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from newsletter import services, tasks
from newsletter.models import Delivery, DeliveryStatus, Digest, Frequency, Subscriber, SubscriberStatus
from newsletter.periods import period_containing
from tests.newsletter.backends import Crash, ServerState
from tests.newsletter.factories import SubscriberFactory


@pytest.fixture(autouse=True)
def flaky_server(settings):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.FlakyBackend"
    ServerState.reset()
    yield ServerState
    ServerState.reset()


@pytest.fixture
def queued(monkeypatch):
    """Record the sending tasks a run starts instead of running them eagerly,
    so the test decides who sends and when."""
    started: list[int] = []
    monkeypatch.setattr(tasks.deliveries_send_task, "delay", started.append)
    return started


def make_digest(start=date(2025, 3, 10), frequency=Frequency.WEEKLY) -> Digest:
    period = period_containing(frequency, start)
    return Digest.objects.create(
        frequency=frequency, period_start=period.start, period_end=period.end, editor_note="News from the editor"
    )


def copies_per_address():
    counts: dict[str, int] = {}
    for message in mail.outbox:
        counts[message.to[0]] = counts.get(message.to[0], 0) + 1
    return counts


def fan_out(digest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.digest_fan_out(digest=digest)


@pytest.mark.django_db
def test_crash_mid_batch_then_restart_sends_the_rest_exactly_once(queued, django_capture_on_commit_callbacks):
    subscribers = SubscriberFactory.create_batch(12)
    digest = make_digest()
    fan_out(digest, django_capture_on_commit_callbacks)
    ServerState.crash_after = 5

    with pytest.raises(Crash):
        services.deliveries_send(digest_id=digest.pk, size=10)
    assert len(mail.outbox) == 5
    # A run right after the crash must not touch the dead worker's claim
    # (it cannot tell a dead worker from a slow one yet)...
    ServerState.crash_after = None
    services.deliveries_send(digest_id=digest.pk, size=10)
    assert len(mail.outbox) == 7
    # ...once the claim is stale, the restarted run takes it over.
    later = timezone.now() + services.claim_timeout() + timedelta(seconds=1)
    services.deliveries_send(digest_id=digest.pk, size=10, now=later)

    assert copies_per_address() == {s.email: 1 for s in subscribers}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Digest.objects.get(pk=digest.pk).completed_at is not None


@pytest.mark.django_db
def test_the_same_task_delivered_twice_sends_each_copy_once(queued, django_capture_on_commit_callbacks):
    subscribers = SubscriberFactory.create_batch(5)
    digest = make_digest()
    fan_out(digest, django_capture_on_commit_callbacks)
    assert queued == [digest.pk]

    tasks.deliveries_send_task.apply(args=[digest.pk])
    tasks.deliveries_send_task.apply(args=[digest.pk])

    assert copies_per_address() == {s.email: 1 for s in subscribers}


@pytest.mark.django_db
def test_smtp_outage_gives_the_batch_back_and_the_retry_delivers_it(queued, django_capture_on_commit_callbacks):
    subscribers = SubscriberFactory.create_batch(4)
    digest = make_digest()
    fan_out(digest, django_capture_on_commit_callbacks)
    ServerState.fail_next = 1

    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.deliveries_send(digest_id=digest.pk)
    assert mail.outbox == []
    assert list(Delivery.objects.values_list("status", "attempts").distinct()) == [(DeliveryStatus.PENDING, 1)]

    services.deliveries_send(digest_id=digest.pk)  # the server is back
    assert copies_per_address() == {s.email: 1 for s in subscribers}
    task = tasks.deliveries_send_task
    assert smtplib.SMTPException in task.autoretry_for and task.retry_backoff


@pytest.mark.django_db
def test_hard_bounces_fail_the_copy_and_the_third_in_a_row_stops_all_mail(queued, django_capture_on_commit_callbacks):
    gone = SubscriberFactory(email="gone@example.org")
    fine = SubscriberFactory()
    ServerState.refuse = {gone.email: 550}
    for week in range(4):
        digest = make_digest(date(2025, 3, 3) + timedelta(weeks=week))
        fan_out(digest, django_capture_on_commit_callbacks)
        services.deliveries_send(digest_id=digest.pk)
        if week < 3:
            delivery = Delivery.objects.get(digest=digest, subscriber=gone)
            assert delivery.status == DeliveryStatus.FAILED and "550" in delivery.error
    gone.refresh_from_db()
    assert gone.status == SubscriberStatus.BOUNCED
    assert not Delivery.objects.filter(digest=digest, subscriber=gone).exists()  # 4th digest: not even queued
    assert copies_per_address() == {fine.email: 4}


@pytest.mark.django_db
def test_temporary_refusal_is_tried_again_and_fails_after_the_last_attempt(queued, django_capture_on_commit_callbacks):
    busy = SubscriberFactory()
    ServerState.refuse = {busy.email: 451}
    digest = make_digest()
    fan_out(digest, django_capture_on_commit_callbacks)
    assert services.deliveries_send(digest_id=digest.pk).retry == 1
    # Not again before its backoff is over...
    assert services.deliveries_send(digest_id=digest.pk).retry == 0
    later = timezone.now()
    for _ in range(services.MAX_ATTEMPTS - 2):
        later += timedelta(hours=1)
        assert services.deliveries_send(digest_id=digest.pk, now=later).retry == 1
    assert services.deliveries_send(digest_id=digest.pk, now=later + timedelta(hours=1)).failed == 1
    busy.refresh_from_db()
    assert busy.status == SubscriberStatus.ACTIVE  # not a bounce
    assert Delivery.objects.get().attempts == services.MAX_ATTEMPTS


@pytest.mark.django_db
def test_pending_address_gets_only_the_confirmation_until_it_confirms(run_digests, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = services.subscriber_subscribe_address(email="New.Reader@Example.org", frequency="weekly")
    assert [m.subject for m in mail.outbox] == ["Confirm your Ideaportal newsletter subscription"]
    make_digest(date(2025, 3, 3))  # the previous week, so the run builds the next one
    services.editor_note_save(frequency=Frequency.WEEKLY, body="Hello", author=None)
    run_digests(Frequency.WEEKLY, timezone.now().replace(year=2025, month=3, day=18))
    assert len(mail.outbox) == 1

    services.subscriber_confirm(subscriber=subscriber)
    services.editor_note_save(frequency=Frequency.WEEKLY, body="Hello again", author=None)
    run_digests(Frequency.WEEKLY, timezone.now().replace(year=2025, month=3, day=25))
    assert [m.to for m in mail.outbox[1:]] == [["new.reader@example.org"]]
    assert Subscriber.objects.get().email == "new.reader@example.org"


@pytest.mark.django_db
def test_each_mail_is_multipart_personal_and_has_one_click_unsubscribe_headers(
    settings, queued, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://ideas.example.com"
    subscriber = SubscriberFactory()
    digest = make_digest()
    fan_out(digest, django_capture_on_commit_callbacks)
    services.deliveries_send(digest_id=digest.pk)

    [message] = mail.outbox
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
    assert "News from the editor" in message.body and "News from the editor" in message.alternatives[0][0]
    header = message.extra_headers["List-Unsubscribe"]
    https, mailto = (part.strip(" <>") for part in header.split(","))
    assert https.startswith("https://ideas.example.com/newsletter/unsubscribe/")
    assert mailto.startswith("mailto:")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert https.replace("/unsubscribe/", "/preferences/") in message.body
    assert subscriber.email == message.to[0]


@pytest.mark.django_db
def test_unsubscribing_after_the_run_started_stops_the_queued_copy(queued, django_capture_on_commit_callbacks):
    leaving = SubscriberFactory()
    staying = SubscriberFactory()
    digest = make_digest()
    fan_out(digest, django_capture_on_commit_callbacks)
    services.subscriber_unsubscribe(subscriber=leaving)
    services.deliveries_send(digest_id=digest.pk)
    assert copies_per_address() == {staying.email: 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_and_concurrent_senders_deliver_each_copy_exactly_once(queued):
    subscribers = SubscriberFactory.create_batch(60)
    services.editor_note_save(frequency=Frequency.WEEKLY, body="Overlap", author=None)
    barrier = threading.Barrier(3)
    now = timezone.now()

    def beat_run():
        try:
            barrier.wait()
            services.digest_run(frequency=Frequency.WEEKLY, now=now)
        finally:
            connection.close()

    runs = [threading.Thread(target=beat_run) for _ in range(3)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join()
    digest = Digest.objects.get()
    assert Delivery.objects.filter(digest=digest).count() == 60
    assert queued, "the winning run started the sending tasks"

    def sender():
        try:
            services.deliveries_send(digest_id=digest.pk, size=7)
        finally:
            connection.close()

    senders = [threading.Thread(target=sender) for _ in range(4)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    assert copies_per_address() == {s.email: 1 for s in subscribers}
