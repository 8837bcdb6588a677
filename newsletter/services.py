"""Subscribing, building digests once per period and delivering each copy once.

Sending, in short (see ``deliveries_send``):

1. ``digest_run`` builds the digest of each finished period (unique per
   frequency and period) and, in one guarded transaction, creates one
   ``Delivery`` row per active subscriber (unique per digest and subscriber).
2. Workers claim batches with ``SELECT ... FOR UPDATE SKIP LOCKED`` and stamp
   them with their own claim id; a claim older than the claim timeout (its
   worker died) is taken over by the next worker.
3. Each copy is marked "sent" by a guarded update (still this claim, still
   "sending") in a transaction that commits right after the SMTP server was
   given the end of the message (see ``mail.Transport``). A worker whose claim
   was taken over changes nothing and sends nothing.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Department, User
from ideaportal.celery import enqueue_on_commit
from newsletter import mail, sections
from newsletter.models import (
    Delivery,
    DeliveryStatus,
    Digest,
    EditorNote,
    Frequency,
    Subscriber,
    SubscriberStatus,
)
from newsletter.periods import Period, last_complete_period, period_at

logger = logging.getLogger(__name__)

# How many copies one claim takes; one mail connection serves one batch.
BATCH_SIZE = 100
# Batches one task sends before handing over to a fresh task (keeps each
# task well inside the Celery time limit).
BATCHES_PER_TASK = 20
# Tasks started per digest at once: enough to keep every worker busy.
PARALLEL_TASKS = 8
# A claim older than this belongs to a dead worker. Longer than the Celery
# hard time limit, so a live worker's claim is never taken over.
CLAIM_TIMEOUT = timedelta(minutes=10)
# Attempts per copy before a temporary failure becomes permanent.
MAX_ATTEMPTS = 5
# Hard bounces in a row before a subscriber is marked bounced.
BOUNCE_LIMIT = 3
# A late or stopped beat catches up this many missed periods at most.
CATCH_UP_PERIODS = 3
# A pending address gets at most one confirmation mail in this long.
CONFIRMATION_RESEND_AFTER = timedelta(minutes=10)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def batch_size() -> int:
    return int(_setting("NEWSLETTER_BATCH_SIZE", BATCH_SIZE))


def claim_timeout() -> timedelta:
    return timedelta(seconds=int(_setting("NEWSLETTER_CLAIM_TIMEOUT", CLAIM_TIMEOUT.total_seconds())))


def send_empty() -> bool:
    return bool(_setting("NEWSLETTER_SEND_EMPTY", False))


class NewsletterError(Exception):
    """A request the newsletter refuses; the message is for the person."""


# --- subscribers --------------------------------------------------------------


def _subscriber_locked(email: str) -> Subscriber | None:
    return Subscriber.objects.select_for_update().filter(email__iexact=email.strip()).first()


def _subscriber_create(**fields: Any) -> Subscriber:
    """Create, or return the row a concurrent request created first."""
    try:
        with transaction.atomic():
            return Subscriber.objects.create(**fields)
    except IntegrityError:
        existing = _subscriber_locked(fields["email"])
        if existing is None:
            raise
        return existing


@transaction.atomic(durable=True)
def subscriber_subscribe_employee(*, user: User, frequency: str = Frequency.WEEKLY) -> Subscriber:
    """One click: an employee's own address needs no confirmation."""
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().filter(user=user).first() or _subscriber_locked(user.email)
    if subscriber is None:
        subscriber = _subscriber_create(
            email=user.email,
            user=user,
            frequency=frequency,
            status=SubscriberStatus.ACTIVE,
            confirmed_at=now,
            language=user.preferred_language,
        )
    subscriber.user = user
    subscriber.email = user.email
    subscriber.frequency = frequency
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.confirmed_at = subscriber.confirmed_at or now
    subscriber.unsubscribed_at = None
    subscriber.hard_bounces = 0
    subscriber.language = user.preferred_language
    subscriber.save()
    return subscriber


