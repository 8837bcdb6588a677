"""Celery tasks: thin shells around ``newsletter.services``.

Each is safe to run twice or concurrently (see the services); the project's
BaseTask gives late acknowledgement and the retry defaults.
"""

from __future__ import annotations

import smtplib

from celery import shared_task

from newsletter import services
from newsletter.models import Frequency


@shared_task(name="newsletter.run")
def digest_run_task(frequency: str) -> list[int]:
    """Beat, hourly per frequency: build and fan out every finished period's
    digest. Hourly rather than once a period, so a run missed while beat or
    the workers were down happens within the hour, into the right period."""
    return [digest.pk for digest in services.digest_run(frequency=Frequency(frequency))]


@shared_task(
    name="newsletter.deliveries_send",
    bind=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    max_retries=8,
)
def deliveries_send_task(self, digest_id: int) -> int:
    """Send a digest's copies, batch by batch over one connection each.
    A broken mail server is retried with backoff (BaseTask); copies a server
    refused for now are tried again by a delayed retry of this task."""
    result = services.deliveries_send(digest_id=digest_id)
    if result.retry:
        raise self.retry(countdown=min(600, 5 * 2 ** min(self.request.retries, 7)))
    if result.sent and services.deliveries_pending_exist(digest_id=digest_id):
        # More copies are left than this task sends in one go: hand over.
        deliveries_send_task.delay(digest_id)
    return result.sent


@shared_task(name="newsletter.sweep")
def deliveries_sweep_task() -> int:
    """Beat, every few minutes: restart digests a dead worker or a lost task
    left unfinished (stale claims are taken over after the claim timeout)."""
    return services.deliveries_sweep(send=deliveries_send_task.delay)


@shared_task(name="newsletter.confirmation_send", autoretry_for=(smtplib.SMTPException, OSError))
def confirmation_send_task(subscriber_id: int) -> bool:
    """Mail the confirmation link to a pending address (nothing else ever
    goes to a pending address)."""
    return services.subscriber_confirmation_send(subscriber_id=subscriber_id)
