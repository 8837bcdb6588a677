"""The project's Celery app as a worker of the fault tests runs it, plus one
probe task, started as ``celery -A tests.ideaportal.probe_worker worker``.

The app, its task class and every setting are the product's; only the Redis
transport is made to give unacknowledged messages back within seconds
instead of hours (``TEST_VISIBILITY_TIMEOUT``), so a test can wait out the
visibility timeout. The settings refuse a visibility timeout that short on
purpose; this module is not reachable from the product.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from ideaportal.celery import app

app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "visibility_timeout": float(os.environ["TEST_VISIBILITY_TIMEOUT"]),
    # Look for overdue messages every second rather than every 100 s.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}


@app.task(name="tests.probe_run")
def probe_run(path: str, crash_once: bool = False) -> None:
    """Record a run in ``path``; with ``crash_once``, the first run dies like
    a worker process the kernel kills (no exception, no clean-up)."""
    log = Path(path)
    with log.open("a") as out:
        out.write(f"start {os.getpid()}\n")
    marker = log.with_suffix(".crashed")
    if crash_once and not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    with log.open("a") as out:
        out.write(f"done {os.getpid()}\n")