@transaction.atomic(durable=True)
def subscriber_subscribe_address(*, email: str, frequency: str = Frequency.WEEKLY, language: str = "en") -> Subscriber:
    """An outside address waits, pending, until it confirms through the
    signed link mailed to it. Nothing else is ever sent to a pending address.
    An address that is already active is left as it is and gets no mail, so
    the answer tells a stranger nothing about who subscribes."""
    subscriber = _subscriber_locked(email)
    if subscriber is None:
        subscriber = _subscriber_create(email=email, frequency=frequency, language=language)
    if subscriber.status == SubscriberStatus.ACTIVE:
        return subscriber
    now = timezone.now()
    last = subscriber.confirmation_sent_at
    # Nobody can mail-bomb an address by subscribing it over and over: the
    # link already sent stays valid, so a repeat soon after sends nothing.
    resend = last is None or now - last >= CONFIRMATION_RESEND_AFTER
    subscriber.status = SubscriberStatus.PENDING
    subscriber.frequency = frequency
    subscriber.language = language
    if resend:
        subscriber.confirmation_sent_at = now
    subscriber.save(update_fields=["status", "frequency", "language", "confirmation_sent_at"])
    if not resend:
        return subscriber
    from newsletter.tasks import confirmation_send_task

    pk = subscriber.pk
    enqueue_on_commit(lambda: confirmation_send_task.delay(pk))
    return subscriber


def subscriber_confirmation_send(*, subscriber_id: int) -> bool:
    """Mail the confirmation link, only while the address is pending."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.PENDING).first()
    if subscriber is None:
        return False
    mail.confirmation_message(subscriber).send()
    return True


def subscribe_rate_exceeded(*, client_address: str | None) -> bool:
    """True once one client address has asked for more than
    NEWSLETTER_SUBSCRIBE_LIMIT_PER_HOUR confirmation mails this hour (anonymous
    subscribing is open to anyone, so it must not become a mail cannon).
    The cache's atomic increment keeps the count (Redis in production)."""
    if not client_address:
        return False
    key = f"newsletter:subscribe:{client_address}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > settings.NEWSLETTER_SUBSCRIBE_LIMIT_PER_HOUR


@transaction.atomic(durable=True)
def subscriber_confirm(*, subscriber: Subscriber) -> bool:
    """Pending to active (a guarded update). False if the subscriber is not
    pending: an unsubscribed address is not revived by an old link."""
    changed = Subscriber.objects.filter(pk=subscriber.pk, status=SubscriberStatus.PENDING).update(
        status=SubscriberStatus.ACTIVE, confirmed_at=timezone.now(), hard_bounces=0
    )
    subscriber.refresh_from_db()
    return bool(changed) or subscriber.status == SubscriberStatus.ACTIVE


@transaction.atomic(durable=True)
def subscriber_unsubscribe(*, subscriber: Subscriber) -> None:
    """Stop every mail at once, copies already queued included."""
    Subscriber.objects.filter(pk=subscriber.pk).exclude(status=SubscriberStatus.UNSUBSCRIBED).update(
        status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )
    Delivery.objects.filter(subscriber=subscriber, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SKIPPED, error="unsubscribed"
    )
    subscriber.refresh_from_db()


@transaction.atomic(durable=True)
def subscriber_preferences_set(
    *,
    subscriber: Subscriber,
    frequency: str,
    campaigns: list[Any] | None = None,
    departments: list[Department] | None = None,
    tags: list[Any] | None = None,
) -> Subscriber:
    """Save frequency and topics (no topics: everything)."""
    Subscriber.objects.filter(pk=subscriber.pk).update(frequency=frequency)
    subscriber.frequency = frequency
    subscriber.campaigns.set(campaigns or [])
    subscriber.departments.set(departments or [])
    subscriber.tags.set(tags or [])
    return subscriber


def subscriber_bounce_record(*, subscriber_id: int) -> bool:
    """Count a hard bounce; the BOUNCE_LIMIT-th in a row marks the
    subscriber bounced (no more mail). Returns True when that happened."""
    limit = int(_setting("NEWSLETTER_BOUNCE_LIMIT", BOUNCE_LIMIT))
    Subscriber.objects.filter(pk=subscriber_id).update(hard_bounces=F("hard_bounces") + 1)
    return bool(
        Subscriber.objects.filter(pk=subscriber_id, status=SubscriberStatus.ACTIVE, hard_bounces__gte=limit).update(
            status=SubscriberStatus.BOUNCED
        )
    )


