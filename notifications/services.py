"""Sending notifications: in the app at once, by e-mail after commit."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from ideaportal.celery import enqueue_on_commit
from notifications.kinds import kind_get
from notifications.models import EmailStatus, Notification, NotificationPreference

logger = logging.getLogger(__name__)

EMAIL_BATCH_SIZE = 100
# A claimed e-mail whose worker died is claimed again after this long.
EMAIL_CLAIM_TIMEOUT = timedelta(minutes=15)
EMAIL_MAX_ATTEMPTS = 5

Text = str | Callable[[], str]


def _render(text: Text, language: str) -> str:
    if callable(text):
        with translation.override(language):
            return str(text())
    return str(text)


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: Text,
    body: Text = "",
    url: str = "",
    dedupe_key: str = "",
    exclude: Iterable[User] = (),
) -> int:
    """Notify each recipient once (people in ``exclude``, usually the actor,
    are skipped). ``title`` and ``body`` may be callables, evaluated in each
    recipient's language. With a ``dedupe_key`` a repeat call for the same
    recipient and key creates nothing. E-mail copies go to those who want
    them, sent by a worker once the caller's transaction commits. Returns the
    number of notifications attempted.
    """
    spec = kind_get(kind)
    excluded = {user.pk for user in exclude}
    people: dict[int, User] = {}
    for user in recipients:
        if user.pk not in excluded and user.is_active:
            people[user.pk] = user
    if not people:
        return 0
    wants_email = dict(
        NotificationPreference.objects.filter(user_id__in=people, kind=kind).values_list("user_id", "email")
    )
    rows = []
    for user in people.values():
        language = user.preferred_language or settings.LANGUAGE_CODE
        email = wants_email.get(user.pk, spec.email_default) and bool(user.email)
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                title=_render(title, language)[:255],
                body=_render(body, language),
                url=url,
                dedupe_key=dedupe_key,
                email_status=EmailStatus.PENDING if email else EmailStatus.NOT_WANTED,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    if any(row.email_status == EmailStatus.PENDING for row in rows):
        from notifications.tasks import notification_emails_send_task

        enqueue_on_commit(notification_emails_send_task.delay)
    return len(rows)


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notification_preferences_set(*, user: User, email_by_kind: dict[str, bool]) -> None:
    """Save which kinds the person wants by e-mail."""
    for kind, email in email_by_kind.items():
        kind_get(kind)
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": email})


def _message_for(notification: Notification, connection: Any) -> EmailMultiAlternatives:
    user = notification.recipient
    context = {
        "notification": notification,
        "user": user,
        "link": f"{settings.SITE_URL}{notification.url}" if notification.url else "",
        "preferences_link": f"{settings.SITE_URL}{reverse('notifications:preferences')}",
    }
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(subject=notification.title, body=text, to=[user.email], connection=connection)
    message.attach_alternative(html, "text/html")
    return message


def notification_emails_send(*, batch_size: int = EMAIL_BATCH_SIZE) -> int:
    """Send pending e-mail copies in batches over one mail connection each.

    Safe to run concurrently and twice: each batch is claimed with
    ``SKIP LOCKED`` and a guarded status change, so one e-mail is sent by one
    worker; a claim left by a dead worker is taken again after
    EMAIL_CLAIM_TIMEOUT. A failing mail server leaves the e-mail pending for
    the next run, up to EMAIL_MAX_ATTEMPTS. Returns how many were sent.
    """
    sent = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            ids = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(
                    Q(email_status=EmailStatus.PENDING)
                    | Q(email_status=EmailStatus.SENDING, email_claimed_at__lt=now - EMAIL_CLAIM_TIMEOUT)
                )
                .order_by("created_at", "id")
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return sent
            Notification.objects.filter(pk__in=ids).update(email_status=EmailStatus.SENDING, email_claimed_at=now)
        batch = list(Notification.objects.filter(pk__in=ids).select_related("recipient"))
        try:
            with get_connection() as connection:
                for notification in batch:
                    _message_for(notification, connection).send()
                    Notification.objects.filter(pk=notification.pk, email_status=EmailStatus.SENDING).update(
                        email_status=EmailStatus.SENT, emailed_at=timezone.now()
                    )
                    sent += 1
        except (smtplib.SMTPException, OSError) as exc:
            logger.warning("Mail server failed while sending notifications: %s", exc)
            unsent = Notification.objects.filter(pk__in=ids, email_status=EmailStatus.SENDING)
            unsent.filter(email_attempts__gte=EMAIL_MAX_ATTEMPTS - 1).update(email_status=EmailStatus.FAILED)
            unsent.update(email_status=EmailStatus.PENDING, email_attempts=F("email_attempts") + 1)
            raise
