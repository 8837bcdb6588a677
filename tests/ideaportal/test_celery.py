from __future__ import annotations

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection, transaction

from ideaportal.celery import app
from notifications.kinds import kind_register
from notifications.models import EmailStatus, Notification
from notifications.services import notification_emails_send, notify
from tests.accounts.factories import UserFactory

kind_register("tests.celery", "Celery test messages")


def test_project_wide_task_defaults():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    task = app.tasks["notifications.emails_send"]
    assert task.acks_late is True
    assert task.max_retries == 5
    assert task.retry_backoff


@pytest.fixture
def real_worker(settings):
    """A real Celery worker, in this process, consuming from the real broker."""
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.redis
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_task_from_a_rolled_back_transaction_never_runs_but_a_committed_one_does(real_worker):
    person = UserFactory()

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        notify(recipients=[person], kind="tests.celery", title="Rolled back")
        raise Rollback
    with transaction.atomic():
        notify(recipients=[person], kind="tests.celery", title="Committed")
    assert _wait_for(lambda: len(mail.outbox) >= 1), "the worker never sent the committed e-mail"
    time.sleep(1)  # give a wrongly queued second task the chance to show up
    assert [m.subject for m in mail.outbox] == ["Committed"]
    assert list(Notification.objects.values_list("title", "email_status")) == [("Committed", EmailStatus.SENT)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_each_email_exactly_once():
    people = UserFactory.create_batch(40)
    Notification.objects.bulk_create(
        Notification(recipient=p, kind="tests.celery", title="Once each", email_status=EmailStatus.PENDING)
        for p in people
    )
    results: list[int] = []

    def sender():
        try:
            results.append(notification_emails_send(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 40
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert not Notification.objects.exclude(email_status=EmailStatus.SENT).exists()
