"""The onboarding API under /api/v1/onboarding/.

Every view derives from ``OnboardingView``: it requires a signed-in person,
refuses HR-only methods to anyone else (``hr_methods``), finds rows through
the selectors (so an employee sees only their own assignments and attempts),
and turns a TrainingError from a service into the one error shape (409 for
"not in this state", with the allowed moves; 400 for impossible input).
"""

from __future__ import annotations

from typing import Any, cast

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from ideaportal.api import ERROR_RESPONSES, error_body, error_response, query_bool
from onboarding import selectors
from onboarding.api import serializers as s
from onboarding.lifecycle import AssignmentStatus, TrainingError
from onboarding.models import Assignment, Lesson, Module, Question
from onboarding.services import assignments as assignment_services
from onboarding.services import content, learning

R400, R401, R403 = ERROR_RESPONSES[400], ERROR_RESPONSES[401], ERROR_RESPONSES[403]
R404 = error_response("No such object, or not yours to see.")
R409 = error_response("Not allowed in the current state; `allowed` lists the moves that are.")


class OnboardingView(GenericAPIView):
    """Base of every onboarding API view (see the module docstring)."""

    hr_methods: frozenset[str] = frozenset()
    filter_backends: list[type] = []

    @property
    def viewer(self) -> User:
        return cast(User, self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in self.hr_methods and not selectors.is_hr(request.user):
            raise exceptions.PermissionDenied(_("Only HR can do this."))

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, TrainingError):
            errors = [{"field": exc.field, "code": exc.code, "message": str(exc.message)}] if exc.field else []
            body = error_body(exc.status, exc.code, str(exc.message), errors)
            if exc.allowed or exc.code == "transition_not_allowed":
                body["allowed"] = exc.allowed
            return Response(body, status=exc.status)
        return super().handle_exception(exc)

    def module_for_viewer(self, pk: int) -> Module:
        return get_object_or_404(selectors.module_list(viewer=self.viewer), pk=pk)

    def assignment_for_viewer(self, pk: int) -> Assignment:
        assignment = selectors.assignment_get(viewer=self.viewer, pk=pk)
        if assignment is None:
            raise exceptions.NotFound()
        return assignment


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name) or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise exceptions.ValidationError({name: [_("Give a whole number.")]})
    return int(raw)


# --- Modules --------------------------------------------------------------


class ModuleListView(OnboardingView):
    """Published modules for everybody (drafts too for HR); HR creates."""

    hr_methods = frozenset({"POST"})
    serializer_class = s.ModuleSerializer

    @extend_schema(responses={200: s.ModuleSerializer(many=True), 401: R401})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.module_list(viewer=self.viewer))
        return self.get_paginated_response(s.ModuleSerializer(page, many=True).data)

    @extend_schema(request=s.ModuleWriteSerializer, responses={201: s.ModuleSerializer, 400: R400, 403: R403})
    def post(self, request: Request) -> Response:
        data = s.ModuleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        module = content.module_create(actor=self.viewer, **data.validated_data)
        return Response(s.ModuleSerializer(self.module_for_viewer(module.pk)).data, status=status.HTTP_201_CREATED)


class ModuleDetailView(OnboardingView):
    """A module with its lessons and quiz (never the right answers)."""

    hr_methods = frozenset({"PATCH"})
    serializer_class = s.ModuleDetailSerializer

    @extend_schema(responses={200: s.ModuleDetailSerializer, 401: R401, 404: R404})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ModuleDetailSerializer(self.module_for_viewer(pk)).data)

    @extend_schema(
        request=s.ModuleWriteSerializer, responses={200: s.ModuleDetailSerializer, 400: R400, 403: R403, 404: R404}
    )
    def patch(self, request: Request, pk: int) -> Response:
        module = self.module_for_viewer(pk)
        data = s.ModuleWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        content.module_update(module=module, actor=self.viewer, **data.validated_data)
        return Response(s.ModuleDetailSerializer(self.module_for_viewer(pk)).data)


class ModulePublishView(OnboardingView):
    """HR publishes (``publish``) or withdraws (``unpublish``) a module."""

    hr_methods = frozenset({"POST"})
    serializer_class = s.ModuleSerializer
    publish_action = "publish"

    @extend_schema(request=None, responses={200: s.ModuleSerializer, 400: R400, 403: R403, 404: R404})
    def post(self, request: Request, pk: int) -> Response:
        module = self.module_for_viewer(pk)
        if self.publish_action == "publish":
            content.module_publish(module=module, actor=self.viewer)
        else:
            content.module_unpublish(module=module, actor=self.viewer)
        return Response(s.ModuleSerializer(self.module_for_viewer(pk)).data)


