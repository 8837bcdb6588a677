"""What beat runs: reminders about due and overdue training, and
re-certification before a completed module lapses.

Both are safe to run any number of times a day. A reminder's dedupe key
names the assignment, the stage and the due date (and the week, while
overdue), so the notification facility turns a repeat into a no-op; moving
the due date starts the reminders afresh. A re-certification is one row
pointing at the completion it renews, unique, so it happens once.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.kinds import kind_register
from notifications.services import notify
from onboarding.lifecycle import OPEN_STATUSES, AssignmentStatus
from onboarding.models import Assignment, AssignmentSource, ModuleStatus
from onboarding.services.assignments import _assignments_insert

kind_register("onboarding.reminder", gettext_lazy("Reminders about training that is due or overdue"))

REMINDER_DAYS_BEFORE = 3
# Re-certification is assigned this long before the completion lapses.
RECERTIFY_LEAD_DAYS = 30
# Someone whose completion has already lapsed gets this long to renew it.
RECERTIFY_GRACE_DAYS = 14
BATCH_SIZE = 500


def reminder_stage(*, due_on: datetime.date, today: datetime.date) -> tuple[str, str] | None:
    """(stage, dedupe suffix) of the reminder due today, or None."""
    days = (due_on - today).days
    if 0 < days <= REMINDER_DAYS_BEFORE:
        return "soon", f"soon:{due_on.isoformat()}"
    if days == 0:
        return "today", f"today:{due_on.isoformat()}"
    if days < 0:
        week = (-days - 1) // 7
        return "overdue", f"overdue:{due_on.isoformat()}:{week}"
    return None


def _title(stage: str, title: str, due_on: datetime.date) -> str:
    values = {"title": title, "due": date_format(due_on)}
    if stage == "soon":
        return _("Reminder: “%(title)s” is due on %(due)s") % values
    if stage == "today":
        return _("“%(title)s” is due today") % values
    return _("Overdue: “%(title)s” was due on %(due)s") % values


def reminders_send(*, today: datetime.date | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Send today's reminders for open training: a few days before the due
    date, on the day, then weekly while overdue; in the app and by e-mail.
    Returns how many open assignments were looked at."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REMINDER_DAYS_BEFORE)
    base = (
        Assignment.objects.filter(status__in=OPEN_STATUSES, due_on__lte=horizon, user__is_active=True)
        .select_related("module", "user")
        .order_by("id")
    )
    last_id, looked_at = 0, 0
    while True:
        batch = list(base.filter(id__gt=last_id)[:batch_size])
        if not batch:
            return looked_at
        with transaction.atomic(durable=True):
            for assignment in batch:
                stage = reminder_stage(due_on=assignment.due_on, today=today)
                if stage is None:
                    continue
                name, suffix = stage
                title, due_on = assignment.module.title, assignment.due_on
                notify(
                    recipients=[assignment.user],
                    kind="onboarding.reminder",
                    title=partial(_title, name, title, due_on),
                    body=assignment.module.summary,
                    url=reverse("onboarding:assignment", args=[assignment.pk]),
                    dedupe_key=f"onboarding:reminder:{assignment.pk}:{suffix}",
                )
        looked_at += len(batch)
        last_id = batch[-1].pk


def recertifications_assign(*, today: datetime.date | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Assign again each completed module with a re-certification period,
    RECERTIFY_LEAD_DAYS before it lapses, once per completion. Returns how
    many assignments were created."""
    today = today or timezone.localdate()
    later_completion = Assignment.objects.filter(
        user_id=OuterRef("user_id"),
        module_id=OuterRef("module_id"),
        status=AssignmentStatus.COMPLETED,
        completed_at__gt=OuterRef("completed_at"),
    )
    open_one = Assignment.objects.filter(
        user_id=OuterRef("user_id"), module_id=OuterRef("module_id"), status__in=OPEN_STATUSES
    )
    renewal = Assignment.objects.filter(previous_id=OuterRef("pk"))
    due = (
        Assignment.objects.filter(
            status=AssignmentStatus.COMPLETED,
            expires_on__lte=today + datetime.timedelta(days=RECERTIFY_LEAD_DAYS),
            user__is_active=True,
            module__status=ModuleStatus.PUBLISHED,
        )
        .exclude(Exists(renewal))
        .exclude(Exists(later_completion))
        .exclude(Exists(open_one))
        .select_related("module")
        .order_by("id")
    )
    created, last_id = 0, 0
    while True:
        batch = list(due.filter(id__gt=last_id)[:batch_size])
        if not batch:
            return created
        by_module: dict[int, list[Assignment]] = {}
        for assignment in batch:
            by_module.setdefault(assignment.module_id, []).append(assignment)
        with transaction.atomic(durable=True):
            for items in by_module.values():
                rows = []
                for a in items:
                    assert a.expires_on is not None  # noqa: S101 - guaranteed by the filter above
                    due_on = max(a.expires_on, today + datetime.timedelta(days=RECERTIFY_GRACE_DAYS))
                    rows.append((a.user_id, due_on, a.pk))
                result = _assignments_insert(
                    module=items[0].module, rows=rows, source=AssignmentSource.RECERTIFICATION, actor=None
                )
                created += result.assigned
        last_id = batch[-1].pk
