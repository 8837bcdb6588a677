"""Signed tokens for the links in newsletter mail.

A token is ``<subscriber id>:<signature>`` (plus a timestamp for confirmation
links). The salt contains the purpose *and the subscriber's address*, so a
token verifies only for the address it was made for: it cannot be guessed,
turned into another purpose, or reused for another subscriber, and it stops
working if the address changes. Unsubscribe links never expire (RFC 8058
expects an old mail's link to keep working); confirmation links do.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from newsletter.models import Subscriber

CONFIRM = "confirm"
MANAGE = "manage"
CONFIRM_MAX_AGE = timedelta(days=7)


def _signer(purpose: str, email: str) -> signing.Signer:
    salt = f"newsletter.{purpose}.{email.strip().lower()}"
    if purpose == CONFIRM:
        return signing.TimestampSigner(salt=salt)
    return signing.Signer(salt=salt)


def token_make(*, subscriber: Subscriber, purpose: str) -> str:
    return _signer(purpose, subscriber.email).sign(str(subscriber.pk))


def token_subscriber(*, token: str, purpose: str) -> Subscriber | None:
    """The subscriber the token was made for, or None for any bad token."""
    pk, _sep, _rest = (token or "").partition(":")
    if not pk.isdigit():
        return None
    subscriber = Subscriber.objects.filter(pk=int(pk)).first()
    if subscriber is None:
        return None
    signer = _signer(purpose, subscriber.email)
    try:
        if isinstance(signer, signing.TimestampSigner):
            value = signer.unsign(token, max_age=CONFIRM_MAX_AGE)
        else:
            value = signer.unsign(token)
    except signing.BadSignature:
        return None
    return subscriber if value == pk else None
