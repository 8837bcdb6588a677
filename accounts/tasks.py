"""Celery tasks of the accounts app: thin shells around services."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(name="accounts.email_send")
def email_send_task(*, to: list[str], subject: str, text: str, html: str | None = None) -> None:
    """Send one already-rendered e-mail (password resets). Retried on
    connection faults by the project's task defaults."""
    services.email_send(to=to, subject=subject, text=text, html=html)


@shared_task(name="accounts.login_counters_purge")
def login_counters_purge_task() -> int:
    """Beat, hourly: forget sign-in counters of windows that have ended."""
    return services.login_counters_purge()
