"""Writes that concern people: creating accounts, sign-in throttling, mail."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Department, LoginFailureCounter, User
from accounts.roles import Role


def _window_start(now: datetime) -> datetime:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    epoch = math.floor(now.timestamp() / window) * window
    return datetime.fromtimestamp(epoch, tz=UTC)


def _counter_bump(key: str, window_start: datetime) -> int:
    """Atomically add one to a counter and return the new value.

    One INSERT .. ON CONFLICT .. RETURNING statement (PostgreSQL and SQLite
    3.35+), so concurrent callers each see a distinct, increasing count.
    """
    table = LoginFailureCounter._meta.db_table
    sql = (
        f"INSERT INTO {table} (key, window_start, count) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
        f"ON CONFLICT (key, window_start) DO UPDATE SET count = {table}.count + 1 RETURNING count"
    )
    params = [key, connection.ops.adapt_datetimefield_value(window_start)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0])


def _account_key(email: str) -> str:
    return f"account:{email.strip().lower()}"


def _address_key(address: str) -> str:
    return f"address:{address}"


def login_attempt_reserve(*, email: str, address: str | None, now: datetime | None = None) -> int | None:
    """Count one sign-in attempt for the account and the client address.

    Called before the password is checked. Returns ``None`` when the attempt
    may go ahead, or the number of seconds until the window resets when the
    account or the address has used up its attempts.
    """
    now = now or timezone.now()
    start = _window_start(now)
    limits = [(_account_key(email), settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT)]
    if address:
        limits.append((_address_key(address), settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS))
    over = False
    for key, limit in limits:
        # Autocommit: each bump is its own statement, visible to every other
        # process at once, whatever transaction the caller is in.
        if _counter_bump(key, start) > limit:
            over = True
    if not over:
        return None
    reset_at = start + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return max(1, math.ceil((reset_at - now).total_seconds()))


def login_failures_clear(*, email: str) -> None:
    """A successful sign-in (or a password reset) forgives the account's failures."""
    LoginFailureCounter.objects.filter(key=_account_key(email)).delete()


def login_counters_purge(*, now: datetime | None = None) -> int:
    """Delete counters of windows that have ended; returns how many."""
    now = now or timezone.now()
    cutoff = _window_start(now)
    deleted, _details = LoginFailureCounter.objects.filter(window_start__lt=cutoff).delete()
    return deleted


@transaction.atomic
def user_create(
    *,
    email: str,
    display_name: str,
    password: str | None,
    department: Department | None = None,
    job_title: str = "",
    roles: list[str] | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    preferred_language: str = "en",
) -> User:
    """Create a company account. Everybody is an employee; other roles are added."""
    user = User.objects.create_user(
        email=email,
        password=password,
        display_name=display_name,
        department=department,
        job_title=job_title,
        is_staff=is_staff,
        is_superuser=is_superuser,
        preferred_language=preferred_language,
    )
    user_roles_set(user=user, roles=roles or [])
    return user


def user_roles_set(*, user: User, roles: list[str]) -> None:
    """Give ``user`` exactly these roles (employee always included)."""
    valid = {role.value for role in Role}
    unknown = set(roles) - valid
    if unknown:
        raise ValueError(f"Unknown role(s): {', '.join(sorted(unknown))}. Known: {', '.join(sorted(valid))}.")
    wanted = set(roles) | {Role.EMPLOYEE.value}
    groups = list(Group.objects.filter(name__in=wanted))
    missing = wanted - {g.name for g in groups}
    if missing:
        raise RuntimeError(f"Role groups missing ({', '.join(sorted(missing))}): run migrate.")
    other_groups = user.groups.exclude(name__in=valid)
    user.groups.set([*groups, *other_groups])


def email_send(*, to: list[str], subject: str, text: str, html: str | None = None, **headers: Any) -> None:
    """Send one e-mail through the configured backend (SMTP or files)."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, headers=headers or None)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
