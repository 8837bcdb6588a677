"""Serializers of the onboarding API.

Learners' serializers for quiz questions have no ``is_correct`` field at
all, so the right answers cannot reach a browser before an attempt is
submitted, whichever view renders them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Department, User
from accounts.roles import Role
from accounts.serializers import DepartmentSerializer
from onboarding import selectors
from onboarding.lifecycle import AssignmentStatus
from onboarding.models import (
    Assignment,
    AssignmentEvent,
    Choice,
    Lesson,
    MediaKind,
    Module,
    ModuleKind,
    ModuleStatus,
    Question,
    QuestionKind,
    QuizAttempt,
)

# --- Modules and content --------------------------------------------------


class ModuleSerializer(serializers.ModelSerializer):
    lesson_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "title",
            "slug",
            "kind",
            "summary",
            "estimated_minutes",
            "pass_mark",
            "recertify_months",
            "status",
            "published_at",
            "lesson_count",
        ]


class ModuleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ModuleKind.choices, default=ModuleKind.OTHER)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    estimated_minutes = serializers.IntegerField(min_value=1, max_value=6000, default=30)
    pass_mark = serializers.IntegerField(min_value=1, max_value=100, default=80)
    recertify_months = serializers.IntegerField(min_value=1, max_value=120, required=False, allow_null=True)


class LessonSerializer(serializers.ModelSerializer):
    body_html = serializers.CharField(read_only=True, help_text="The Markdown rendered and sanitised.")

    class Meta:
        model = Lesson
        fields = ["id", "position", "title", "body", "body_html", "media_url", "media_kind", "media_alternative"]


class LessonWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, max_length=50000, default="")
    media_url = serializers.URLField(required=False, allow_blank=True, default="")
    media_kind = serializers.ChoiceField(choices=MediaKind.choices, default=MediaKind.LINK)
    media_alternative = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("media_url") and not attrs.get("media_alternative", "").strip():
            raise serializers.ValidationError(
                {"media_alternative": _("Media needs a text alternative: a description, transcript or captions.")}
            )
        return attrs


class LearnerChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text"]


class LearnerQuestionSerializer(serializers.ModelSerializer):
    choices = LearnerChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "position", "text", "kind", "choices"]


class EditorChoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Choice
        fields = ["id", "text", "is_correct"]


class EditorQuestionSerializer(serializers.ModelSerializer):
    choices = EditorChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "position", "text", "kind", "explanation", "choices"]


class ChoiceWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    is_correct = serializers.BooleanField(default=False)


class QuestionWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    kind = serializers.ChoiceField(choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    choices = ChoiceWriteSerializer(many=True)

    def validate_choices(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not 2 <= len(value) <= 10:
            raise serializers.ValidationError(_("Give between two and ten answers."))
        return value


class ModuleDetailSerializer(ModuleSerializer):
    lessons = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField(help_text="The quiz, without the right answers.")

    class Meta(ModuleSerializer.Meta):
        fields = [*ModuleSerializer.Meta.fields, "lessons", "questions"]

    @extend_schema_field(LessonSerializer(many=True))
    def get_lessons(self, obj: Module) -> Any:
        return LessonSerializer(selectors.module_lessons(module=obj), many=True).data

    @extend_schema_field(LearnerQuestionSerializer(many=True))
    def get_questions(self, obj: Module) -> Any:
        return LearnerQuestionSerializer(selectors.module_questions(module=obj), many=True).data


# --- Assignments ----------------------------------------------------------


class ModuleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "title", "kind"]


class LearnerSerializer(serializers.ModelSerializer):
    """A person as HR sees them in training records (with e-mail and
    department, unlike the public author shown on ideas)."""

    department = DepartmentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "display_name", "email", "department"]


class AssignmentSerializer(serializers.ModelSerializer):
    module = ModuleBriefSerializer(read_only=True)
    user = LearnerSerializer(read_only=True)
    display_status = serializers.SerializerMethodField(
        help_text="The status, or `overdue` for open work past its due date."
    )
    lessons_done = serializers.IntegerField(read_only=True)
    lesson_total = serializers.IntegerField(read_only=True)
    has_quiz = serializers.BooleanField(read_only=True)
    attempt_count = serializers.IntegerField(read_only=True)
    progress_percent = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "module",
            "user",
            "status",
            "display_status",
            "due_on",
            "source",
            "assigned_at",
            "started_at",
            "quiz_passed_at",
            "completed_at",
            "waived_at",
            "best_score",
            "expires_on",
            "lessons_done",
            "lesson_total",
            "has_quiz",
            "attempt_count",
            "progress_percent",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=AssignmentStatus.choices))
    def get_display_status(self, obj: Assignment) -> str:
        return obj.display_status()

    def get_progress_percent(self, obj: Assignment) -> int:
        return selectors.progress_percent(obj)


class AssignmentCreateSerializer(serializers.Serializer):
    module = serializers.PrimaryKeyRelatedField(queryset=Module.objects.all())
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    due_on = serializers.DateField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        targets = [name for name in ("user", "department", "role") if attrs.get(name)]
        if len(targets) != 1:
            raise serializers.ValidationError(_("Assign to exactly one of: user, department or role."))
        return attrs


class AssignResultSerializer(serializers.Serializer):
    assigned = serializers.IntegerField(help_text="New assignments created.")
    already_assigned = serializers.IntegerField(help_text="People who already had it open: left unchanged.")
    assignment_ids = serializers.ListField(child=serializers.IntegerField())
    message = serializers.CharField()


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class DueMoveSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class AssignmentEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", default=None, read_only=True)

    class Meta:
        model = AssignmentEvent
        fields = ["kind", "actor", "at", "from_status", "to_status", "from_due_on", "to_due_on", "reason"]


# --- Quiz attempts --------------------------------------------------------


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    choices = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=20)


class AttemptCreateSerializer(serializers.Serializer):
    answers = AnswerSerializer(many=True)

    def validate_answers(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 200:
            raise serializers.ValidationError(_("Too many answers."))
        seen = [a["question"] for a in value]
        if len(seen) != len(set(seen)):
            raise serializers.ValidationError(_("Each question is answered once."))
        return value


class AttemptSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField(
        help_text="Each question and the answers chosen; the right answers only once the quiz is passed."
    )

    class Meta:
        model = QuizAttempt
        fields = ["id", "assignment", "number", "submitted_at", "score", "pass_mark", "passed", "answers"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_answers(self, obj: QuizAttempt) -> list[dict[str, Any]]:
        return attempt_answers_public(obj)


def attempt_answers_public(attempt: QuizAttempt) -> list[dict[str, Any]]:
    """The attempt's record as the learner may see it: which questions were
    right; which answers were right only after a pass (else a retry would
    just copy them)."""
    out = []
    for item in attempt.answers:
        choices = [
            {
                "id": c["id"],
                "text": c["text"],
                "chosen": c["chosen"],
                **({"correct": c["correct"]} if attempt.passed else {}),
            }
            for c in item["choices"]
        ]
        out.append(
            {
                "question_id": item["question_id"],
                "question": item["question"],
                "right": item["right"],
                "explanation": item.get("explanation", "") if attempt.passed else "",
                "choices": choices,
            }
        )
    return out


# --- Reports --------------------------------------------------------------


class ReportRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text="Module or department id.")
    name = serializers.CharField(source="label")
    assigned = serializers.IntegerField(help_text="Assignments that count (waived ones do not).")
    completed = serializers.IntegerField()
    overdue = serializers.IntegerField()
    waived = serializers.IntegerField()
    completion_rate = serializers.IntegerField(allow_null=True, help_text="Percent.")
    average_score = serializers.FloatField(allow_null=True, help_text="Average best quiz score, percent.")


class OverdueSerializer(serializers.ModelSerializer):
    module = ModuleBriefSerializer(read_only=True)
    user = LearnerSerializer(read_only=True)
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "module", "user", "status", "due_on", "days_overdue"]

    def get_days_overdue(self, obj: Assignment) -> int:
        return (self.context["today"] - obj.due_on).days


STATUS_FILTER_CHOICES = [*AssignmentStatus.values]
MODULE_STATUS_CHOICES = ModuleStatus.values
