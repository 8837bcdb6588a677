"""The learner's pages: my training, the module reader, the quiz."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthedHttpRequest
from onboarding import selectors
from onboarding.api.serializers import attempt_answers_public
from onboarding.forms import QuizForm
from onboarding.lifecycle import AssignmentStatus, TrainingError
from onboarding.models import Assignment
from onboarding.services import learning


def _own_assignment(request: AuthedHttpRequest, pk: int) -> Assignment:
    """The signed-in person's own assignment, or 404 (also for HR: they
    manage other people's training on the HR pages, never take it)."""
    assignment = selectors.assignment_list(viewer=request.user, mine=True).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


@login_required
def my_training(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    assignments = list(selectors.assignment_list(viewer=request.user, mine=True, today=today))
    for a in assignments:
        a.progress = selectors.progress_percent(a)  # type: ignore[attr-defined]
        a.shown_status = a.display_status(today)  # type: ignore[attr-defined]
    current = [a for a in assignments if a.is_open]
    finished = [a for a in assignments if not a.is_open]
    overdue = len([a for a in current if a.shown_status == AssignmentStatus.OVERDUE])  # type: ignore[attr-defined]
    return render(
        request,
        "onboarding/my_training.html",
        {"current": current, "finished": finished, "overdue_count": overdue, "today": today},
    )


def _reader_context(request: AuthedHttpRequest, assignment: Assignment) -> dict[str, Any]:
    lessons = selectors.module_lessons(module=assignment.module)
    done = selectors.assignment_completed_lesson_ids(assignment=assignment)
    next_lesson = next((lesson for lesson in lessons if lesson.pk not in done), None)
    return {
        "assignment": assignment,
        "module": assignment.module,
        "lessons": lessons,
        "done": done,
        "next_lesson": next_lesson,
        "progress": selectors.progress_percent(assignment),
        "attempts": list(selectors.attempt_list(viewer=request.user, assignment=assignment)),
    }


@login_required
def assignment_reader(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    return render(request, "onboarding/reader.html", _reader_context(request, assignment))


@login_required
def lesson_page(request: AuthedHttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    context = _reader_context(request, assignment)
    lessons = context["lessons"]
    lesson = next((item for item in lessons if item.pk == lesson_pk), None)
    if lesson is None:
        raise Http404
    if request.method == "POST":
        assignment_before = assignment
        try:
            assignment = learning.lesson_complete(assignment_id=assignment.pk, lesson_id=lesson.pk, actor=request.user)
        except TrainingError as exc:
            messages.error(request, str(exc.message))
            return redirect("onboarding:assignment", pk=pk)
        if assignment.status == AssignmentStatus.COMPLETED:
            messages.success(request, _("Well done: you have completed this training."))
            return redirect("onboarding:assignment", pk=pk)
        index = lessons.index(lesson)
        if index + 1 < len(lessons):
            return redirect("onboarding:lesson", pk=pk, lesson_pk=lessons[index + 1].pk)
        if getattr(assignment_before, "has_quiz", False):
            return redirect("onboarding:quiz", pk=pk)
        return redirect("onboarding:assignment", pk=pk)
    index = lessons.index(lesson)
    context.update(
        {
            "lesson": lesson,
            "lesson_number": index + 1,
            "previous_lesson": lessons[index - 1] if index else None,
            "following_lesson": lessons[index + 1] if index + 1 < len(lessons) else None,
            "is_done": lesson.pk in context["done"],
        }
    )
    return render(request, "onboarding/lesson.html", context)


@login_required
def quiz_page(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    context = _reader_context(request, assignment)
    questions = selectors.module_questions(module=assignment.module)
    if not questions:
        raise Http404
    form = QuizForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = learning.quiz_submit(assignment_id=assignment.pk, actor=request.user, answers=form.answers())
        except TrainingError as exc:
            messages.error(request, str(exc.message))
            return redirect("onboarding:assignment", pk=pk)
        return redirect("onboarding:attempt", pk=pk, number=attempt.number)
    context["form"] = form
    context["question_count"] = len(questions)
    return render(request, "onboarding/quiz.html", context, status=400 if form.errors else 200)


@login_required
def attempt_page(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    context = _reader_context(request, assignment)
    attempt = next((a for a in context["attempts"] if a.number == number), None)
    if attempt is None:
        raise Http404
    context.update({"attempt": attempt, "answers": attempt_answers_public(attempt)})
    return render(request, "onboarding/attempt.html", context)
