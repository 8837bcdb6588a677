"""Celery tasks of the ideas app: thin shells around services."""

from __future__ import annotations

from celery import shared_task

from ideas import services


@shared_task(name="ideas.triage_escalate")
def triage_escalate_task() -> int:
    """Beat, every 15 minutes: escalate each idea waiting over 24 hours for
    triage to the reviewers, once (safe to run twice or concurrently)."""
    return services.triage_escalate()


@shared_task(name="ideas.trending_refresh")
def trending_refresh_task() -> int:
    """Beat, every 10 minutes: age the stored trending scores (idempotent)."""
    return services.trending_refresh()
