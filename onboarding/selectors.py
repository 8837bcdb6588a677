"""Reads of the onboarding app, with the access rules applied here and
nowhere else: everybody reads published modules and their own training; HR
(and admins) read drafts and everybody's training.

Report figures are aggregated by the database in one query each, whatever
the number of people (see tests/onboarding/test_reports.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role
from onboarding.lifecycle import OPEN_STATUSES, AssignmentStatus
from onboarding.models import (
    Assignment,
    Choice,
    Lesson,
    LessonCompletion,
    Module,
    ModuleStatus,
    Question,
    QuizAttempt,
)


def is_hr(user: User | AnonymousUser) -> bool:
    return user_has_role(user=user, role=Role.HR)


def module_list(*, viewer: User) -> QuerySet[Module]:
    """Published modules for everybody; drafts too for HR."""
    qs = Module.objects.annotate(lesson_count=Count("lessons", filter=Q(lessons__is_active=True)))
    if not is_hr(viewer):
        qs = qs.filter(status=ModuleStatus.PUBLISHED)
    return qs.order_by("title")


def module_lessons(*, module: Module) -> list[Lesson]:
    return list(module.lessons.filter(is_active=True).order_by("position", "id"))


def module_questions(*, module: Module) -> list[Question]:
    """Active questions with their answers, in order. The answers carry
    ``is_correct``: callers showing a quiz must not render it (the learner
    serializers and templates never do)."""
    return list(
        module.questions.filter(is_active=True)
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("position", "id")))
        .order_by("position", "id")
    )


def _with_progress(qs: QuerySet[Assignment], today: datetime.date) -> QuerySet[Assignment]:
    lesson_total = (
        Lesson.objects.filter(module_id=OuterRef("module_id"), is_active=True)
        .values("module_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    lessons_done = (
        LessonCompletion.objects.filter(assignment_id=OuterRef("pk"), lesson__is_active=True)
        .values("assignment_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    attempts = (
        QuizAttempt.objects.filter(assignment_id=OuterRef("pk"))
        .values("assignment_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    overdue = Q(status__in=OPEN_STATUSES, due_on__lt=today)
    return qs.annotate(
        lesson_total=Coalesce(Subquery(lesson_total, output_field=IntegerField()), Value(0)),
        lessons_done=Coalesce(Subquery(lessons_done, output_field=IntegerField()), Value(0)),
        attempt_count=Coalesce(Subquery(attempts, output_field=IntegerField()), Value(0)),
        has_quiz=Exists(Question.objects.filter(module_id=OuterRef("module_id"), is_active=True)),
        sort_group=Case(
            When(overdue, then=Value(0)),
            When(status__in=OPEN_STATUSES, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    )


def assignment_list(
    *,
    viewer: User,
    mine: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Assignment]:
    """Assignments the viewer may see, with progress figures annotated:
    their own, or (HR, unless ``mine``) everybody's. Overdue first, then
    open by due date, then finished ones."""
    today = today or timezone.localdate()
    qs = Assignment.objects.select_related("module", "user", "user__department")
    if mine or not is_hr(viewer):
        qs = qs.filter(user=viewer)
    return _with_progress(qs, today).order_by("sort_group", "due_on", "id")


def assignment_get(*, viewer: User, pk: int) -> Assignment | None:
    return assignment_list(viewer=viewer).filter(pk=pk).first()


def assignment_completed_lesson_ids(*, assignment: Assignment) -> set[int]:
    return set(assignment.completions.values_list("lesson_id", flat=True))


def attempt_list(*, viewer: User, assignment: Assignment | None = None) -> QuerySet[QuizAttempt]:
    """Quiz attempts: the viewer's own, or everybody's for HR."""
    qs = QuizAttempt.objects.select_related("assignment")
    if not is_hr(viewer):
        qs = qs.filter(assignment__user=viewer)
    if assignment is not None:
        qs = qs.filter(assignment=assignment)
    return qs.order_by("assignment_id", "number")


def progress_percent(assignment: Assignment) -> int:
    """How far along an assignment is, from the annotations above."""
    if assignment.status == AssignmentStatus.COMPLETED:
        return 100
    total = getattr(assignment, "lesson_total", 0) + (1 if getattr(assignment, "has_quiz", False) else 0)
    done = getattr(assignment, "lessons_done", 0) + (1 if assignment.quiz_passed_at else 0)
    return round(100 * done / total) if total else 0


# --- Reports --------------------------------------------------------------


@dataclass
class ReportRow:
    key: Any
    label: str
    assigned: int
    completed: int
    overdue: int
    waived: int
    average_score: float | None

    @property
    def completion_rate(self) -> int | None:
        """Completed share of the assignments that count (waived ones do not)."""
        return round(100 * self.completed / self.assigned) if self.assigned else None


def _figures(today: datetime.date) -> dict[str, Any]:
    return {
        "n_assigned": Count("pk", filter=~Q(status=AssignmentStatus.WAIVED)),
        "n_completed": Count("pk", filter=Q(status=AssignmentStatus.COMPLETED)),
        "n_overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        "n_waived": Count("pk", filter=Q(status=AssignmentStatus.WAIVED)),
        "avg_score": Avg("best_score"),
    }


def _current_assignments() -> QuerySet[Assignment]:
    """Each person's latest assignment per chain: a completion that a
    re-certification has since replaced no longer counts, so renewing a
    module never lowers (or doubles) its figures."""
    # NOT EXISTS, not a LEFT JOIN ... IS NULL: PostgreSQL probes the small
    # partial index of renewals per row instead of sorting every row by id.
    return Assignment.objects.filter(~Exists(Assignment.objects.filter(previous=OuterRef("pk"))))


def report_by_module(*, today: datetime.date | None = None, department_id: int | None = None) -> list[ReportRow]:
    """Per module: assignments that count, completed, overdue, waived and the
    average best quiz score. One query."""
    today = today or timezone.localdate()
    qs = _current_assignments()
    if department_id:
        qs = qs.filter(user__department_id=department_id)
    rows = qs.values("module_id", "module__title").annotate(**_figures(today)).order_by("module__title")
    return [
        ReportRow(
            key=r["module_id"],
            label=r["module__title"],
            assigned=r["n_assigned"],
            completed=r["n_completed"],
            overdue=r["n_overdue"],
            waived=r["n_waived"],
            average_score=r["avg_score"],
        )
        for r in rows
    ]


def report_by_department(*, today: datetime.date | None = None, module_id: int | None = None) -> list[ReportRow]:
    """The same figures per department of the people assigned. One query."""
    today = today or timezone.localdate()
    qs = _current_assignments()
    if module_id:
        qs = qs.filter(module_id=module_id)
    rows = (
        qs.values("user__department_id", "user__department__name")
        .annotate(**_figures(today))
        .order_by("user__department__name")
    )
    return [
        ReportRow(
            key=r["user__department_id"],
            label=r["user__department__name"] or _("No department"),
            assigned=r["n_assigned"],
            completed=r["n_completed"],
            overdue=r["n_overdue"],
            waived=r["n_waived"],
            average_score=r["avg_score"],
        )
        for r in rows
    ]


def overdue_list(
    *, today: datetime.date | None = None, module_id: int | None = None, department_id: int | None = None
) -> QuerySet[Assignment]:
    """Open assignments past their due date, longest overdue first."""
    today = today or timezone.localdate()
    qs = Assignment.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).select_related(
        "user", "user__department", "module"
    )
    if module_id:
        qs = qs.filter(module_id=module_id)
    if department_id:
        qs = qs.filter(user__department_id=department_id)
    return qs.order_by("due_on", "user__display_name", "id")


def training_highlights(*, start: datetime.datetime, end: datetime.datetime) -> list[dict[str, Any]]:
    """Company-wide training news for a digest period ``[start, end)``:
    modules published in it and, per module, how many people completed it.
    Two queries, whatever the number of people."""
    published = dict(
        Module.objects.filter(published_at__gte=start, published_at__lt=end, status="published").values_list(
            "pk", "title"
        )
    )
    completions = dict(
        Assignment.objects.filter(status=AssignmentStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end)
        .values("module_id")
        .annotate(n=Count("pk"))
        .values_list("module_id", "n")
    )
    titles = dict(Module.objects.filter(pk__in=completions).values_list("pk", "title")) if completions else {}
    titles.update(published)
    items = [
        {"id": pk, "title": titles[pk], "new": pk in published, "completed": completions.get(pk, 0)} for pk in titles
    ]
    return sorted(items, key=lambda item: (-item["new"], -item["completed"], item["title"]))
