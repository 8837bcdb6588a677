"""The idea lifecycle: one table of allowed moves per role, for both tracks.

It reads like the diagram in PRODUCT.md::

    draft -> submitted -> in_review -> accepted -> piloting -> launched
                  |            |-> needs_info -> (author edits) -> submitted
                  |            |-> rejected (reason required)
                  |-> duplicate (of another idea)
    draft / submitted / needs_info -> withdrawn (by the author)
    accepted -> launched (without a pilot)

    patent: none -> disclosed -> filed -> granted, or -> abandoned

A move is named by where it goes (``to``). Checking one has two steps: a
role that may never make this kind of move is refused (``MoveForbidden``,
403); a role that may, but not from the current state, is refused with the
moves that *are* open to it (``MoveNotAllowed``, 409). Services are the only
callers; pages and the API turn the errors into answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("Needs more information")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    PILOTING = "piloting", _("Piloting")
    LAUNCHED = "launched", _("Launched")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PatentStatus(models.TextChoices):
    NONE = "none", _("No patent")
    DISCLOSED = "disclosed", _("Disclosed")
    FILED = "filed", _("Filed")
    GRANTED = "granted", _("Granted")
    ABANDONED = "abandoned", _("Abandoned")


# Roles a person holds *toward one idea*: authors and co-authors are
# "author"; people with the reviewer role (or admins) are "reviewer".
AUTHOR = "author"
REVIEWER = "reviewer"


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    role: str
    label: Any
    # Inputs the move cannot go without (checked by the service).
    requires: tuple[str, ...] = ()


S, P = Status, PatentStatus

STATUS_MOVES: tuple[Move, ...] = (
    Move(S.DRAFT, S.SUBMITTED, AUTHOR, _("Submit")),
    Move(S.SUBMITTED, S.IN_REVIEW, REVIEWER, _("Take into review")),
    Move(S.SUBMITTED, S.DUPLICATE, REVIEWER, _("Mark as duplicate"), requires=("duplicate_of",)),
    Move(S.IN_REVIEW, S.NEEDS_INFO, REVIEWER, _("Ask for more information"), requires=("comment",)),
    Move(S.NEEDS_INFO, S.SUBMITTED, AUTHOR, _("Resubmit")),
    Move(S.IN_REVIEW, S.ACCEPTED, REVIEWER, _("Accept")),
    Move(S.IN_REVIEW, S.REJECTED, REVIEWER, _("Reject"), requires=("reason",)),
    Move(S.ACCEPTED, S.PILOTING, REVIEWER, _("Start a pilot")),
    Move(S.ACCEPTED, S.LAUNCHED, REVIEWER, _("Launch"), requires=("launched_on",)),
    Move(S.PILOTING, S.LAUNCHED, REVIEWER, _("Launch"), requires=("launched_on",)),
    Move(S.DRAFT, S.WITHDRAWN, AUTHOR, _("Withdraw")),
    Move(S.SUBMITTED, S.WITHDRAWN, AUTHOR, _("Withdraw")),
    Move(S.NEEDS_INFO, S.WITHDRAWN, AUTHOR, _("Withdraw")),
)

PATENT_MOVES: tuple[Move, ...] = (
    Move(P.NONE, P.DISCLOSED, REVIEWER, _("Record the invention disclosure")),
    Move(P.DISCLOSED, P.FILED, REVIEWER, _("Record the patent filing"), requires=("application_number", "filed_on")),
    Move(P.FILED, P.GRANTED, REVIEWER, _("Record the patent grant"), requires=("patent_number", "granted_on")),
    Move(P.DISCLOSED, P.ABANDONED, REVIEWER, _("Abandon the patent")),
    Move(P.FILED, P.ABANDONED, REVIEWER, _("Abandon the patent")),
)

# The patent track is open only to ideas that made it through review.
PATENT_TRACK_STATUSES = frozenset({S.ACCEPTED, S.PILOTING, S.LAUNCHED})
# Ideas people may still vote on.
OPEN_STATUSES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO, S.ACCEPTED, S.PILOTING})
# Statuses in which authors may edit the text.
EDITABLE_STATUSES = frozenset({S.DRAFT, S.NEEDS_INFO})
# Before the decision reviewers may still change their scorecards.
SCORING_STATUSES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO})


class WorkflowError(Exception):
    """A refused request; ``message`` is written for the person."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


class MoveForbidden(WorkflowError):
    """The person's role may not do this at all (403)."""


class MoveNotAllowed(WorkflowError):
    """Not from the current state (409); ``allowed`` lists what is open."""

    def __init__(self, message: Any, allowed: list[str] | None = None) -> None:
        super().__init__(message)
        self.allowed = allowed or []


def _roles_for(moves: tuple[Move, ...], target: str) -> set[str]:
    return {move.role for move in moves if move.target == target}


def moves_open(moves: tuple[Move, ...], *, current: str, roles: set[str]) -> list[Move]:
    """Moves the holder of ``roles`` can make from ``current``, in table order."""
    return [move for move in moves if move.source == current and move.role in roles]


def role_check(moves: tuple[Move, ...], *, target: str, roles: set[str], labels: type[models.TextChoices]) -> None:
    """Refuse (403) a move to ``target`` that none of ``roles`` may ever make."""
    if not roles & _roles_for(moves, target):
        raise MoveForbidden(_("You may not move an idea to “%(target)s”.") % {"target": labels(target).label})


def move_check(
    moves: tuple[Move, ...], *, current: str, target: str, roles: set[str], labels: type[models.TextChoices]
) -> Move:
    """Return the move from ``current`` to ``target`` or raise why not."""
    role_check(moves, target=target, roles=roles, labels=labels)
    for move in moves:
        if move.source == current and move.target == target and move.role in roles:
            return move
    allowed = [move.target for move in moves_open(moves, current=current, roles=roles)]
    names = ", ".join(str(labels(value).label) for value in allowed) or _("none")
    raise MoveNotAllowed(
        _("An idea cannot move from “%(current)s” to “%(target)s”. Allowed from here: %(allowed)s.")
        % {"current": labels(current).label, "target": labels(target).label, "allowed": names},
        allowed=allowed,
    )
