from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.audit import AuditedAdmin
from newsletter.models import Delivery, Digest, EditorNote, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(AuditedAdmin):
    list_display = ["email", "user", "frequency", "status", "hard_bounces", "created_at", "confirmed_at"]
    list_filter = ["status", "frequency"]
    search_fields = ["email", "user__display_name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["campaigns", "departments", "tags"]
    readonly_fields = ["created_at", "confirmed_at", "unsubscribed_at"]


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "frequency", "period_start", "is_empty", "built_at", "fanned_out_at", "completed_at"]
    list_filter = ["frequency", "is_empty"]
    date_hierarchy = "period_start"
    # Built once and frozen: what went out must stay what the archive shows.
    readonly_fields = ["frequency", "period_start", "period_end", "content", "editor_note", "is_empty", "built_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(EditorNote)
class EditorNoteAdmin(admin.ModelAdmin):
    list_display = ["frequency", "author", "updated_at", "digest"]
    list_filter = ["frequency"]
    raw_id_fields = ["author", "digest"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["digest", "subscriber", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "digest__frequency"]
    search_fields = ["subscriber__email"]
    list_select_related = ["digest", "subscriber"]
    raw_id_fields = ["digest", "subscriber"]
    readonly_fields = ["digest", "subscriber", "claimed_at", "claim", "sent_at"]
    actions = ["retry_failed"]

    @admin.action(description=_("Send failed copies again"))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        from newsletter.tasks import deliveries_send_task

        digests = set(queryset.filter(status="failed").values_list("digest_id", flat=True))
        queryset.filter(status="failed").update(status="pending", attempts=0, error="")
        for digest_id in digests:
            deliveries_send_task.delay(digest_id)
