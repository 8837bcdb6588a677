"""Admin for training. HR's everyday work happens on the training pages;
the admin is for fixing things, so progress rows are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.audit import AuditedAdmin
from onboarding.markdown import render_markdown
from onboarding.models import (
    Assignment,
    AssignmentEvent,
    Choice,
    Lesson,
    Module,
    OnboardingPlan,
    Question,
    QuizAttempt,
)


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ["position", "title", "body", "media_url", "media_kind", "media_alternative", "is_active"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "pass_mark", "recertify_months", "published_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [LessonInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Lessons edited here are rendered like those saved by the services.
        for instance in formset.save(commit=False):
            if isinstance(instance, Lesson):
                instance.body_html = render_markdown(instance.body)
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 2


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "module", "kind", "position", "is_active"]
    list_filter = ["module", "kind", "is_active"]
    list_select_related = ["module"]
    inlines = [ChoiceInline]


class EventInline(admin.TabularInline):
    model = AssignmentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "at", "from_status", "to_status", "from_due_on", "to_due_on", "reason"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ["module", "user", "status", "due_on", "source", "best_score", "completed_at"]
    list_filter = ["status", "source", "module"]
    list_select_related = ["module", "user"]
    search_fields = ["user__email", "user__display_name", "module__title"]
    raw_id_fields = ["user", "assigned_by", "previous"]
    date_hierarchy = "due_on"
    inlines = [EventInline]
    # State changes go through the services (history, notifications).
    readonly_fields = [
        "status",
        "batch",
        "assigned_at",
        "started_at",
        "quiz_passed_at",
        "completed_at",
        "waived_at",
        "best_score",
        "expires_on",
    ]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ["assignment", "number", "score", "passed", "submitted_at"]
    list_filter = ["passed"]
    raw_id_fields = ["assignment"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OnboardingPlan)
class OnboardingPlanAdmin(admin.ModelAdmin):
    list_display = ["department", "module", "due_in_days", "is_active"]
    list_filter = ["is_active", "department"]
