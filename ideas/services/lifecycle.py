"""The two lifecycle tracks and duplicate merges."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role
from ideas import selectors
from ideas.models import EventTrack, Follow, Idea, Vote
from ideas.services._common import (
    KIND_ASSIGNED,
    _event,
    _locked,
    _notify_move,
)
from ideas.workflow import (
    PATENT_MOVES,
    PATENT_TRACK_STATUSES,
    STATUS_MOVES,
    MoveNotAllowed,
    PatentStatus,
    Status,
    move_check,
    role_check,
)
from notifications.services import notify


def _check_complete(idea: Idea) -> None:
    missing = {name: _("Answer this before you submit.") for name in REQUIRED_TO_SUBMIT if not getattr(idea, name)}
    if idea.metric == "other" and not idea.metric_other.strip():
        missing["metric_other"] = _("Name the metric this idea should move.")
    if missing:
        raise ValidationError(missing)


REQUIRED_TO_SUBMIT = ("problem", "proposal", "customers_affected", "customer_delight", "metric")

# --- the status track -----------------------------------------------------------


@transaction.atomic(durable=True)
def idea_transition(
    *,
    idea: Idea,
    actor: User,
    to: str,
    comment: str = "",
    reason: str = "",
    duplicate_of: Idea | None = None,
    reviewer: User | None = None,
    launched_on: date | None = None,
    outcome: str = "",
) -> Idea:
    """Move an idea along its status track, if the table allows this actor
    to from the current status; appends one history row and notifies the
    author, co-authors and followers. Raises MoveForbidden (the role may
    never do this), MoveNotAllowed (not from here; lists what is open) or
    ValidationError (the move is missing what it needs)."""
    if to == Status.DUPLICATE and duplicate_of is not None:
        # Lock both ideas in one order (by id) before anything else, so two
        # reviewers merging A into B and B into A at once queue up instead
        # of deadlocking; the second then finds the first's result.
        list(Idea.objects.select_for_update().filter(pk__in=[idea.pk, duplicate_of.pk]).order_by("pk"))
    idea = _locked(idea)
    roles = selectors.idea_roles(idea=idea, user=actor)
    move = move_check(STATUS_MOVES, current=idea.status, target=to, roles=roles, labels=Status)
    comment, reason, outcome = comment.strip(), reason.strip(), outcome.strip()
    given = {"comment": comment, "reason": reason, "duplicate_of": duplicate_of, "launched_on": launched_on}
    missing = {name: _("This move needs it.") for name in move.requires if not given.get(name)}
    if missing:
        raise ValidationError(missing)

    now = timezone.now()
    changes: dict[str, Any] = {"status": to, "updated_at": now}
    details: dict[str, Any] = {}
    related: Idea | None = None
    if to == Status.SUBMITTED:
        _check_complete(idea)
        changes.update(submitted_at=idea.submitted_at or now, queued_at=now, escalated_at=None)
    elif to == Status.IN_REVIEW:
        assignee = reviewer or actor
        if not user_has_role(user=assignee, role=Role.REVIEWER):
            raise ValidationError({"reviewer": _("Only a reviewer can be assigned.")})
        changes.update(reviewer=assignee, first_reviewed_at=idea.first_reviewed_at or now)
        details["reviewer"] = assignee.pk
    elif to == Status.REJECTED:
        changes.update(rejection_reason=reason, decided_at=now, closed_at=now)
        comment = comment or reason
    elif to == Status.ACCEPTED:
        changes.update(decided_at=now)
    elif to == Status.PILOTING:
        changes.update(piloted_at=now)
    elif to == Status.LAUNCHED:
        assert launched_on is not None  # noqa: S101 - guaranteed by move.requires
        changes.update(launched_on=launched_on, launch_outcome=outcome, launched_at=now)
        details["launched_on"] = launched_on.isoformat()
        if outcome:
            details["outcome"] = outcome
    elif to == Status.WITHDRAWN:
        changes.update(closed_at=now)
    elif to == Status.DUPLICATE:
        assert duplicate_of is not None  # noqa: S101 - guaranteed by move.requires
        related = _duplicate_target_check(idea=idea, target=duplicate_of, actor=actor)
        changes.update(duplicate_of=related, decided_at=now, closed_at=now)
        details["duplicate_of"] = related.pk

    # Notify the audience as it was before the move (a merge moves followers away).
    audience = list(selectors.idea_audience(idea=idea))
    changed = Idea.objects.filter(pk=idea.pk, status=idea.status).update(**changes)
    if changed != 1:  # pragma: no cover - the row lock makes this unreachable
        raise MoveNotAllowed(_("The idea changed meanwhile; reload and try again."))
    if related is not None:
        details.update(_merge(source=idea, target=related, actor=actor, comment=comment))
    _event(
        idea=idea,
        actor=actor,
        track=EventTrack.STATUS,
        from_value=idea.status,
        to_value=to,
        comment=comment,
        related_idea=related,
        details=details,
    )
    idea.refresh_from_db()
    title_text = idea.title

    def title() -> str:
        return gettext("“%(title)s” is now: %(status)s") % {"title": title_text, "status": Status(to).label}

    _notify_move(idea=idea, actor=actor, audience=audience, title=title, body=comment)
    if to == Status.IN_REVIEW and idea.reviewer and idea.reviewer != actor:
        notify(
            recipients=[idea.reviewer],
            kind=KIND_ASSIGNED,
            title=lambda: gettext("You were asked to review “%(title)s”") % {"title": title_text},
            url=idea.get_absolute_url(),
        )
    return idea


def _duplicate_target_check(*, idea: Idea, target: Idea, actor: User) -> Idea:
    """The idea a duplicate points at: visible, another idea, not itself a
    duplicate (so chains, and with them cycles, cannot form)."""
    target = selectors.idea_visible(user=actor).select_for_update().filter(pk=target.pk).first()  # type: ignore[assignment]
    if target is None or target.pk == idea.pk:
        raise ValidationError({"duplicate_of": _("Choose another idea that you can see.")})
    if target.status in (Status.DRAFT, Status.DUPLICATE, Status.WITHDRAWN):
        message = _("An idea that is %(status)s cannot take duplicates.")
        raise ValidationError({"duplicate_of": message % {"status": target.get_status_display()}})
    return target


def _merge(*, source: Idea, target: Idea, actor: User, comment: str) -> dict[str, int]:
    """Move the duplicate's votes and followers to the original. A person who
    backed both counts once; the original's authors cannot vote for it, so
    their votes are dropped. Earlier duplicates of the source now point at
    the target. Both counts are recomputed from the rows."""
    target_authors = {target.author_id, *target.co_authors.values_list("pk", flat=True)}
    backers = set(Vote.objects.filter(idea=target).values_list("user_id", flat=True)) | target_authors
    votes_moved = Vote.objects.filter(idea=source).exclude(user_id__in=backers).update(idea=target)
    Vote.objects.filter(idea=source).delete()
    followers = set(Follow.objects.filter(idea=target).values_list("user_id", flat=True))
    followers_moved = Follow.objects.filter(idea=source).exclude(user_id__in=followers).update(idea=target)
    Follow.objects.filter(idea=source).delete()
    Idea.objects.filter(duplicate_of=source).update(duplicate_of=target)
    Idea.objects.filter(pk=source.pk).update(vote_count=0)
    Idea.objects.filter(pk=target.pk).update(vote_count=Vote.objects.filter(idea=target).count())
    result = {"votes_moved": votes_moved, "followers_moved": followers_moved}
    _event(
        idea=target,
        actor=actor,
        track=EventTrack.MERGE,
        from_value=target.status,
        to_value=target.status,
        comment=comment,
        related_idea=source,
        details=result,
    )
    return result


# --- the patent track -------------------------------------------------------------


@transaction.atomic(durable=True)
def idea_patent_transition(
    *,
    idea: Idea,
    actor: User,
    to: str,
    comment: str = "",
    application_number: str = "",
    filed_on: date | None = None,
    patent_number: str = "",
    granted_on: date | None = None,
) -> Idea:
    """Move an accepted, piloting or launched idea along the patent track:
    disclosed, filed (application number and date), granted (patent number
    and date), or abandoned. Same refusals and history as the status track."""
    idea = _locked(idea)
    roles = selectors.idea_roles(idea=idea, user=actor)
    if idea.status not in PATENT_TRACK_STATUSES:
        role_check(PATENT_MOVES, target=to, roles=roles, labels=PatentStatus)
        raise MoveNotAllowed(
            _("The patent track opens once an idea is accepted; this one is %(status)s.")
            % {"status": idea.get_status_display()},
            allowed=[],
        )
    move = move_check(PATENT_MOVES, current=idea.patent_status, target=to, roles=roles, labels=PatentStatus)
    application_number, patent_number = application_number.strip(), patent_number.strip()
    given = {
        "application_number": application_number,
        "filed_on": filed_on,
        "patent_number": patent_number,
        "granted_on": granted_on,
    }
    missing = {name: _("This move needs it.") for name in move.requires if not given.get(name)}
    if missing:
        raise ValidationError(missing)
    changes: dict[str, Any] = {"patent_status": to, "updated_at": timezone.now()}
    details: dict[str, Any] = {}
    if to == PatentStatus.FILED:
        changes.update(patent_application_number=application_number, patent_filed_on=filed_on)
        details = {"application_number": application_number, "filed_on": str(filed_on)}
    elif to == PatentStatus.GRANTED:
        changes.update(patent_number=patent_number, patent_granted_on=granted_on)
        details = {"patent_number": patent_number, "granted_on": str(granted_on)}
    audience = list(selectors.idea_audience(idea=idea))
    Idea.objects.filter(pk=idea.pk, patent_status=idea.patent_status).update(**changes)
    _event(
        idea=idea,
        actor=actor,
        track=EventTrack.PATENT,
        from_value=idea.patent_status,
        to_value=to,
        comment=comment.strip(),
        details=details,
    )
    idea.refresh_from_db()
    title_text = idea.title

    def title() -> str:
        return gettext("Patent for “%(title)s”: %(status)s") % {"title": title_text, "status": PatentStatus(to).label}

    _notify_move(idea=idea, actor=actor, audience=audience, title=title, body=comment.strip())
    return idea
