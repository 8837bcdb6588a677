"""Rendering digests and confirmation mails, and the one-copy SMTP transport.

``digest_personalise`` turns a digest's shared content into what one
subscriber gets (their topics, the ideas they follow that moved);
``digest_message`` renders it as a multipart mail with RFC 8058 one-click
unsubscribe headers. The same context renders the archive and the preview
page, so an editor sees what a subscriber gets.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsletter import sections, tokens
from newsletter.models import Digest, Frequency, Subscriber

SECTION_TITLES = {
    "top_new": gettext_lazy("Most supported new ideas"),
    "accepted": gettext_lazy("Ideas accepted"),
    "launched": gettext_lazy("Ideas launched"),
    "patented": gettext_lazy("Ideas patented"),
    "training": gettext_lazy("Training highlights"),
    "followed": gettext_lazy("Ideas you follow that moved"),
}


@dataclass
class Topics:
    campaigns: set[int] = field(default_factory=set)
    departments: set[int] = field(default_factory=set)
    tags: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.campaigns or self.departments or self.tags)

    def matches(self, item: dict[str, Any]) -> bool:
        """No topics means everything; otherwise any one topic in common."""
        if not self or item.get("everyone"):
            return True
        return (
            item.get("campaign") in self.campaigns
            or item.get("department") in self.departments
            or bool(self.tags.intersection(item.get("tags") or []))
        )


def period_label(digest: Digest) -> str:
    if digest.frequency == Frequency.DAILY:
        return formats.date_format(digest.period_start, "DATE_FORMAT")
    if digest.frequency == Frequency.MONTHLY:
        return formats.date_format(digest.period_start, "YEAR_MONTH_FORMAT")
    return _("week %(week)s of %(year)s (%(first)s to %(last)s)") % {
        "week": digest.period_start.isocalendar().week,
        "year": digest.period_start.isocalendar().year,
        "first": formats.date_format(digest.period_start, "DATE_FORMAT"),
        "last": formats.date_format(digest.last_day, "DATE_FORMAT"),
    }


def subject_for(digest: Digest) -> str:
    names = {
        Frequency.DAILY: _("Ideaportal daily digest: %(period)s"),
        Frequency.WEEKLY: _("Ideaportal weekly digest: %(period)s"),
        Frequency.MONTHLY: _("Ideaportal monthly digest: %(period)s"),
    }
    return names[Frequency(digest.frequency)] % {"period": period_label(digest)}


def digest_personalise(
    digest: Digest, *, topics: Topics | None = None, followed: Iterable[int] = ()
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The sections one subscriber gets, in order, empty ones left out."""
    topics = topics or Topics()
    content = digest.content or {}
    result = []
    for key in sections.SECTION_KEYS:
        items = [item for item in content.get(key, []) if topics.matches(item)]
        if items:
            result.append((key, items))
    followed = set(followed)
    moved = [item for item in content.get("moved", []) if item["id"] in followed]
    if moved:
        result.append(("followed", moved))
    return result


def _site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def unsubscribe_mailto() -> str:
    configured = getattr(settings, "NEWSLETTER_UNSUBSCRIBE_MAILTO", "")
    if configured:
        return configured
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    local, _at, domain = (address or "ideaportal@localhost").partition("@")
    return f"{local}+unsubscribe@{domain}"


def manage_links(subscriber: Subscriber | None) -> dict[str, str]:
    """Absolute links for the footer; a preview (no subscriber) gets the
    public subscribe page so nobody manages someone else's subscription."""
    archive = f"{settings.SITE_URL}{reverse('newsletter:archive')}"
    if subscriber is None or subscriber.pk is None:
        home = f"{settings.SITE_URL}{reverse('newsletter:subscribe')}"
        return {"preferences": home, "unsubscribe": home, "archive": archive, "token": ""}
    token = tokens.token_make(subscriber=subscriber, purpose=tokens.MANAGE)
    return {
        "preferences": f"{settings.SITE_URL}{reverse('newsletter:preferences', args=[token])}",
        "unsubscribe": f"{settings.SITE_URL}{reverse('newsletter:unsubscribe', args=[token])}",
        "archive": archive,
        "token": token,
    }


def digest_context(
    digest: Digest,
    *,
    subscriber: Subscriber | None,
    personal: list[tuple[str, list[dict[str, Any]]]],
    links: dict[str, str],
) -> dict[str, Any]:
    return {
        "digest": digest,
        "subscriber": subscriber,
        "name": subscriber.display_name if subscriber else "",
        "period": period_label(digest),
        "subject": subject_for(digest),
        "sections": [
            {
                "key": key,
                "title": SECTION_TITLES[key],
                "items": [{**item, "moved_to": sections.move_label(item) if "to" in item else ""} for item in items],
            }
            for key, items in personal
        ],
        "note": digest.editor_note,
        "links": links,
    }


