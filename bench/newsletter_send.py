"""Benchmark: deliver one digest to N subscribers through a local SMTP sink.

    DATABASE_URL=postgres://.../ideaportal_bench SECRET_KEY=bench \
        .venv/bin/python bench/newsletter_send.py --subscribers 100000 --processes 2
    ... --batch-size 1   # one SMTP connection (and one claim) per message

Runs the production send path (``services.deliveries_send``: SKIP LOCKED
claims, guarded updates, one connection per batch, real SMTP) in N worker
processes, without Celery around it (a task wraps 20 batches, so the
broker's share is negligible). The SMTP sink runs in its own process.
Prints messages per second and each worker's peak RSS. Uses and empties the
newsletter tables of the database it is given: never point it at real data.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")


def _sink(port_queue: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    from tests.newsletter.smtp_sink import SmtpSink

    # Keep nothing: count only, so the sink's memory stays flat too.
    class CountingSink(SmtpSink):
        def deliver(self, recipients: list[str], data: bytes) -> None:
            with self._lock:
                self.received += 1

    with CountingSink() as sink:
        sink.received = 0
        port_queue.put(sink.port)
        stop.wait()
        port_queue.put(sink.received)


def _worker(digest_id: int, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from django.db import connection

    from newsletter import services

    connection.close()  # never share the parent's connection

    sent = 0
    while True:
        result = services.deliveries_send(digest_id=digest_id, batches=50)
        sent += result.sent
        if not result.sent and not result.retry:
            break
    results.put((sent, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()

    # The sink first, so the settings below can point the mail backend at it.
    ports: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    sink = multiprocessing.Process(target=_sink, args=(ports, stop))
    sink.start()
    port = ports.get()
    os.environ.update(
        {
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "false",
            "NEWSLETTER_BATCH_SIZE": str(args.batch_size),
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from newsletter import tasks
    from newsletter.models import Delivery, Digest, Frequency, Subscriber, SubscriberStatus
    from newsletter.services import digest_fan_out

    call_command("migrate", verbosity=0)
    Delivery.objects.all().delete()
    Digest.objects.all().delete()
    Subscriber.objects.all().delete()
    Subscriber.objects.bulk_create(
        (
            Subscriber(email=f"bench{n}@example.org", frequency=Frequency.WEEKLY, status=SubscriberStatus.ACTIVE)
            for n in range(args.subscribers)
        ),
        batch_size=5000,
    )
    digest = Digest.objects.create(
        frequency=Frequency.WEEKLY, period_start="2025-03-10", period_end="2025-03-17", editor_note="Benchmark note"
    )
    tasks.deliveries_send_task.delay = lambda *a: None  # type: ignore[method-assign]  # workers below do the sending
    digest_fan_out(digest=digest)
    connection.close()

    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    started = time.perf_counter()
    workers = [multiprocessing.Process(target=_worker, args=(digest.pk, results)) for _ in range(args.processes)]
    for worker in workers:
        worker.start()
    outcomes = [results.get() for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    stop.set()
    received = ports.get()
    sink.join()
    sent = sum(sent for sent, _rss in outcomes)
    from django.conf import settings

    print(f"backend={settings.EMAIL_BACKEND} port={settings.EMAIL_PORT}")
    print(f"subscribers={args.subscribers} processes={args.processes} batch_size={args.batch_size}")
    print(f"sent={sent} received_by_sink={received} seconds={elapsed:.1f} msg_per_s={sent / elapsed:.0f}")
    print("worker_peak_rss_mb=" + ",".join(f"{rss / 1024:.0f}" for _sent, rss in outcomes))


if __name__ == "__main__":
    main()
