"""Assigning training: to a person, a department, a role, every new member
of a department (onboarding plans), and HR's waivers and new due dates."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Department, User
from accounts.roles import Role
from notifications.kinds import kind_register
from notifications.services import notify
from onboarding.lifecycle import AssignmentStatus, TrainingError, transition_check
from onboarding.models import Assignment, AssignmentEvent, AssignmentSource, Module, OnboardingPlan

kind_register("onboarding.assigned", gettext_lazy("Training assigned to me"), email_default=True)
kind_register("onboarding.changed", gettext_lazy("Changes to my training (waived, new due date)"), email_default=True)

INSERT_BATCH_SIZE = 1000

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class AssignResult:
    """What an assign action did: rows it created, and how many people
    already had an open assignment for the module (left untouched)."""

    created: list[Assignment] = field(default_factory=list)
    already_assigned: int = 0

    @property
    def assigned(self) -> int:
        return len(self.created)


def _assignments_insert(
    *,
    module: Module,
    rows: Sequence[tuple[int, datetime.date, int | None]],
    source: str,
    actor: User | None,
) -> AssignResult:
    """Insert one open assignment per (user id, due date, previous id).

    The partial unique constraint decides, not a Python check: a person who
    already has an open assignment for the module (even one inserted by a
    concurrent request a moment ago) is skipped by ON CONFLICT DO NOTHING.
    The rows this call created are found again by their shared batch id.
    """
    batch = uuid.uuid4()
    now = timezone.now()
    for chunk in chunked(rows, INSERT_BATCH_SIZE):
        Assignment.objects.bulk_create(
            [
                Assignment(
                    module=module,
                    user_id=user_id,
                    due_on=due_on,
                    previous_id=previous_id,
                    source=source,
                    batch=batch,
                    assigned_by=actor,
                    assigned_at=now,
                )
                for user_id, due_on, previous_id in chunk
            ],
            ignore_conflicts=True,
        )
    created = list(Assignment.objects.filter(batch=batch).select_related("user").order_by("id"))
    AssignmentEvent.objects.bulk_create(
        [
            AssignmentEvent(
                assignment=a,
                kind=AssignmentEvent.Kind.ASSIGNED,
                actor=actor,
                at=now,
                to_status=AssignmentStatus.ASSIGNED,
                to_due_on=a.due_on,
            )
            for a in created
        ],
        batch_size=INSERT_BATCH_SIZE,
    )
    by_due: dict[datetime.date, list[User]] = {}
    for a in created:
        by_due.setdefault(a.due_on, []).append(a.user)
    for due_on, people in by_due.items():
        notify(
            recipients=people,
            kind="onboarding.assigned",
            title=partial(_assigned_title, module.title, due_on),
            body=module.summary,
            url=reverse("onboarding:my-training"),
            exclude=[actor] if actor else [],
        )
    return AssignResult(created=created, already_assigned=len(rows) - len(created))


def _assigned_title(title: str, due_on: datetime.date) -> str:
    return _("New training for you: %(title)s, due %(due)s") % {"title": title, "due": date_format(due_on)}


def assignment_targets(
    *, user: User | None = None, department: Department | None = None, role: str | None = None
) -> tuple[QuerySet[User], str]:
    """The active people an assignment goes to, and the source to record."""
    given = [t for t in (user, department, role) if t]
    if len(given) != 1:
        raise TrainingError(
            _("Assign to exactly one of: a person, a department or a role."), code="invalid", status=400
        )
    people = User.objects.filter(is_active=True)
    if user is not None:
        return people.filter(pk=user.pk), AssignmentSource.PERSON
    if department is not None:
        return people.filter(department=department), AssignmentSource.DEPARTMENT
    if role not in Role.values:
        raise TrainingError(_("Unknown role."), code="invalid", status=400, field="role")
    return people.filter(groups__name=role).distinct(), AssignmentSource.ROLE


@transaction.atomic(durable=True)
def assignments_create(
    *,
    module: Module,
    actor: User | None,
    due_on: datetime.date,
    user: User | None = None,
    department: Department | None = None,
    role: str | None = None,
) -> AssignResult:
    """HR assigns a published module to a person, a department or a role.

    Whoever already has an open assignment for the module is left as is and
    counted in ``already_assigned``; everyone else is notified.
    """
    if not module.is_published:
        raise TrainingError(_("Publish the module before assigning it."), code="module_not_published")
    if due_on < timezone.localdate():
        raise TrainingError(_("The due date is in the past."), code="invalid", status=400, field="due_on")
    people, source = assignment_targets(user=user, department=department, role=role)
    rows = [(pk, due_on, None) for pk in people.order_by("pk").values_list("pk", flat=True)]
    return _assignments_insert(module=module, rows=rows, source=source, actor=actor)


@transaction.atomic(durable=True)
def plan_create(*, department: Department, module: Module, due_in_days: int, actor: User | None) -> OnboardingPlan:
    """Every person who joins ``department`` from now on gets ``module``,
    due ``due_in_days`` after joining. Creating an existing plan updates it."""
    if not module.is_published:
        raise TrainingError(_("Publish the module before adding it to a plan."), code="module_not_published")
    plan, _created = OnboardingPlan.objects.update_or_create(
        department=department,
        module=module,
        defaults={"due_in_days": due_in_days, "is_active": True, "created_by": actor},
    )
    return plan


def plans_apply_for_member(*, user: User) -> int:
    """Give a person who just joined a department its onboarding plan.

    Not durable on purpose: it runs inside whatever saved the person (the
    account creation service, the admin), so the person and their training
    commit together. Returns how many assignments were created.
    """
    if not user.department_id or not user.is_active:
        return 0
    today = timezone.localdate()
    created = 0
    plans = OnboardingPlan.objects.filter(
        department_id=user.department_id, is_active=True, module__status="published"
    ).select_related("module")
    for plan in plans:
        due_on = today + datetime.timedelta(days=plan.due_in_days)
        result = _assignments_insert(
            module=plan.module, rows=[(user.pk, due_on, None)], source=AssignmentSource.PLAN, actor=None
        )
        created += result.assigned
    return created


def _locked(assignment: Assignment) -> Assignment:
    return Assignment.objects.select_for_update().select_related("module", "user").get(pk=assignment.pk)


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TrainingError(
            _("Give a reason; it is kept with the assignment."), code="invalid", status=400, field="reason"
        )
    return reason


@transaction.atomic(durable=True)
def assignment_waive(*, assignment: Assignment, actor: User | None, reason: str) -> Assignment:
    """HR excuses a person from an open assignment, with a recorded reason."""
    reason = _reason_required(reason)
    locked = _locked(assignment)
    transition_check(current=locked.status, target=AssignmentStatus.WAIVED)
    now = timezone.now()
    Assignment.objects.filter(pk=locked.pk, status=locked.status).update(status=AssignmentStatus.WAIVED, waived_at=now)
    AssignmentEvent.objects.create(
        assignment=locked,
        kind=AssignmentEvent.Kind.WAIVED,
        actor=actor,
        at=now,
        from_status=locked.status,
        to_status=AssignmentStatus.WAIVED,
        reason=reason,
    )
    title = locked.module.title
    notify(
        recipients=[locked.user],
        kind="onboarding.changed",
        title=lambda: _("You no longer need to take “%(title)s”") % {"title": title},
        body=reason,
        url=reverse("onboarding:my-training"),
        exclude=[actor] if actor else [],
    )
    locked.refresh_from_db()
    return locked


@transaction.atomic(durable=True)
def assignment_due_move(
    *, assignment: Assignment, actor: User | None, due_on: datetime.date, reason: str
) -> Assignment:
    """HR moves the due date of an open assignment, with a recorded reason."""
    reason = _reason_required(reason)
    if due_on < timezone.localdate():
        raise TrainingError(_("The due date is in the past."), code="invalid", status=400, field="due_on")
    locked = _locked(assignment)
    if not locked.is_open:
        raise TrainingError(
            _("Only an open assignment has a due date to move; this one is %(status)s.")
            % {"status": locked.get_status_display()},
            code="assignment_closed",
        )
    old = locked.due_on
    Assignment.objects.filter(pk=locked.pk).update(due_on=due_on)
    AssignmentEvent.objects.create(
        assignment=locked,
        kind=AssignmentEvent.Kind.DUE_MOVED,
        actor=actor,
        from_due_on=old,
        to_due_on=due_on,
        reason=reason,
    )
    title = locked.module.title
    notify(
        recipients=[locked.user],
        kind="onboarding.changed",
        title=lambda: _("“%(title)s” is now due %(due)s") % {"title": title, "due": date_format(due_on)},
        body=reason,
        url=reverse("onboarding:assignment", args=[locked.pk]),
        exclude=[actor] if actor else [],
    )
    locked.refresh_from_db()
    return locked