class LessonListView(OnboardingView):
    """HR adds a lesson at the end of a module."""

    hr_methods = frozenset({"POST"})
    serializer_class = s.LessonSerializer

    @extend_schema(request=s.LessonWriteSerializer, responses={201: s.LessonSerializer, 400: R400, 403: R403})
    def post(self, request: Request, pk: int) -> Response:
        module = self.module_for_viewer(pk)
        data = s.LessonWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lesson = content.lesson_add(module=module, actor=self.viewer, **data.validated_data)
        return Response(s.LessonSerializer(lesson).data, status=status.HTTP_201_CREATED)


class LessonDetailView(OnboardingView):
    """HR edits a lesson in place, or removes it (retired if anyone did it)."""

    hr_methods = frozenset({"PATCH", "DELETE"})
    serializer_class = s.LessonSerializer

    def _lesson(self, pk: int, lesson_pk: int) -> Lesson:
        return get_object_or_404(Lesson, pk=lesson_pk, module=self.module_for_viewer(pk), is_active=True)

    @extend_schema(
        request=s.LessonWriteSerializer, responses={200: s.LessonSerializer, 400: R400, 403: R403, 404: R404}
    )
    def patch(self, request: Request, pk: int, lesson_pk: int) -> Response:
        lesson = self._lesson(pk, lesson_pk)
        data = s.LessonWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lesson = content.lesson_update(lesson=lesson, actor=self.viewer, **data.validated_data)
        return Response(s.LessonSerializer(lesson).data)

    @extend_schema(responses={204: None, 403: R403, 404: R404})
    def delete(self, request: Request, pk: int, lesson_pk: int) -> Response:
        content.lesson_retire(lesson=self._lesson(pk, lesson_pk), actor=self.viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionListView(OnboardingView):
    """HR reads the quiz with its right answers, and adds questions."""

    hr_methods = frozenset({"GET", "POST"})
    serializer_class = s.EditorQuestionSerializer
    pagination_class = None  # a module's questions, all at once, in order

    @extend_schema(responses={200: s.EditorQuestionSerializer(many=True), 403: R403, 404: R404})
    def get(self, request: Request, pk: int) -> Response:
        questions = selectors.module_questions(module=self.module_for_viewer(pk))
        return Response(s.EditorQuestionSerializer(questions, many=True).data)

    @extend_schema(request=s.QuestionWriteSerializer, responses={201: s.EditorQuestionSerializer, 400: R400, 403: R403})
    def post(self, request: Request, pk: int) -> Response:
        module = self.module_for_viewer(pk)
        data = s.QuestionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        question = content.question_save(
            module=module,
            actor=self.viewer,
            text=v["text"],
            kind=v["kind"],
            explanation=v["explanation"],
            choices=[(c["text"], c["is_correct"]) for c in v["choices"]],
        )
        return Response(s.EditorQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionDetailView(OnboardingView):
    """HR replaces a question's text and answers, or takes it out of the quiz."""

    hr_methods = frozenset({"PUT", "DELETE"})
    serializer_class = s.EditorQuestionSerializer

    def _question(self, pk: int, question_pk: int) -> Question:
        return get_object_or_404(Question, pk=question_pk, module=self.module_for_viewer(pk), is_active=True)

    @extend_schema(
        request=s.QuestionWriteSerializer,
        responses={200: s.EditorQuestionSerializer, 400: R400, 403: R403, 404: R404},
    )
    def put(self, request: Request, pk: int, question_pk: int) -> Response:
        question = self._question(pk, question_pk)
        data = s.QuestionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        question = content.question_save(
            module=question.module,
            actor=self.viewer,
            question=question,
            text=v["text"],
            kind=v["kind"],
            explanation=v["explanation"],
            choices=[(c["text"], c["is_correct"]) for c in v["choices"]],
        )
        return Response(s.EditorQuestionSerializer(question).data)

    @extend_schema(responses={204: None, 403: R403, 404: R404})
    def delete(self, request: Request, pk: int, question_pk: int) -> Response:
        content.question_retire(question=self._question(pk, question_pk), actor=self.viewer)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Assignments ----------------------------------------------------------


class AssignmentListView(OnboardingView):
    """Assignments: the caller's own (``mine=1``, and always for employees)
    or, for HR, everybody's. HR assigns a module to a user, a department or
    a role; whoever already has it open is reported, not assigned twice."""

    hr_methods = frozenset({"POST"})
    serializer_class = s.AssignmentSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", bool, description="Only the caller's own assignments."),
            OpenApiParameter("status", str, enum=AssignmentStatus.values, description="Filter by (display) status."),
            OpenApiParameter("module", int, description="Filter by module id."),
        ],
        responses={200: s.AssignmentSerializer(many=True), 400: R400, 401: R401},
    )
    def get(self, request: Request) -> Response:
        mine = query_bool(request, "mine")
        qs = selectors.assignment_list(viewer=self.viewer, mine=mine)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in AssignmentStatus.values:
                raise exceptions.ValidationError({"status": [_("Unknown status.")]})
            today = timezone.localdate()
            if wanted == AssignmentStatus.OVERDUE:
                qs = qs.filter(status__in=["assigned", "in_progress"], due_on__lt=today)
            elif wanted in ("assigned", "in_progress"):
                qs = qs.filter(status=wanted, due_on__gte=today)
            else:
                qs = qs.filter(status=wanted)
        module_id = _int_param(request, "module")
        if module_id:
            qs = qs.filter(module_id=module_id)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.AssignmentSerializer(page, many=True).data)

    @extend_schema(
        request=s.AssignmentCreateSerializer,
        responses={
            201: s.AssignResultSerializer,
            200: s.AssignResultSerializer,
            400: R400,
            403: R403,
            409: R409,
        },
        description="201 when anyone was assigned; 200 when everybody already had it (nothing changed).",
    )
    def post(self, request: Request) -> Response:
        data = s.AssignmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = assignment_services.assignments_create(
            module=v["module"],
            actor=self.viewer,
            due_on=v["due_on"],
            user=v.get("user"),
            department=v.get("department"),
            role=v.get("role"),
        )
        body = {
            "assigned": result.assigned,
            "already_assigned": result.already_assigned,
            "assignment_ids": [a.pk for a in result.created],
            "message": assign_message(result),
        }
        return Response(body, status=status.HTTP_201_CREATED if result.assigned else status.HTTP_200_OK)


