"""The run-once ledger of delayed Celery tasks (``ideaportal.models.TaskRun``).

Each function is one statement in autocommit: they run in a worker around
a task, never inside another transaction, and each must be visible to other
workers the moment it returns.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import Q
from django.db.models.functions import Now

from ideaportal.models import TaskRun

# How long a finished delivery is remembered. A copy can only come back
# while one sits on the broker, which is minutes once a worker is up; a
# week covers workers that were down for days.
TASK_RUN_RETENTION = timedelta(days=7)


def task_run_claim(*, task_id: str, retries: int, task_name: str, expiry: timedelta) -> str | None:
    """Claim this delivery for one execution; returns its owner token, or
    None when another execution finished it or holds a claim younger than
    ``expiry``. A claim older than that is an execution that died (the hard
    time limit stops a live one sooner), so it is taken over.

    INSERT ... ON CONFLICT DO NOTHING makes the row exist exactly once; the
    guarded UPDATE gives it to exactly one execution (a second one waits on
    the row lock, then finds the claim taken). Times are the database's, so
    workers' clocks do not matter.
    """
    TaskRun.objects.bulk_create(
        [TaskRun(task_id=task_id, retries=retries, task_name=task_name[:255])], ignore_conflicts=True
    )
    owner = uuid.uuid4().hex
    taken = (
        TaskRun.objects.filter(task_id=task_id, retries=retries, finished_at__isnull=True)
        .filter(Q(owner="") | Q(claimed_at__lt=Now() - expiry))
        .update(owner=owner, claimed_at=Now())
    )
    return owner if taken else None


def task_run_finish(*, task_id: str, retries: int, owner: str) -> bool:
    """Mark the delivery done (whatever its outcome: a retry is a new
    delivery, a failure is not run again by a copy)."""
    return bool(
        TaskRun.objects.filter(task_id=task_id, retries=retries, owner=owner, finished_at__isnull=True).update(
            finished_at=Now()
        )
    )


def task_run_finished(*, task_id: str, retries: int) -> bool:
    return TaskRun.objects.filter(task_id=task_id, retries=retries, finished_at__isnull=False).exists()


def task_runs_purge() -> int:
    """Forget deliveries older than TASK_RUN_RETENTION; returns how many."""
    deleted, _details = TaskRun.objects.filter(created_at__lt=Now() - TASK_RUN_RETENTION).delete()
    return deleted
