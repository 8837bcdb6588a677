"""The Celery application, configured once for the whole project.

Settings come from Django's (the ``CELERY_`` namespace): late acknowledgement,
one prefetched task per process, time limits. Retry defaults and the run-once
guard of delayed tasks live on ``BaseTask`` so every task gets the same
behaviour without repeating it. Tasks that must see committed data are
enqueued with ``enqueue_on_commit``, which a broker outage cannot turn into
a failed request.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import DatabaseError, InterfaceError, OperationalError, transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")

logger = logging.getLogger(__name__)

# Without any time limit, a claim on a delayed task is taken over after this.
UNLIMITED_CLAIM_EXPIRY = timedelta(hours=1)


class BaseTask(DjangoTask):
    """Project default: transient faults (database or broker blips, SMTP
    connection drops) are retried with exponential backoff and jitter, at
    most five times, before the task is given up and logged.

    A delivery with an ETA (a countdown or a retry) runs once: Redis hands a
    message that stayed unacknowledged past the visibility timeout to the
    queue again, and a worker holds a delayed task unacknowledged until its
    ETA, so every copy would run then. Before running, such a delivery
    claims its task id and retry number in PostgreSQL
    (``ideaportal.services.task_run_claim``). A copy that finds it finished
    does nothing; a copy that finds a live claim comes back once that claim
    would have expired, and runs only if the claim did expire, so a task
    whose worker died mid-run still runs (at least once, as before). Tasks
    without an ETA skip all of this: their copies come only from a dead
    worker, and ``CELERY_VISIBILITY_TIMEOUT`` is refused unless it exceeds
    the time limit.
    """

    autoretry_for = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        request = self.request
        if request.eta is None or request.is_eager or request.called_directly:
            return super().__call__(*args, **kwargs)
        return self._run_once(request, args, kwargs)

    def claim_expiry(self) -> timedelta:
        """How long a claim holds: past the hard time limit (when the pool
        kills a run that is still going) plus a margin for the kill."""
        hard = (self.request.timelimit or (None, None))[0] or self.time_limit or self.app.conf.task_time_limit
        if not hard:
            return UNLIMITED_CLAIM_EXPIRY
        return timedelta(seconds=hard + max(2, hard / 10))

    def _run_once(self, request: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        from ideaportal import services

        key = {"task_id": request.id, "retries": request.retries or 0}
        expiry = self.claim_expiry()
        try:
            owner = services.task_run_claim(**key, task_name=self.name, expiry=expiry)
        except (OperationalError, InterfaceError) as exc:
            # The database is down: the task would fail on it too.
            raise self.retry(exc=exc) from exc
        if owner is None:
            if services.task_run_finished(**key):
                logger.info("%s[%s] try %s already ran; this copy does nothing", self.name, request.id, key["retries"])
                return None
            # Another execution holds it: running, or its worker died. Come
            # back when its claim would have expired, same id and try.
            logger.info("%s[%s] try %s is claimed; checking again in %s", self.name, request.id, key["retries"], expiry)
            self.signature_from_request(request, args, kwargs, countdown=expiry.total_seconds()).apply_async()
            return None
        try:
            return super().__call__(*args, **kwargs)
        finally:
            try:
                services.task_run_finish(**key, owner=owner)
            except DatabaseError:
                # Left unfinished, a late copy runs it again after the claim
                # expires: at least once, as without the guard.
                logger.warning("Could not mark %s[%s] finished", self.name, request.id, exc_info=True)


def enqueue_on_commit(send: Callable[[], Any]) -> None:
    """Call ``send`` (a task's ``delay``) once the current transaction
    commits. If the broker is down then, the failure is logged and the
    request still succeeds: its data is committed, and the work it queued is
    found again from PostgreSQL (notification e-mails and digest copies stay
    pending until their beat sweeps send them). Without this, Django would
    raise after the commit and the person would see a 500 for a change that
    was saved."""

    def hand_over() -> None:
        try:
            send()
        except Exception:  # what the broker raises varies by transport; nothing here may fail the request
            logger.exception("Could not queue %r after commit; its sweep will pick the work up", send)

    # Not on_commit(robust=True): Django's own log line needs __qualname__,
    # which a functools.partial lacks.
    transaction.on_commit(hand_over)


app = Celery("ideaportal", task_cls=BaseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