def assign_message(result: assignment_services.AssignResult) -> str:
    parts = []
    if result.assigned or not result.already_assigned:
        parts.append(
            ngettext("Assigned to %(n)d person.", "Assigned to %(n)d people.", result.assigned) % {"n": result.assigned}
        )
    if result.already_assigned:
        parts.append(
            ngettext(
                "%(n)d person was already assigned; nothing changed for them.",
                "%(n)d people were already assigned; nothing changed for them.",
                result.already_assigned,
            )
            % {"n": result.already_assigned}
        )
    return " ".join(parts)


class AssignmentDetailView(OnboardingView):
    """One assignment with its progress (own, or any for HR)."""

    serializer_class = s.AssignmentSerializer

    @extend_schema(responses={200: s.AssignmentSerializer, 401: R401, 404: R404})
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.AssignmentSerializer(self.assignment_for_viewer(pk)).data)


class AssignmentWaiveView(OnboardingView):
    """HR waives an open assignment; the reason is kept in its history."""

    hr_methods = frozenset({"POST"})
    serializer_class = s.AssignmentSerializer

    @extend_schema(
        request=s.WaiveSerializer, responses={200: s.AssignmentSerializer, 400: R400, 403: R403, 404: R404, 409: R409}
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = self.assignment_for_viewer(pk)
        data = s.WaiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment_services.assignment_waive(assignment=assignment, actor=self.viewer, **data.validated_data)
        return Response(s.AssignmentSerializer(self.assignment_for_viewer(pk)).data)


class AssignmentDueMoveView(OnboardingView):
    """HR moves the due date of an open assignment; the reason is kept."""

    hr_methods = frozenset({"POST"})
    serializer_class = s.AssignmentSerializer

    @extend_schema(
        request=s.DueMoveSerializer,
        responses={200: s.AssignmentSerializer, 400: R400, 403: R403, 404: R404, 409: R409},
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = self.assignment_for_viewer(pk)
        data = s.DueMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment_services.assignment_due_move(assignment=assignment, actor=self.viewer, **data.validated_data)
        return Response(s.AssignmentSerializer(self.assignment_for_viewer(pk)).data)


class AssignmentHistoryView(OnboardingView):
    """What happened to an assignment: who, when, from, to, why."""

    serializer_class = s.AssignmentEventSerializer
    pagination_class = None  # every event of one assignment, as a plain list

    @extend_schema(responses={200: s.AssignmentEventSerializer(many=True), 404: R404})
    def get(self, request: Request, pk: int) -> Response:
        assignment = self.assignment_for_viewer(pk)
        events = assignment.events.select_related("actor").order_by("at", "id")
        return Response(s.AssignmentEventSerializer(events, many=True).data)


class LessonCompleteView(OnboardingView):
    """The learner marks a lesson done (in order; a repeat changes nothing)."""

    serializer_class = s.AssignmentSerializer

    @extend_schema(request=None, responses={200: s.AssignmentSerializer, 401: R401, 404: R404, 409: R409})
    def post(self, request: Request, pk: int, lesson_pk: int) -> Response:
        learning.lesson_complete(assignment_id=pk, lesson_id=lesson_pk, actor=self.viewer)
        return Response(s.AssignmentSerializer(self.assignment_for_viewer(pk)).data)


class AttemptListView(OnboardingView):
    """Quiz attempts of an assignment (all kept); the learner submits one."""

    serializer_class = s.AttemptSerializer
    pagination_class = None  # every attempt of one assignment, as a plain list

    @extend_schema(responses={200: s.AttemptSerializer(many=True), 401: R401, 404: R404})
    def get(self, request: Request, pk: int) -> Response:
        assignment = self.assignment_for_viewer(pk)
        attempts = selectors.attempt_list(viewer=self.viewer, assignment=assignment)
        return Response(s.AttemptSerializer(attempts, many=True).data)

    @extend_schema(
        request=s.AttemptCreateSerializer,
        responses={201: s.AttemptSerializer, 400: R400, 401: R401, 404: R404, 409: R409},
    )
    def post(self, request: Request, pk: int) -> Response:
        # Someone else's assignment is a 404 before the body is even read, so
        # a 400 never confirms that an assignment id exists.
        if self.assignment_for_viewer(pk).user_id != self.viewer.pk:
            raise exceptions.NotFound()
        data = s.AttemptCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = {a["question"]: a["choices"] for a in data.validated_data["answers"]}
        attempt = learning.quiz_submit(assignment_id=pk, actor=self.viewer, answers=answers)
        return Response(s.AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


# --- Reports --------------------------------------------------------------

REPORT_PARAMS = [
    OpenApiParameter("module", int, description="Only this module."),
    OpenApiParameter("department", int, description="Only people of this department."),
]


class ReportByModuleView(OnboardingView):
    """HR: completion rate, overdue count and average score per module."""

    hr_methods = frozenset({"GET"})
    serializer_class = s.ReportRowSerializer
    pagination_class = None  # one row per module or department, as a plain list

    @extend_schema(parameters=REPORT_PARAMS[1:], responses={200: s.ReportRowSerializer(many=True), 403: R403})
    def get(self, request: Request) -> Response:
        rows = selectors.report_by_module(department_id=_int_param(request, "department"))
        return Response(s.ReportRowSerializer(rows, many=True).data)


class ReportByDepartmentView(OnboardingView):
    """HR: the same figures per department."""

    hr_methods = frozenset({"GET"})
    serializer_class = s.ReportRowSerializer
    pagination_class = None  # one row per module or department, as a plain list

    @extend_schema(parameters=REPORT_PARAMS[:1], responses={200: s.ReportRowSerializer(many=True), 403: R403})
    def get(self, request: Request) -> Response:
        rows = selectors.report_by_department(module_id=_int_param(request, "module"))
        return Response(s.ReportRowSerializer(rows, many=True).data)


class ReportOverdueView(OnboardingView):
    """HR: people with overdue training, longest overdue first."""

    hr_methods = frozenset({"GET"})
    serializer_class = s.OverdueSerializer

    @extend_schema(parameters=REPORT_PARAMS, responses={200: s.OverdueSerializer(many=True), 400: R400, 403: R403})
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        qs = selectors.overdue_list(
            today=today, module_id=_int_param(request, "module"), department_id=_int_param(request, "department")
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.OverdueSerializer(page, many=True, context={"today": today}).data)
