"""Mail backends standing in for someone else's SMTP server (the only thing
the delivery tests fake). They keep what they "deliver" in mail.outbox."""

from __future__ import annotations

import smtplib
import threading

from django.core.mail.backends.locmem import EmailBackend

_lock = threading.Lock()


class Crash(BaseException):
    """The worker process dying: nothing in the portal catches it."""


class ServerState:
    sends = 0
    fail_next = 0  # connection failures still to come
    crash_after: int | None = None  # die after this many copies
    refuse: dict[str, int] = {}

    @classmethod
    def reset(cls) -> None:
        cls.sends, cls.fail_next, cls.crash_after, cls.refuse = 0, 0, None, {}


class FlakyBackend(EmailBackend):
    def send_messages(self, messages):
        with _lock:
            if ServerState.crash_after is not None and ServerState.sends >= ServerState.crash_after:
                raise Crash
            if ServerState.fail_next:
                ServerState.fail_next -= 1
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            for message in messages:
                code = ServerState.refuse.get(message.to[0])
                if code:
                    raise smtplib.SMTPRecipientsRefused({message.to[0]: (code, b"refused")})
            ServerState.sends += len(messages)
        return super().send_messages(messages)
