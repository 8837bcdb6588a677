from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from notifications.selectors import notification_unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never show the header badge pay no query.
    return {"notifications_unread": lambda: notification_unread_count(user=user)}
