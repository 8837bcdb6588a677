"""A learner's progress: lessons done in order, quiz attempts scored on the
server, and the assignment completing when nothing is left to do.

Every write locks the assignment row first, so two tabs (or a double click)
cannot number two attempts alike or complete an assignment twice.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from onboarding.lifecycle import AssignmentStatus, TrainingError, transition_check
from onboarding.models import (
    Assignment,
    AssignmentEvent,
    Lesson,
    LessonCompletion,
    Question,
    QuestionKind,
    QuizAttempt,
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _locked_for_learner(assignment_id: int, actor: User) -> Assignment:
    try:
        assignment = Assignment.objects.select_for_update().select_related("module").get(pk=assignment_id)
    except Assignment.DoesNotExist:
        raise TrainingError(_("No such assignment."), code="not_found", status=404) from None
    if assignment.user_id != actor.pk:
        # Indistinguishable from a missing one: nobody learns of others' training.
        raise TrainingError(_("No such assignment."), code="not_found", status=404)
    if not assignment.is_open:
        raise TrainingError(
            _("This training is %(status)s; there is nothing more to do.")
            % {"status": assignment.get_status_display()},
            code="assignment_closed",
        )
    return assignment


def _start(assignment: Assignment, actor: User, now: datetime.datetime) -> None:
    if assignment.status != AssignmentStatus.ASSIGNED:
        return
    transition_check(current=assignment.status, target=AssignmentStatus.IN_PROGRESS)
    Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.ASSIGNED).update(
        status=AssignmentStatus.IN_PROGRESS, started_at=now
    )
    AssignmentEvent.objects.create(
        assignment=assignment,
        kind=AssignmentEvent.Kind.STARTED,
        actor=actor,
        at=now,
        from_status=AssignmentStatus.ASSIGNED,
        to_status=AssignmentStatus.IN_PROGRESS,
    )
    assignment.status, assignment.started_at = AssignmentStatus.IN_PROGRESS, now


def lessons_remaining(assignment: Assignment) -> list[Lesson]:
    """Active lessons of the module not yet done in this assignment, in order."""
    return list(
        Lesson.objects.filter(module_id=assignment.module_id, is_active=True)
        .exclude(completions__assignment=assignment)
        .order_by("position", "id")
    )


def _complete_if_done(assignment: Assignment, actor: User | None, now: datetime.datetime) -> None:
    if lessons_remaining(assignment):
        return
    has_quiz = Question.objects.filter(module_id=assignment.module_id, is_active=True).exists()
    if has_quiz and assignment.quiz_passed_at is None:
        return
    transition_check(current=assignment.status, target=AssignmentStatus.COMPLETED)
    months = assignment.module.recertify_months
    expires_on = add_months(timezone.localdate(now), months) if months else None
    Assignment.objects.filter(pk=assignment.pk, status=assignment.status).update(
        status=AssignmentStatus.COMPLETED, completed_at=now, expires_on=expires_on
    )
    AssignmentEvent.objects.create(
        assignment=assignment,
        kind=AssignmentEvent.Kind.COMPLETED,
        actor=actor,
        at=now,
        from_status=assignment.status,
        to_status=AssignmentStatus.COMPLETED,
    )
    assignment.status, assignment.completed_at, assignment.expires_on = AssignmentStatus.COMPLETED, now, expires_on


def open_assignments_recheck(*, module_id: int, actor: User | None) -> int:
    """After HR removes a lesson or a question, complete the in-progress
    assignments that now have nothing left to do (otherwise they would wait
    for an action the learner can no longer take). Returns how many."""
    now = timezone.now()
    completed = 0
    for assignment in (
        Assignment.objects.select_for_update()
        .select_related("module")
        .filter(module_id=module_id, status=AssignmentStatus.IN_PROGRESS)
        .order_by("id")
    ):
        _complete_if_done(assignment, actor, now)
        completed += assignment.status == AssignmentStatus.COMPLETED
    return completed


def _lesson_complete(*, assignment_id: int, lesson_id: int, actor: User) -> Assignment:
    now = timezone.now()
    assignment = _locked_for_learner(assignment_id, actor)
    lesson = Lesson.objects.filter(pk=lesson_id, module_id=assignment.module_id, is_active=True).first()
    if lesson is None:
        raise TrainingError(_("This lesson is not part of the training."), code="not_found", status=404)
    remaining = lessons_remaining(assignment)
    if remaining and remaining[0].pk != lesson.pk and lesson in remaining:
        raise TrainingError(
            _("Lessons are done in order: first finish “%(title)s”.") % {"title": remaining[0].title},
            code="out_of_order",
        )
    LessonCompletion.objects.get_or_create(assignment=assignment, lesson=lesson, defaults={"completed_at": now})
    _start(assignment, actor, now)
    _complete_if_done(assignment, actor, now)
    return assignment


@transaction.atomic(durable=True)
def lesson_complete(*, assignment_id: int, lesson_id: int, actor: User) -> Assignment:
    """The learner marks a lesson done. Lessons go in order; marking one
    twice changes nothing. The assignment completes when nothing is left."""
    return _lesson_complete(assignment_id=assignment_id, lesson_id=lesson_id, actor=actor)


def _score(questions: list[Question], answers: dict[int, list[int]]) -> tuple[int, list[dict[str, Any]]]:
    errors = []
    known = {q.pk for q in questions}
    for qid in answers:
        if qid not in known:
            errors.append(_("Question %(id)s is not part of this quiz; reload the quiz.") % {"id": qid})
    record, right = [], 0
    for question in questions:
        choices = list(question.choices.all())
        chosen = set(answers.get(question.pk, []))
        valid = {c.pk for c in choices}
        if not chosen:
            errors.append(_("Answer “%(q)s”.") % {"q": question.text})
            continue
        if chosen - valid:
            errors.append(_("An answer to “%(q)s” is not one of its choices; reload the quiz.") % {"q": question.text})
            continue
        if question.kind == QuestionKind.SINGLE and len(chosen) != 1:
            errors.append(_("Choose one answer to “%(q)s”.") % {"q": question.text})
            continue
        correct_ids = {c.pk for c in choices if c.is_correct}
        is_right = chosen == correct_ids
        right += is_right
        record.append(
            {
                "question_id": question.pk,
                "question": question.text,
                "kind": question.kind,
                "explanation": question.explanation,
                "choices": [
                    {"id": c.pk, "text": c.text, "chosen": c.pk in chosen, "correct": c.is_correct} for c in choices
                ],
                "right": is_right,
            }
        )
    if errors:
        raise TrainingError(" ".join(errors), code="invalid_answers", status=400, field="answers")
    return round(100 * right / len(questions)), record


def _quiz_submit(*, assignment_id: int, actor: User, answers: dict[int, list[int]]) -> QuizAttempt:
    now = timezone.now()
    assignment = _locked_for_learner(assignment_id, actor)
    if lessons_remaining(assignment):
        raise TrainingError(_("Finish the lessons first; the quiz comes last."), code="lessons_first")
    questions = list(
        Question.objects.filter(module_id=assignment.module_id, is_active=True)
        .prefetch_related("choices")
        .order_by("position", "id")
    )
    if not questions:
        raise TrainingError(_("This module has no quiz."), code="no_quiz")
    score, record = _score(questions, answers)
    pass_mark = assignment.module.pass_mark
    number = assignment.attempts.count() + 1
    attempt = QuizAttempt.objects.create(
        assignment=assignment,
        number=number,
        submitted_at=now,
        score=score,
        pass_mark=pass_mark,
        passed=score >= pass_mark,
        answers=record,
    )
    best = max(score, assignment.best_score or 0)
    updates: dict[str, Any] = {"best_score": best}
    if attempt.passed and assignment.quiz_passed_at is None:
        updates["quiz_passed_at"] = now
    Assignment.objects.filter(pk=assignment.pk).update(**updates)
    for name, value in updates.items():
        setattr(assignment, name, value)
    _start(assignment, actor, now)
    if attempt.passed:
        _complete_if_done(assignment, actor, now)
    return attempt


@transaction.atomic(durable=True)
def quiz_submit(*, assignment_id: int, actor: User, answers: dict[int, list[int]]) -> QuizAttempt:
    """Score a quiz attempt on the server and keep it, pass or fail.

    ``answers`` maps question ids to the chosen answer ids. Every question
    must be answered. A failed attempt can be retried; all are kept.
    """
    return _quiz_submit(assignment_id=assignment_id, actor=actor, answers=answers)
