from __future__ import annotations

import smtplib

from celery import shared_task

from notifications import services


@shared_task(name="notifications.emails_send", autoretry_for=(smtplib.SMTPException, OSError))
def notification_emails_send_task() -> int:
    """Send pending notification e-mails (after each notify, and every few
    minutes from beat to pick up anything a dead worker left behind). A mail
    server failure is retried with the project's backoff."""
    return services.notification_emails_send()
