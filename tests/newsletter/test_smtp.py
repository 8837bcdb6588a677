"""Delivery through real SMTP to a server on loopback, and the end-to-end
run on a real Celery worker and the real Redis broker, killed mid-send."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from ideaportal.celery import app
from newsletter import services, tasks
from newsletter.models import Delivery, DeliveryStatus, Digest, EditorNote, Frequency, Subscriber, SubscriberStatus
from tests.newsletter.factories import SubscriberFactory
from tests.newsletter.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sink(settings):
    with SmtpSink() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        yield server


@pytest.mark.django_db
def test_real_smtp_gets_one_multipart_copy_per_address_and_a_hard_bounce_is_recorded(
    sink, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.deliveries_send_task, "delay", lambda pk: None)
    readers = SubscriberFactory.create_batch(25)
    gone = SubscriberFactory(email="gone@example.org")
    sink.refuse[gone.email] = 550
    EditorNote.objects.create(frequency=Frequency.WEEKLY, body="Storm season")
    with django_capture_on_commit_callbacks(execute=True):
        [digest] = services.digest_run(frequency=Frequency.WEEKLY, now=timezone.now())

    result = services.deliveries_send(digest_id=digest.pk, size=10)

    assert (result.sent, result.failed) == (25, 1)
    assert sink.copies_per_address() == {r.email: 1 for r in readers}
    _to, message = sink.messages[0]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.get_payload()] == ["text/plain", "text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Delivery.objects.get(subscriber=gone).status == DeliveryStatus.FAILED
    assert Subscriber.objects.get(pk=gone.pk).hard_bounces == 1


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ideaportal", "worker", "--pool=prefork", "--concurrency=2",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_and_restarted_leaves_every_subscriber_exactly_one_copy(sink):
    import redis

    redis.Redis.from_url(django_settings.CELERY_BROKER_URL).flushdb()  # this run's own broker database
    readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", frequency=Frequency.WEEKLY, status=SubscriberStatus.ACTIVE)
        for n in range(300)
    )
    EditorNote.objects.create(frequency=Frequency.WEEKLY, body="Exactly once")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "false",
        "NEWSLETTER_BATCH_SIZE": "20",
        "NEWSLETTER_CLAIM_TIMEOUT": "3",
    }
    app.conf.task_always_eager = False
    workers = []
    try:
        # Two beat runs overlap: both ask for the same week's digest.
        tasks.digest_run_task.delay(Frequency.WEEKLY)
        tasks.digest_run_task.delay(Frequency.WEEKLY)
        workers.append(_worker(env))
        assert _wait_for(lambda: sink.count() >= 60, 60), "the first worker never started sending"
        _kill(workers[0])
        at_kill = sink.count()
        assert at_kill < 300, "the kill came too late to be mid-send"

        workers.append(_worker(env))
        time.sleep(3.5)  # the dead worker's claims go stale
        deadline = time.monotonic() + 90
        while Delivery.objects.exclude(status=DeliveryStatus.SENT).exists() or Delivery.objects.count() < 300:
            assert time.monotonic() < deadline, "sending never finished after the restart"
            tasks.deliveries_sweep_task.delay()  # what beat does every few minutes
            time.sleep(1)
    finally:
        for worker in workers:
            _kill(worker)
        app.conf.task_always_eager = True

    assert Digest.objects.count() == 1
    assert sink.copies_per_address() == {reader.email: 1 for reader in readers}
