from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from ideaportal import services as ideaportal_services
from ideaportal.celery import app
from ideaportal.models import TaskRun
from notifications.kinds import kind_register
from notifications.models import EmailStatus, Notification
from notifications.services import notification_emails_send, notify
from tests.accounts.factories import UserFactory

kind_register("tests.celery", "Celery test messages")

RUNS: list[str] = []


@app.task(name="tests.celery.counted", bind=True)
def counted(self) -> None:
    RUNS.append(f"{self.request.id}/{self.request.retries}")


def deliver(task, *, task_id: str, eta: str | None, retries: int = 0):
    """Run ``task`` as a worker runs one delivery of its message: the
    request carries the message's id, retry number and ETA."""
    task.push_request(id=task_id, retries=retries, eta=eta, is_eager=False, called_directly=False)
    try:
        return task()
    finally:
        task.pop_request()


@pytest.fixture
def runs():
    RUNS.clear()
    yield RUNS
    RUNS.clear()


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


ETA = "2026-01-01T12:00:00+00:00"


@pytest.mark.django_db
def test_copies_of_a_delayed_delivery_run_it_once_and_a_retry_is_a_new_delivery(runs):
    deliver(counted, task_id="t-1", eta=ETA)
    deliver(counted, task_id="t-1", eta=ETA)  # redelivered past the visibility timeout
    deliver(counted, task_id="t-1", eta=ETA, retries=1)
    assert runs == ["t-1/0", "t-1/1"]
    assert TaskRun.objects.filter(task_id="t-1", finished_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_claim_older_than_the_time_limit_is_a_dead_worker_s_and_is_taken_over(runs):
    expiry = counted.claim_expiry()
    assert expiry.total_seconds() > app.conf.task_time_limit
    TaskRun.objects.create(
        task_id="t-2", retries=0, task_name=counted.name, owner="dead", claimed_at=timezone.now() - expiry * 2
    )
    deliver(counted, task_id="t-2", eta=ETA)
    assert runs == ["t-2/0"]
    assert TaskRun.objects.get(task_id="t-2").finished_at is not None


@pytest.mark.django_db
def test_a_task_without_eta_never_touches_the_run_once_ledger(runs, django_assert_num_queries):
    with django_assert_num_queries(0):
        deliver(counted, task_id="t-3", eta=None)
        deliver(counted, task_id="t-3", eta=None)
    assert runs == ["t-3/0", "t-3/0"]  # copies of an undelayed task come only from a dead worker


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_many_simultaneous_claims_on_one_delivery_exactly_one_wins():
    barrier = threading.Barrier(6)
    owners: list[str | None] = []

    def claim():
        try:
            barrier.wait()
            owners.append(
                ideaportal_services.task_run_claim(
                    task_id="t-4", retries=0, task_name="tests", expiry=timedelta(minutes=5)
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([owner for owner in owners if owner]) == 1
    assert TaskRun.objects.count() == 1


@pytest.mark.django_db
def test_old_run_records_are_purged(runs):
    deliver(counted, task_id="t-5", eta=ETA)
    TaskRun.objects.filter(task_id="t-5").update(created_at=timezone.now() - timedelta(days=8))
    deliver(counted, task_id="t-6", eta=ETA)
    assert ideaportal_services.task_runs_purge() == 1
    assert list(TaskRun.objects.values_list("task_id", flat=True)) == ["t-6"]