def digest_message(
    digest: Digest,
    *,
    subscriber: Subscriber,
    personal: list[tuple[str, list[dict[str, Any]]]],
    to: str | None = None,
    test_copy: bool = False,
) -> EmailMultiAlternatives:
    """The mail for ``subscriber``; ``test_copy`` sends it to ``to`` (an
    editor) without the subscriber's own unsubscribe links and headers."""
    links = manage_links(None if test_copy else subscriber)
    with translation.override(subscriber.language or settings.LANGUAGE_CODE):
        context = digest_context(digest, subscriber=subscriber, personal=personal, links=links)
        text = render_to_string("newsletter/email/digest.txt", context)
        html = render_to_string("newsletter/email/digest.html", context)
        subject = context["subject"]
        if test_copy and to:
            subject = _("[Test copy] %(subject)s") % {"subject": subject}
    headers = {"Message-ID": f"<digest-{digest.pk}-{subscriber.pk}@{_site_domain()}>"}
    if not test_copy:
        headers["List-Unsubscribe"] = (
            f"<{links['unsubscribe']}>, <mailto:{unsubscribe_mailto()}?subject=unsubscribe%20{links['token']}>"
        )
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["List-Id"] = f"Ideaportal {digest.frequency} digest <{digest.frequency}.digest.{_site_domain()}>"
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to or subscriber.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    token = tokens.token_make(subscriber=subscriber, purpose=tokens.CONFIRM)
    context = {
        "subscriber": subscriber,
        "confirm_url": f"{settings.SITE_URL}{reverse('newsletter:confirm', args=[token])}",
        "days": tokens.CONFIRM_MAX_AGE.days,
    }
    with translation.override(subscriber.language or settings.LANGUAGE_CODE):
        subject = _("Confirm your Ideaportal newsletter subscription")
        text = render_to_string("newsletter/email/confirm.txt", context)
        html = render_to_string("newsletter/email/confirm.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[subscriber.email])
    message.attach_alternative(html, "text/html")
    return message


# --- the transport ------------------------------------------------------------

_EOL = re.compile(rb"(?:\r\n|\n|\r(?!\n))")
_LEADING_DOT = re.compile(rb"(?m)^\.")


class Transport:
    """Sends one message in two steps around the database commit.

    ``prepare`` does everything except the final step that makes the server
    accept the message; ``finish`` does that step; ``confirm`` waits for the
    server's answer. The caller commits "sent" between ``finish`` and
    ``confirm``. With SMTP, ``finish`` writes the end-of-data dot: a worker
    killed before it leaves no message (the server drops an unfinished DATA)
    and no "sent" row, one killed after it has both once the commit written
    a few microseconds later reaches the database. Other backends (files,
    memory, test doubles) send in ``finish``.
    """

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.smtp: smtplib.SMTP | None = None
        self._pending: EmailMultiAlternatives | None = None

    def __enter__(self) -> Transport:
        self.backend.open()
        if isinstance(self.backend, SMTPBackend):
            self.smtp = self.backend.connection
            sock = getattr(self.smtp, "sock", None)
            if sock is not None:
                # The end-of-data dot is a tiny write after the message: with
                # Nagle's algorithm it waits for the server's delayed ACK
                # (~40 ms a message). Measured in bench/newsletter_send.py.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    def __exit__(self, *exc: object) -> None:
        # A connection that is gone already has nothing left to flush.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.backend.close()

    def prepare(self, message: EmailMultiAlternatives) -> None:
        self._pending = message
        smtp = self.smtp
        if smtp is None:
            return
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code != 250:
            self._reset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            self._reset()
            raise smtplib.SMTPRecipientsRefused(refused)
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            self._reset()
            raise smtplib.SMTPDataError(code, reply)
        data = _LEADING_DOT.sub(b"..", _EOL.sub(b"\r\n", data))
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        smtp.send(data)

    def finish(self) -> None:
        if self.smtp is not None:
            self.smtp.send(b".\r\n")
            return
        assert self._pending is not None  # noqa: S101 - prepare() always comes first
        if not self.backend.send_messages([self._pending]):
            raise smtplib.SMTPException("the mail backend sent nothing")

    def confirm(self) -> None:
        self._pending = None
        if self.smtp is None:
            return
        code, reply = self.smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def _reset(self) -> None:
        assert self.smtp is not None  # noqa: S101
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            self.smtp.rset()
