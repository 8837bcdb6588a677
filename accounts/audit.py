"""The admin's audit trail: every add, change and delete made through the
Django admin on the models that hold people's work (ideas, training
assignments, subscribers) writes one append-only ``AuditEntry``.

It lives in ``accounts`` because it records *who* did something, and every
app already depends on accounts; apps mix ``AuditedAdmin`` into their
``ModelAdmin`` (an admin is not a view, so the one-way dependency rule holds).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from accounts.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set)) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return sorted(str(getattr(item, "pk", item)) for item in items)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def audit_record(*, actor: Any, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEntry:
    """Append one audit row for ``obj`` (call it inside the change's transaction)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        changes=changes or {},
    )


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes each leave an audit row."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            old = type(obj)._base_manager.filter(pk=obj.pk).first()
            for name in form.changed_data:
                if old is not None and hasattr(old, name):
                    before[name] = _plain(getattr(old, name))
        super().save_model(request, obj, form, change)
        # On the request, not on self: one ModelAdmin serves every thread.
        request._audit_pending = (obj, change, before, list(form.changed_data), form)  # type: ignore[attr-defined]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj, was_change, before, changed, form = request._audit_pending  # type: ignore[attr-defined]
        changes = {name: [before.get(name), _plain(form.cleaned_data.get(name))] for name in changed}
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.CHANGE if was_change else AuditEntry.Action.ADD,
            obj=obj,
            changes=changes,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(actor=request.user, action=AuditEntry.Action.DELETE, obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit_record(actor=request.user, action=AuditEntry.Action.DELETE, obj=obj)
        super().delete_queryset(request, queryset)
