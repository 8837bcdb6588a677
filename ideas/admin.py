"""Admin for ideas. History rows are read-only (append-only by design), and
status fields are read-only too: moves go through the lifecycle services so
that every change leaves its history row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.audit import AuditedAdmin
from ideas import services
from ideas.models import Campaign, Comment, Idea, IdeaEvent, Scorecard, Tag, Vote


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = IdeaEvent
    fields = ["created_at", "actor", "track", "from_value", "to_value", "comment", "related_idea"]
    readonly_fields = ["created_at", "actor", "track", "from_value", "to_value", "comment", "related_idea"]
    fk_name = "idea"


class ScorecardInline(ReadOnlyInline):
    model = Scorecard
    fields = ["reviewer", "customer_impact", "feasibility", "novelty", "cost", "comment"]
    readonly_fields = ["reviewer", "customer_impact", "feasibility", "novelty", "cost", "comment"]


@admin.register(Idea)
class IdeaAdmin(AuditedAdmin):
    """Admins see every idea, deleted ones too; deleting here hides the idea
    (``idea_delete``) and keeps its row, votes and history."""

    list_display = [
        "title",
        "status",
        "patent_status",
        "author",
        "vote_count",
        "comment_count",
        "created_at",
        "deleted_at",
    ]
    list_filter = ["status", "patent_status", "campaign", "department", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["author"]
    search_fields = ["title", "author__email", "author__display_name"]
    raw_id_fields = ["author", "co_authors", "reviewer", "duplicate_of"]
    filter_horizontal = ["tags"]
    readonly_fields = [
        "status",
        "patent_status",
        "vote_count",
        "comment_count",
        "duplicate_of",
        "reviewer",
        "submitted_at",
        "queued_at",
        "escalated_at",
        "first_reviewed_at",
        "decided_at",
        "piloted_at",
        "launched_at",
        "closed_at",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
    ]
    inlines = [ScorecardInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Idea]:
        return Idea.all_objects.select_related("author")

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        # Nothing cascades from a soft delete: the confirmation page lists the
        # ideas alone (not their votes and history, which stay).
        ideas = list(objs)
        return [str(idea) for idea in ideas], {str(Idea._meta.verbose_name_plural): len(ideas)}, set(), []

    def delete_model(self, request: HttpRequest, obj: Idea) -> None:
        services.idea_delete(idea=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Idea]) -> None:
        for idea in queryset:
            services.idea_delete(idea=idea, actor=request.user)  # type: ignore[arg-type]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_on", "closes_on"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(IdeaEvent)
class IdeaEventAdmin(admin.ModelAdmin):
    list_display = ["idea", "track", "from_value", "to_value", "actor", "created_at"]
    list_filter = ["track"]
    list_select_related = ["idea", "actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["idea", "author", "created_at"]
    list_select_related = ["idea", "author"]
    raw_id_fields = ["idea", "author"]
    exclude = ["body_html"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["idea", "user", "created_at"]
    list_select_related = ["idea", "user"]
    raw_id_fields = ["idea", "user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # votes go through the service that keeps the count exact

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
