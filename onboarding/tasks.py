"""Celery tasks of the onboarding app: thin shells around services, safe to
run twice (the services skip finished work)."""

from __future__ import annotations

from celery import shared_task

from onboarding.services import schedule


@shared_task(name="onboarding.reminders_send")
def reminders_send_task() -> int:
    """Beat, hourly: reminders before, on and (weekly) after due dates; each
    reminder reaches a person once however often this runs."""
    return schedule.reminders_send()


@shared_task(name="onboarding.recertifications_assign")
def recertifications_assign_task() -> int:
    """Beat, hourly: assign re-certification of modules about to lapse, once
    per completion."""
    return schedule.recertifications_assign()
