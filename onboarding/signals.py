"""Onboarding plans: a person who joins a department gets its plan.

Watched on the User model itself (created, or moved to another department)
so every way of creating or moving an account counts: the service, the
admin, a management command.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from onboarding.services.assignments import plans_apply_for_member


def remember_department(sender: type[User], instance: User, raw: bool = False, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None:
        instance._onboarding_old_department_id = None  # type: ignore[attr-defined]
        return
    if update_fields is not None and not {"department", "department_id"} & set(update_fields):
        # e.g. the last_login update on every sign-in: no department change.
        instance._onboarding_old_department_id = instance.department_id  # type: ignore[attr-defined]
        return
    old = User.objects.filter(pk=instance.pk).values_list("department_id", flat=True).first()
    instance._onboarding_old_department_id = old  # type: ignore[attr-defined]


def apply_plans_on_join(sender: type[User], instance: User, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    old = getattr(instance, "_onboarding_old_department_id", None)
    if instance.department_id and instance.department_id != old:
        plans_apply_for_member(user=instance)