# --- editor -------------------------------------------------------------------


@transaction.atomic(durable=True)
def editor_note_save(*, frequency: str, body: str, author: User) -> EditorNote | None:
    """Write (or clear, with an empty body) the note for the next digest."""
    note = EditorNote.objects.select_for_update().filter(frequency=frequency, digest__isnull=True).first()
    if not body.strip():
        if note is not None:
            note.delete()
        return None
    if note is None:
        return EditorNote.objects.create(frequency=frequency, body=body, author=author)
    note.body, note.author, note.updated_at = body, author, timezone.now()
    note.save(update_fields=["body", "author", "updated_at"])
    return note


def editor_note_open(*, frequency: str) -> EditorNote | None:
    return EditorNote.objects.filter(frequency=frequency, digest__isnull=True).first()


def digest_draft(*, frequency: str, now: datetime | None = None) -> Digest:
    """The next digest of ``frequency`` as it stands now (not saved): the
    period still running, with the note waiting for it."""
    period = period_at(frequency, now or timezone.now())
    note = editor_note_open(frequency=frequency)
    return Digest(
        frequency=frequency,
        period_start=period.start,
        period_end=period.end,
        content=sections.sections_collect(period),
        editor_note=note.body if note else "",
    )


def subscriber_topics(subscriber: Subscriber) -> mail.Topics:
    return _topics_for([subscriber.pk])[subscriber.pk]


def digest_for_subscriber(digest: Digest, subscriber: Subscriber) -> list[tuple[str, list[dict[str, Any]]]]:
    followed: set[int] = set()
    if subscriber.user_id:
        ids = [item["id"] for item in digest.content.get("moved", [])]
        followed = sections.followed_idea_ids(user_ids=[subscriber.user_id], idea_ids=ids)[subscriber.user_id]
    return mail.digest_personalise(digest, topics=subscriber_topics(subscriber), followed=followed)


def digest_test_send(*, digest: Digest, subscriber: Subscriber, editor: User) -> None:
    """Mail the editor the digest exactly as ``subscriber`` would get it."""
    personal = digest_for_subscriber(digest, subscriber)
    mail.digest_message(digest, subscriber=subscriber, personal=personal, to=editor.email, test_copy=True).send()


# --- building -----------------------------------------------------------------


@transaction.atomic(durable=True)
def digest_build(*, frequency: str, period: Period) -> Digest:
    """The digest of ``period``, built the first time and returned as is
    after that. Concurrent builders meet at the unique constraint: one
    inserts, the others read its row."""
    existing = Digest.objects.filter(frequency=frequency, period_start=period.start).first()
    if existing is not None:
        return existing
    note = EditorNote.objects.select_for_update().filter(frequency=frequency, digest__isnull=True).first()
    content = sections.sections_collect(period)
    has_items = any(content.get(key) for key in (*sections.SECTION_KEYS, "moved"))
    try:
        with transaction.atomic():
            digest = Digest.objects.create(
                frequency=frequency,
                period_start=period.start,
                period_end=period.end,
                content=content,
                editor_note=note.body if note else "",
                is_empty=not has_items and note is None,
            )
    except IntegrityError:
        return Digest.objects.get(frequency=frequency, period_start=period.start)
    if note is not None:
        EditorNote.objects.filter(pk=note.pk, digest__isnull=True).update(digest=digest)
    return digest


