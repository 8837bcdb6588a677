"""A tiny SMTP server on loopback that keeps what it receives.

Only the SMTP server is faked in the tests that use it (it stands for
someone else's mail server); the portal talks real SMTP to it through
Django's SMTP backend. ``refuse`` maps an address to a reply code for RCPT
(550 hard bounce, 451 try later); a connection dropped before the
end-of-data dot delivers nothing, as with a real server. ``delay`` is the
seconds the server takes to accept each message, to make a send last.
"""

from __future__ import annotations

import email
import socketserver
import threading
import time
from collections import Counter
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    server: SinkServer

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        sink = self.server.sink
        self.reply("220 sink ready")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("latin-1").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 ok")
            elif verb == "RCPT":
                address = command.split(":", 1)[1].strip().strip("<>").lower()
                code = sink.refuse.get(address)
                if code:
                    self.reply(f"{code} refused {address}")
                else:
                    recipients.append(address)
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if not chunk:
                        return  # cut off before the dot: nothing delivered
                    if chunk == b".\r\n":
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                if sink.delay:
                    time.sleep(sink.delay)
                sink.deliver(recipients, bytes(data))
                self.reply("250 queued")
            elif verb == "RSET":
                recipients = []
                self.reply("250 ok")
            elif verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class SinkServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, sink: SmtpSink) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sink = sink


class SmtpSink:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.refuse: dict[str, int] = {}
        self.messages: list[tuple[list[str], Message]] = []
        self._lock = threading.Lock()
        self.server = SinkServer(self)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def deliver(self, recipients: list[str], data: bytes) -> None:
        with self._lock:
            self.messages.append((recipients, email.message_from_bytes(data)))

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def copies_per_address(self) -> Counter[str]:
        with self._lock:
            return Counter(address for recipients, _message in self.messages for address in recipients)
