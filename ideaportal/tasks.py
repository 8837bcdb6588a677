"""Celery tasks of the project package: thin shells around services."""

from __future__ import annotations

from celery import shared_task

from ideaportal import services


@shared_task(name="ideaportal.task_runs_purge")
def task_runs_purge_task() -> int:
    """Beat, hourly: forget the run-once records of old delayed tasks."""
    return services.task_runs_purge()