@transaction.atomic(durable=True)
def digest_fan_out(*, digest: Digest) -> int:
    """Create one delivery per active subscriber of the digest's frequency,
    once: the guarded update of ``fanned_out_at`` lets exactly one run do it,
    and ON CONFLICT DO NOTHING keeps the rows unique whatever happens.
    Returns the number of deliveries created (0 for the losing run)."""
    now = timezone.now()
    if not Digest.objects.filter(pk=digest.pk, fanned_out_at__isnull=True).update(fanned_out_at=now):
        return 0
    digest.fanned_out_at = now
    if digest.is_empty and not send_empty():
        Digest.objects.filter(pk=digest.pk).update(completed_at=now)
        digest.completed_at = now
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Delivery._meta.db_table} (digest_id, subscriber_id, status, attempts, claim, error)
            SELECT %s, id, %s, 0, '', '' FROM {Subscriber._meta.db_table}
            WHERE frequency = %s AND status = %s
            ON CONFLICT (digest_id, subscriber_id) DO NOTHING
            """,  # noqa: S608 - table names come from our own models, values are parameters
            [digest.pk, DeliveryStatus.PENDING, digest.frequency, SubscriberStatus.ACTIVE],
        )
        created = cursor.rowcount
    from newsletter.tasks import deliveries_send_task

    pk = digest.pk
    enqueue_on_commit(lambda: deliveries_dispatch(digest_id=pk, send=deliveries_send_task.delay))
    return created


def deliveries_dispatch(*, digest_id: int, send: Any) -> int:
    """Start enough sending tasks for what is left of a digest."""
    left = Delivery.objects.filter(
        digest_id=digest_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).count()
    tasks = min(PARALLEL_TASKS, -(-left // batch_size()))
    for _ in range(tasks):
        send(digest_id)
    return tasks


def periods_due(*, frequency: str, now: datetime) -> list[Period]:
    """Finished periods without a digest, oldest first: the last one, plus
    up to CATCH_UP_PERIODS missed while beat was stopped."""
    period = last_complete_period(frequency, now)
    latest = Digest.objects.filter(frequency=frequency).order_by("-period_start").first()
    due = [period]
    while latest is not None and len(due) < CATCH_UP_PERIODS:
        earlier = due[0].previous()
        if earlier.start <= latest.period_start:
            break
        due.insert(0, earlier)
    return [p for p in due if latest is None or p.start > latest.period_start]


def digest_run(*, frequency: str, now: datetime | None = None) -> list[Digest]:
    """What beat starts for each frequency: build every due digest and fan
    it out. Safe to run at any time, late, twice or concurrently."""
    now = now or timezone.now()
    digests = []
    for period in periods_due(frequency=frequency, now=now):
        digest = digest_build(frequency=frequency, period=period)
        digest_fan_out(digest=digest)
        digests.append(digest)
    return digests


# --- sending ------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry: int = 0  # copies given back for a later attempt

    def add(self, other: SendResult) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.retry += other.retry


def _claim(*, digest_id: int, size: int, now: datetime) -> tuple[str, list[int]]:
    """Claim up to ``size`` copies: pending ones and those whose claim went
    stale. Rows another worker holds locked are skipped, not waited for."""
    claim = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(digest_id=digest_id)
            .filter(
                Q(status=DeliveryStatus.PENDING, retry_at__isnull=True)
                | Q(status=DeliveryStatus.PENDING, retry_at__lte=now)
                | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_timeout())
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(status=DeliveryStatus.SENDING, claimed_at=now, claim=claim)
    return claim, ids


def _topics_for(subscriber_ids: list[int]) -> dict[int, mail.Topics]:
    """Topics of many subscribers in three queries (their link tables)."""
    topics: dict[int, mail.Topics] = defaultdict(mail.Topics)
    for relation, attr, column in (
        (Subscriber.campaigns.through, "campaigns", "campaign_id"),
        (Subscriber.departments.through, "departments", "department_id"),
        (Subscriber.tags.through, "tags", "tag_id"),
    ):
        for subscriber_id, value in relation.objects.filter(subscriber_id__in=subscriber_ids).values_list(
            "subscriber_id", column
        ):
            getattr(topics[subscriber_id], attr).add(value)
    return topics


def _mine(delivery: Delivery, claim: str, status: str = DeliveryStatus.SENDING) -> Any:
    return Delivery.objects.filter(pk=delivery.pk, status=status, claim=claim)


def retry_delay(attempts: int) -> timedelta:
    """Backoff for a copy the server refused for now: 1, 2, 4, 8 minutes..."""
    return min(timedelta(hours=1), timedelta(minutes=2 ** max(0, attempts - 1)))


def _give_back(
    delivery: Delivery,
    claim: str,
    error: str,
    *,
    status: str = DeliveryStatus.SENDING,
    backoff: bool = True,
    now: datetime | None = None,
) -> str:
    """A temporary failure: pending again (after a backoff for this copy;
    a lost connection is retried by the task's own backoff instead), or
    failed after MAX_ATTEMPTS."""
    final = delivery.attempts + 1 >= MAX_ATTEMPTS
    _mine(delivery, claim, status).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        attempts=F("attempts") + 1,
        error=error[:500],
        claim="",
        retry_at=(now or timezone.now()) + retry_delay(delivery.attempts + 1) if backoff else None,
    )
    return DeliveryStatus.FAILED if final else DeliveryStatus.PENDING


def _fail(delivery: Delivery, claim: str, error: str, *, status: str = DeliveryStatus.SENDING) -> None:
    _mine(delivery, claim, status).update(
        status=DeliveryStatus.FAILED, attempts=F("attempts") + 1, error=error[:500], claim=""
    )


def _is_permanent(code: int | None) -> bool:
    return code is not None and 500 <= code < 600


def _deliver_one(transport: mail.Transport, delivery: Delivery, message: Any, claim: str) -> bool:
    """Send one copy and mark it sent, so that it is never sent twice.

    The guarded update runs first, in a transaction that also holds the row
    lock; the server gets the end of the message just before that
    transaction commits. A claim taken over by another worker updates
    nothing, so this worker sends nothing. Returns False in that case.
    """
    with transaction.atomic():
        if not _mine(delivery, claim).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), error=""):
            return False
        transport.prepare(message)
        transport.finish()
    try:
        transport.confirm()
    except smtplib.SMTPResponseException:
        # The server refused the finished message: it was not delivered.
        raise
    except (smtplib.SMTPServerDisconnected, OSError) as exc:
        # The end of the message reached the server but its answer did not
        # reach us: it may be delivered. Sending again could make two
        # copies, so the copy stays "sent" (at most once) and says why.
        _mine(delivery, claim, DeliveryStatus.SENT).update(error=f"unconfirmed: {exc}"[:500])
        raise
    return True


def _send_batch(*, digest: Digest, ids: list[int], claim: str, now: datetime) -> SendResult:
    result = SendResult()
    deliveries = list(
        Delivery.objects.filter(pk__in=ids, claim=claim, status=DeliveryStatus.SENDING)
        .select_related("subscriber", "subscriber__user")
        .order_by("pk")
    )
    subscriber_ids = [d.subscriber_id for d in deliveries]
    topics = _topics_for(subscriber_ids)
    moved_ids = [item["id"] for item in digest.content.get("moved", [])]
    followed = sections.followed_idea_ids(
        user_ids=[d.subscriber.user_id for d in deliveries if d.subscriber.user_id], idea_ids=moved_ids
    )
    todo = []
    for delivery in deliveries:
        subscriber = delivery.subscriber
        personal = mail.digest_personalise(
            digest,
            topics=topics[subscriber.pk],
            followed=followed.get(subscriber.user_id, set()) if subscriber.user_id else (),
        )
        if subscriber.status != SubscriberStatus.ACTIVE or (
            not personal and not digest.editor_note and not send_empty()
        ):
            reason = "not active" if subscriber.status != SubscriberStatus.ACTIVE else "nothing for this subscriber"
            _mine(delivery, claim).update(status=DeliveryStatus.SKIPPED, error=reason, claim="")
            result.skipped += 1
            continue
        todo.append((delivery, personal))
    if not todo:
        return result
    index = 0
    try:
        with mail.Transport(get_connection()) as transport:
            for index, (delivery, personal) in enumerate(todo):  # noqa: B007 - index is read after a failure
                message = mail.digest_message(digest, subscriber=delivery.subscriber, personal=personal)
                try:
                    if _deliver_one(transport, delivery, message, claim):
                        result.sent += 1
                except smtplib.SMTPRecipientsRefused as exc:
                    code = next(iter(exc.recipients.values()))[0] if exc.recipients else None
                    if _is_permanent(code):
                        _fail(delivery, claim, f"refused: {exc.recipients}")
                        subscriber_bounce_record(subscriber_id=delivery.subscriber_id)
                        result.failed += 1
                    elif _give_back(delivery, claim, f"refused: {exc.recipients}", now=now) == DeliveryStatus.FAILED:
                        result.failed += 1
                    else:
                        result.retry += 1
                except smtplib.SMTPResponseException as exc:
                    # Sender refused or message refused after DATA: the row
                    # may already say "sent" (refused after the dot).
                    held = DeliveryStatus.SENDING
                    if _mine(delivery, claim, DeliveryStatus.SENT).exists():
                        held = DeliveryStatus.SENT
                    error = f"{exc.smtp_code} {exc.smtp_error!r}"
                    if _is_permanent(exc.smtp_code):
                        _fail(delivery, claim, error, status=held)
                        result.failed += 1
                    elif _give_back(delivery, claim, error, now=now, status=held) == DeliveryStatus.FAILED:
                        result.failed += 1
                    else:
                        result.retry += 1
    except (smtplib.SMTPException, OSError) as exc:
        # The connection is gone: what this batch has not sent goes back to
        # the queue (counting an attempt) and the task retries with backoff.
        logger.warning("Mail server failed during digest %s: %s", digest.pk, exc)
        for delivery, _personal in todo[index:]:
            if _mine(delivery, claim).exists():
                _give_back(delivery, claim, f"connection: {exc}", backoff=False)
                result.retry += 1
        raise
    return result


def digest_complete_if_done(*, digest_id: int) -> bool:
    left = Delivery.objects.filter(
        digest_id=digest_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
    ).exists()
    if left:
        return False
    return bool(
        Digest.objects.filter(pk=digest_id, completed_at__isnull=True, fanned_out_at__isnull=False).update(
            completed_at=timezone.now()
        )
    )


def deliveries_send(
    *, digest_id: int, batches: int = BATCHES_PER_TASK, size: int | None = None, now: datetime | None = None
) -> SendResult:
    """Send up to ``batches`` batches of a digest's pending copies.

    Safe to run any number of times concurrently: every copy is claimed by
    one worker (SKIP LOCKED), marked sent by a guarded update tied to that
    claim, and a claim left by a dead worker is taken over after the claim
    timeout. A broken mail connection gives the batch's unsent copies back
    and raises, for the task to retry with backoff.
    """
    digest = Digest.objects.get(pk=digest_id)
    result = SendResult()
    for _ in range(batches):
        moment = now or timezone.now()
        claim, ids = _claim(digest_id=digest_id, size=size or batch_size(), now=moment)
        if not ids:
            break
        result.add(_send_batch(digest=digest, ids=ids, claim=claim, now=moment))
    digest_complete_if_done(digest_id=digest_id)
    return result


def deliveries_pending_exist(*, digest_id: int) -> bool:
    return Delivery.objects.filter(digest_id=digest_id, status=DeliveryStatus.PENDING).exists()


def deliveries_sweep(*, send: Any, now: datetime | None = None) -> int:
    """Restart sending for digests with copies left: pending ones (a task
    lost) and stale claims (a worker killed). Returns tasks started."""
    now = now or timezone.now()
    started = 0
    unfinished = Digest.objects.filter(fanned_out_at__isnull=False, completed_at__isnull=True)
    for digest_id in unfinished.values_list("pk", flat=True):
        left = Delivery.objects.filter(digest_id=digest_id).filter(
            Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - claim_timeout())
        )
        if left.exists():
            started += deliveries_dispatch(digest_id=digest_id, send=send)
        else:
            digest_complete_if_done(digest_id=digest_id)
    return started


# --- reading ------------------------------------------------------------------


def digest_progress(*, digest: Digest) -> dict[str, int]:
    """Copies by status, and the share finished, for the progress bar."""
    counts = dict(
        Delivery.objects.filter(digest=digest).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    totals = {status.value: counts.get(status.value, 0) for status in DeliveryStatus}
    totals["total"] = sum(counts.values())
    totals["pending_all"] = totals[DeliveryStatus.PENDING] + totals[DeliveryStatus.SENDING]
    totals["done"] = totals["total"] - totals["pending_all"]
    totals["percent"] = round(100 * totals["done"] / totals["total"]) if totals["total"] else 100
    return totals
