"""Navigation for the base layout, chosen by the person's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.selectors import user_has_role, user_roles

# (url name, label, role required or None for every signed-in person).
# Later apps add their pages here; an entry whose URL does not exist yet is
# skipped rather than rendered as a dead link.
NAVIGATION: list[tuple[str, Any, str | None]] = [
    ("home", _("Home"), None),
    ("ideas:list", _("Ideas"), None),
    ("ideas:review-queue", _("Review queue"), "reviewer"),
    ("onboarding:my-training", _("My training"), None),
    ("onboarding:hr-reports", _("Training reports"), "hr"),
    ("newsletter:subscribe", _("Newsletter"), None),
    ("newsletter:editor", _("Newsletter editor"), "editor"),
    ("api-docs", _("API"), None),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": []}
    items = []
    for url_name, label, role in NAVIGATION:
        if role and not user_has_role(user=user, role=role):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": False})
    # The section the page belongs to: the longest nav URL that prefixes the path.
    matches = [
        item
        for item in items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        best = max(matches, key=lambda item: len(item["url"]))
        # aria-current: "page" on the page itself, "true" inside its section.
        best["current"] = "page" if request.path == best["url"] else "true"
    if user.is_staff:
        items.append({"url": reverse("admin:index"), "label": _("Admin"), "current": False})
    return {"nav_items": items, "user_roles": user_roles(user=user)}
