"""Reads about people."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import ADMIN_ROLE, Role

_ROLE_NAMES = {role.value for role in Role}


def user_roles(*, user: User | AnonymousUser) -> list[str]:
    """Role names the person holds, in a stable order; ``admin`` for superusers.

    Reads the groups once per request object (cached on the user instance),
    so templates and API views can ask freely.
    """
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_role_names", None)
    if cached is None:
        names = {name for name in user.groups.values_list("name", flat=True) if name in _ROLE_NAMES}
        order = [role.value for role in Role]
        cached = [name for name in order if name in names]
        if user.is_superuser:
            cached.append(ADMIN_ROLE)
        user.__dict__["_role_names"] = cached
    return list(cached)


def user_has_role(*, user: User | AnonymousUser, role: str) -> bool:
    roles = user_roles(user=user)
    return role in roles or ADMIN_ROLE in roles


def user_list() -> QuerySet[User]:
    return User.objects.select_related("department").order_by("display_name")
