"""Demo subscribers of every kind and a sent digest in the archive, for
``manage.py seed_demo`` (which runs every app's ``seed()`` in one
transaction). Idempotent: a second run creates nothing."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from newsletter import sections
from newsletter.models import Digest, EditorNote, Frequency, Subscriber, SubscriberStatus
from newsletter.periods import last_complete_period

# Employees (by demo address) who subscribed in one click, and how often.
EMPLOYEES = [
    ("maria.gonzalez@ideaportal.example", Frequency.DAILY),
    ("james.carter@ideaportal.example", Frequency.WEEKLY),
    ("sam.okafor@ideaportal.example", Frequency.WEEKLY),
    ("aoife.byrne@ideaportal.example", Frequency.MONTHLY),
]
# Outside addresses in every status.
OUTSIDERS = [
    ("pilot.member@example.org", Frequency.WEEKLY, SubscriberStatus.ACTIVE),
    ("board.observer@example.org", Frequency.MONTHLY, SubscriberStatus.ACTIVE),
    ("new.reader@example.org", Frequency.DAILY, SubscriberStatus.PENDING),
    ("former.partner@example.org", Frequency.WEEKLY, SubscriberStatus.UNSUBSCRIBED),
    ("old.mailbox@example.org", Frequency.MONTHLY, SubscriberStatus.BOUNCED),
]
DEMO_NOTE = (
    "Welcome to the first Ideaportal digest. Hurricane season starts soon: the campaign for ideas that help "
    "members before, during and after a storm is open. Every idea gets an answer within 24 hours."
)


def seed() -> list[str]:
    log: list[str] = []
    now = timezone.now()
    for email, frequency in EMPLOYEES:
        user = User.objects.filter(email__iexact=email).first()
        if user is None or Subscriber.objects.filter(email__iexact=email).exists():
            continue
        Subscriber.objects.create(
            email=email,
            user=user,
            frequency=frequency,
            status=SubscriberStatus.ACTIVE,
            confirmed_at=now,
            language=user.preferred_language,
        )
        log.append(f"subscriber {email}")
    for email, frequency, status in OUTSIDERS:
        if Subscriber.objects.filter(email__iexact=email).exists():
            continue
        Subscriber.objects.create(
            email=email,
            frequency=frequency,
            status=status,
            confirmed_at=None if status == SubscriberStatus.PENDING else now - timedelta(days=60),
            unsubscribed_at=now if status == SubscriberStatus.UNSUBSCRIBED else None,
            hard_bounces=3 if status == SubscriberStatus.BOUNCED else 0,
        )
        log.append(f"subscriber {email}")
    # Last week's digest, built from whatever the portal holds plus a note,
    # and sent by the worker once this transaction commits (to var/mail/).
    period = last_complete_period(Frequency.WEEKLY, now)
    if not Digest.objects.filter(frequency=Frequency.WEEKLY, period_start=period.start).exists():
        digest = Digest.objects.create(
            frequency=Frequency.WEEKLY,
            period_start=period.start,
            period_end=period.end,
            content=sections.sections_collect(period),
            editor_note=DEMO_NOTE,
            is_empty=False,
        )
        EditorNote.objects.create(frequency=Frequency.WEEKLY, body=DEMO_NOTE, digest=digest)
        log.append(f"digest {digest}")
        transaction.on_commit(lambda: _send(digest))
    return log


def _send(digest: Digest) -> None:
    from newsletter.services import digest_fan_out

    digest_fan_out(digest=digest)
