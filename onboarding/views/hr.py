"""HR's pages: module editor, assign form, assignment management, reports
and their CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from accounts.models import Department
from onboarding import selectors
from onboarding.api.views import assign_message
from onboarding.forms import AssignForm, DueMoveForm, LessonForm, ModuleForm, QuestionForm, WaiveForm
from onboarding.lifecycle import TrainingError
from onboarding.models import Lesson, Module, Question
from onboarding.services import assignments as assignment_services
from onboarding.services import content

View = Callable[..., HttpResponseBase]


def hr_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_hr(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _form_error(form: Any, exc: TrainingError) -> None:
    field = exc.field if exc.field in getattr(form, "fields", {}) else None
    form.add_error(field, str(exc.message))


# --- Modules --------------------------------------------------------------


@hr_required
def module_list(request: AuthedHttpRequest) -> HttpResponse:
    modules = selectors.module_list(viewer=request.user)
    return render(request, "onboarding/hr/module_list.html", {"modules": modules})


@hr_required
def module_create(request: AuthedHttpRequest) -> HttpResponse:
    form = ModuleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        module = content.module_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Module created as a draft. Add lessons, then publish it."))
        return redirect("onboarding:hr-module", pk=module.pk)
    return render(request, "onboarding/hr/module_form.html", {"form": form}, status=400 if form.errors else 200)


@hr_required
def module_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk)
    form = ModuleForm(request.POST if request.method == "POST" else None, instance=module)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ModuleForm.Meta.fields}
        content.module_update(module=Module.objects.get(pk=pk), actor=request.user, **fields)
        messages.success(request, _("Module saved."))
        return redirect("onboarding:hr-module", pk=pk)
    context = {
        "module": Module.objects.get(pk=pk),
        "form": form,
        "lessons": selectors.module_lessons(module=module),
        "questions": selectors.module_questions(module=module),
        "problems": content.module_publish_problems(module=module),
    }
    return render(request, "onboarding/hr/module_edit.html", context, status=400 if form.errors else 200)


@hr_required
@require_POST
def module_publish(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk)
    try:
        if request.POST.get("publish") == "0":
            content.module_unpublish(module=module, actor=request.user)
            messages.success(request, _("The module is a draft again. People already assigned can still finish it."))
        else:
            content.module_publish(module=module, actor=request.user)
            messages.success(request, _("The module is published and can be assigned."))
    except TrainingError as exc:
        messages.error(request, str(exc.message))
    return redirect("onboarding:hr-module", pk=pk)


@hr_required
def lesson_form(request: AuthedHttpRequest, pk: int, lesson_pk: int | None = None) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk)
    lesson = get_object_or_404(Lesson, pk=lesson_pk, module=module, is_active=True) if lesson_pk else None
    form = LessonForm(request.POST if request.method == "POST" else None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in LessonForm.Meta.fields}
        try:
            if lesson is None:
                content.lesson_add(module=module, actor=request.user, **fields)
            else:
                content.lesson_update(lesson=Lesson.objects.get(pk=lesson.pk), actor=request.user, **fields)
        except TrainingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Lesson saved."))
            return redirect("onboarding:hr-module", pk=pk)
    return render(
        request,
        "onboarding/hr/lesson_form.html",
        {"form": form, "module": module, "lesson": lesson},
        status=400 if form.errors else 200,
    )


@hr_required
@require_POST
def lesson_action(request: AuthedHttpRequest, pk: int, lesson_pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson, pk=lesson_pk, module_id=pk, is_active=True)
    action = request.POST.get("action")
    if action in ("up", "down"):
        content.lesson_move(lesson=lesson, actor=request.user, direction=action)
    elif action == "remove":
        content.lesson_retire(lesson=lesson, actor=request.user)
        messages.success(request, _("Lesson removed. Anyone who completed it keeps their record."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("onboarding:hr-module", pk=pk)


@hr_required
def question_form(request: AuthedHttpRequest, pk: int, question_pk: int | None = None) -> HttpResponse:
    module = get_object_or_404(Module, pk=pk)
    question = get_object_or_404(Question, pk=question_pk, module=module, is_active=True) if question_pk else None
    form = QuestionForm(request.POST if request.method == "POST" else None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            content.question_save(
                module=module,
                actor=request.user,
                question=question,
                text=form.cleaned_data["text"],
                kind=form.cleaned_data["kind"],
                explanation=form.cleaned_data["explanation"],
                choices=form.choices(),
            )
        except TrainingError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Question saved."))
            return redirect("onboarding:hr-module", pk=pk)
    return render(
        request,
        "onboarding/hr/question_form.html",
        {"form": form, "module": module, "question": question},
        status=400 if form.errors else 200,
    )


@hr_required
@require_POST
def question_remove(request: AuthedHttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = get_object_or_404(Question, pk=question_pk, module_id=pk, is_active=True)
    content.question_retire(question=question, actor=request.user)
    messages.success(request, _("Question removed from the quiz. Past attempts keep their copy."))
    return redirect("onboarding:hr-module", pk=pk)


# --- Assigning ------------------------------------------------------------


@hr_required
def assign(request: AuthedHttpRequest) -> HttpResponse:
    initial = {"module": request.GET.get("module")} if request.GET.get("module", "").isdigit() else None
    form = AssignForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["target"] == "plan":
                plan = assignment_services.plan_create(
                    department=data["department"],
                    module=data["module"],
                    due_in_days=data["due_in_days"],
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("Everyone who joins %(department)s from now on gets “%(module)s”, due %(days)d days later.")
                    % {"department": plan.department, "module": plan.module, "days": plan.due_in_days},
                )
            else:
                result = assignment_services.assignments_create(
                    module=data["module"],
                    actor=request.user,
                    due_on=data["due_on"],
                    user=data.get("user") if data["target"] == "person" else None,
                    department=data["department"] if data["target"] == "department" else None,
                    role=data["role"] if data["target"] == "role" else None,
                )
                level = messages.SUCCESS if result.assigned else messages.WARNING
                messages.add_message(request, level, assign_message(result))
        except TrainingError as exc:
            _form_error(form, exc)
        else:
            return redirect("onboarding:hr-assign")
    return render(request, "onboarding/hr/assign.html", {"form": form}, status=400 if form.errors else 200)


@hr_required
def assignment_manage(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(viewer=request.user, pk=pk)
    if assignment is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    waive_form = WaiveForm(request.POST if action == "waive" else None, prefix="waive")
    due_form = DueMoveForm(request.POST if action == "due" else None, prefix="due")
    form = waive_form if action == "waive" else due_form if action == "due" else None
    if form is not None and form.is_valid():
        try:
            if action == "waive":
                assignment_services.assignment_waive(
                    assignment=assignment, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Assignment waived."))
            else:
                assignment_services.assignment_due_move(
                    assignment=assignment,
                    actor=request.user,
                    due_on=form.cleaned_data["due_on"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Due date moved."))
        except TrainingError as exc:
            _form_error(form, exc)
        else:
            return redirect("onboarding:hr-assignment", pk=pk)
    context = {
        "assignment": assignment,
        "progress": selectors.progress_percent(assignment),
        "events": assignment.events.select_related("actor").order_by("at", "id"),
        "attempts": selectors.attempt_list(viewer=request.user, assignment=assignment),
        "waive_form": waive_form,
        "due_form": due_form,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "onboarding/hr/assignment.html", context, status=status)


# --- Reports --------------------------------------------------------------


def _filter_id(request: AuthedHttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() else None


@hr_required
def reports(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    module_id, department_id = _filter_id(request, "module"), _filter_id(request, "department")
    overdue = Paginator(
        selectors.overdue_list(today=today, module_id=module_id, department_id=department_id), 50
    ).get_page(request.GET.get("page"))
    for a in overdue:
        a.days_overdue = (today - a.due_on).days  # type: ignore[attr-defined]
    context = {
        "by_module": selectors.report_by_module(today=today, department_id=department_id),
        "by_department": selectors.report_by_department(today=today, module_id=module_id),
        "page_obj": overdue,
        "modules": Module.objects.order_by("title").only("id", "title"),
        "departments": Department.objects.order_by("name"),
        "module_id": module_id,
        "department_id": department_id,
    }
    return render(request, "onboarding/hr/reports.html", context)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: Any) -> Any:
    """Defuse spreadsheet formulas: a text cell starting with = + - @ or a
    control character is prefixed with an apostrophe (OWASP's advice), so a
    name like ``=HYPERLINK(...)`` shows as text instead of running."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row])


@hr_required
def reports_export(request: AuthedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """CSV of one report: ``report`` = modules, departments or overdue."""
    today = timezone.localdate()
    report = request.GET.get("report", "overdue")
    module_id, department_id = _filter_id(request, "module"), _filter_id(request, "department")
    header = [_("Name"), _("Assigned"), _("Completed"), _("Completion rate (%)"), _("Overdue"), _("Waived")]
    header.append(_("Average score (%)"))
    rows: Iterable[list[Any]]
    if report in ("modules", "departments"):
        data = (
            selectors.report_by_module(today=today, department_id=department_id)
            if report == "modules"
            else selectors.report_by_department(today=today, module_id=module_id)
        )
        rows = [
            header,
            *[
                [
                    r.label,
                    r.assigned,
                    r.completed,
                    r.completion_rate if r.completion_rate is not None else "",
                    r.overdue,
                    r.waived,
                    round(r.average_score, 1) if r.average_score is not None else "",
                ]
                for r in data
            ],
        ]
    elif report == "overdue":
        overdue = selectors.overdue_list(today=today, module_id=module_id, department_id=department_id)
        rows = _overdue_rows(overdue, today)
    else:
        return HttpResponse(_("Unknown report."), status=400, content_type="text/plain; charset=utf-8")
    response = StreamingHttpResponse(_csv_rows(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="training-{report}-{today.isoformat()}.csv"'
    return response


def _overdue_rows(overdue: Any, today: Any) -> Iterator[list[Any]]:
    yield [_("Person"), _("E-mail"), _("Department"), _("Module"), _("Due on"), _("Days overdue"), _("Status")]
    for a in overdue.iterator(chunk_size=2000):
        yield [
            a.user.display_name,
            a.user.email,
            a.user.department.name if a.user.department else "",
            a.module.title,
            a.due_on.isoformat(),
            (today - a.due_on).days,
            a.get_status_display(),
        ]
