"""The life of an assignment, in one table.

::

    assigned -> in_progress -> completed
        |            |-> waived (by HR, reason required)
        |-> completed (a module with nothing left to do)
        |-> waived

``overdue`` is not stored: it is an open assignment (assigned or in
progress) whose due date has passed, computed when read so it is never stale.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    OVERDUE = "overdue", _("Overdue")
    WAIVED = "waived", _("Waived")


OPEN_STATUSES = [AssignmentStatus.ASSIGNED.value, AssignmentStatus.IN_PROGRESS.value]

TRANSITIONS: dict[str, set[str]] = {
    AssignmentStatus.ASSIGNED: {AssignmentStatus.IN_PROGRESS, AssignmentStatus.COMPLETED, AssignmentStatus.WAIVED},
    AssignmentStatus.IN_PROGRESS: {AssignmentStatus.COMPLETED, AssignmentStatus.WAIVED},
    AssignmentStatus.COMPLETED: set(),
    AssignmentStatus.WAIVED: set(),
}


class TrainingError(Exception):
    """A training action that the current state does not allow. The API
    answers 409 with ``code`` and, for state moves, the allowed ones."""

    def __init__(
        self,
        message: Any,
        *,
        code: str = "conflict",
        allowed: list[str] | None = None,
        status: int = 409,
        field: str | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.allowed = allowed or []
        # 400 for input that can never be right, 409 for "not in this state".
        self.status = status
        self.field = field


def allowed_moves(status: str) -> list[str]:
    return sorted(TRANSITIONS.get(status, set()))


def transition_check(*, current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, set()):
        allowed = allowed_moves(current)
        raise TrainingError(
            _("This assignment is %(current)s; it cannot become %(target)s. Allowed: %(allowed)s.")
            % {
                "current": AssignmentStatus(current).label,
                "target": AssignmentStatus(target).label,
                "allowed": ", ".join(str(AssignmentStatus(s).label) for s in allowed) or _("none"),
            },
            code="transition_not_allowed",
            allowed=allowed,
        )
