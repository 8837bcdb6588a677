"""Every write to ideas: creating and editing, the two lifecycle tracks,
duplicate merges, votes, follows, comments, scorecards and triage.

Top-level services are durable transactions that lock the idea row they
change, check the workflow table, make a guarded update and append one
history row per move. Notifications go through the one notifications
facility; their e-mail copies leave after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_has_role
from ideas import selectors
from ideas.models import TRIAGE_WINDOW, Campaign, Comment, EventTrack, Follow, Idea, IdeaEvent, Scorecard, Tag, Vote
from ideas.workflow import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    PATENT_MOVES,
    PATENT_TRACK_STATUSES,
    SCORING_STATUSES,
    STATUS_MOVES,
    MoveForbidden,
    MoveNotAllowed,
    PatentStatus,
    Status,
    move_check,
    role_check,
)
from notifications.kinds import kind_register
from notifications.services import notify

KIND_MOVED = "ideas.moved"
KIND_COMMENT = "ideas.comment"
KIND_ASSIGNED = "ideas.assigned"
KIND_OVERDUE = "ideas.overdue"
kind_register(KIND_MOVED, _("An idea I wrote or follow moves on"), email_default=True)
kind_register(KIND_COMMENT, _("Someone comments on an idea I wrote or follow"), email_default=False)
kind_register(KIND_ASSIGNED, _("An idea is assigned to me for review"), email_default=True)
kind_register(KIND_OVERDUE, _("An idea waits for triage longer than 24 hours"), email_default=True)

TRIAGE_BATCH_SIZE = 100
REQUIRED_TO_SUBMIT = ("problem", "proposal", "customers_affected", "customer_delight", "metric")
EDITABLE_FIELDS = (
    "title",
    "problem",
    "proposal",
    "customers_affected",
    "customer_delight",
    "metric",
    "metric_other",
    "campaign",
    "department",
)


# --- helpers ------------------------------------------------------------------


def _locked(idea: Idea) -> Idea:
    """Re-read the idea under a row lock: every change starts here."""
    return Idea.objects.select_for_update().get(pk=idea.pk)


def _event(
    *,
    idea: Idea,
    actor: User | None,
    track: str,
    from_value: str,
    to_value: str,
    comment: str = "",
    related_idea: Idea | None = None,
    details: dict[str, Any] | None = None,
) -> IdeaEvent:
    return IdeaEvent.objects.create(
        idea=idea,
        actor=actor,
        track=track,
        from_value=from_value,
        to_value=to_value,
        comment=comment,
        related_idea=related_idea,
        details=details or {},
    )


def _follow(idea: Idea, users: Iterable[User]) -> None:
    Follow.objects.bulk_create([Follow(idea=idea, user=user) for user in users], ignore_conflicts=True)


def _check_campaign(campaign: Campaign | None, *, current: Campaign | None = None) -> None:
    if campaign is not None and campaign != current and not campaign.is_open():
        raise ValidationError(
            {"campaign": _("“%(campaign)s” is not open for ideas now.") % {"campaign": campaign.title}}
        )


def _tags_from_names(names: Iterable[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = " ".join(str(raw).split())[:60]
        if name:
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
            tags.append(tag)
    return tags


def _notify_move(*, idea: Idea, actor: User, audience: list[User], title: Any, body: str) -> None:
    notify(recipients=audience, kind=KIND_MOVED, title=title, body=body, url=idea.get_absolute_url(), exclude=[actor])


# --- creating and editing -----------------------------------------------------


@transaction.atomic(durable=True)
def idea_create(
    *,
    author: User,
    title: str,
    problem: str = "",
    proposal: str = "",
    customers_affected: str = "",
    customer_delight: str = "",
    metric: str = "",
    metric_other: str = "",
    campaign: Campaign | None = None,
    department: Department | None = None,
    tags: Iterable[str] = (),
    co_authors: Iterable[User] = (),
) -> Idea:
    """Create a draft. Only an open campaign can be joined. The author and
    co-authors follow the idea from the start."""
    _check_campaign(campaign)
    idea = Idea(
        author=author,
        title=title,
        problem=problem,
        proposal=proposal,
        customers_affected=customers_affected,
        customer_delight=customer_delight,
        metric=metric,
        metric_other=metric_other,
        campaign=campaign,
        department=department or author.department,
    )
    idea.full_clean(exclude=["author"])
    idea.save()
    idea.tags.set(_tags_from_names(tags))
    others = [user for user in co_authors if user.pk != author.pk]
    idea.co_authors.set(others)
    _follow(idea, [author, *others])
    return idea


@transaction.atomic(durable=True)
def idea_update(
    *,
    idea: Idea,
    actor: User,
    tags: Iterable[str] | None = None,
    co_authors: Iterable[User] | None = None,
    **fields: Any,
) -> Idea:
    """Authors and co-authors edit their idea while it is a draft or needs
    more information; each other case is refused without a change."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    idea = _locked(idea)
    if not selectors.idea_is_author(idea=idea, user=actor):
        raise MoveForbidden(_("Only the idea's authors can edit it."))
    if idea.status not in EDITABLE_STATUSES:
        raise MoveNotAllowed(_("An idea can be edited only while it is a draft or needs more information."))
    if "campaign" in fields:
        _check_campaign(fields["campaign"], current=idea.campaign)
    for name, value in fields.items():
        setattr(idea, name, value)
    idea.full_clean(exclude=["author"])
    idea.save()
    if tags is not None:
        idea.tags.set(_tags_from_names(tags))
    if co_authors is not None:
        others = [user for user in co_authors if user.pk != idea.author_id]
        idea.co_authors.set(others)
        _follow(idea, others)
    return idea


def _check_complete(idea: Idea) -> None:
    missing = {name: _("Answer this before you submit.") for name in REQUIRED_TO_SUBMIT if not getattr(idea, name)}
    if idea.metric == "other" and not idea.metric_other.strip():
        missing["metric_other"] = _("Name the metric this idea should move.")
    if missing:
        raise ValidationError(missing)


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


# --- votes, follows, comments ----------------------------------------------------------


def _vote_check(idea: Idea, user: User) -> None:
    if selectors.idea_is_author(idea=idea, user=user):
        raise MoveForbidden(_("You cannot vote on an idea you wrote or co-wrote."))
    if idea.status not in OPEN_STATUSES:
        raise MoveNotAllowed(
            _("Votes are closed: the idea is %(status)s.") % {"status": idea.get_status_display()}, allowed=[]
        )


@transaction.atomic(durable=True)
def vote_add(*, idea: Idea, user: User) -> Idea:
    """Back an open idea. A second vote is a no-op (the unique constraint
    decides, not a Python check). The voter follows the idea."""
    idea = _locked(idea)
    _vote_check(idea, user)
    try:
        with transaction.atomic():
            Vote.objects.create(idea=idea, user=user)
    except IntegrityError:
        return idea
    Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
    _follow(idea, [user])
    idea.refresh_from_db(fields=["vote_count"])
    return idea


@transaction.atomic(durable=True)
def vote_remove(*, idea: Idea, user: User) -> Idea:
    """Take a vote back while the idea is open; without a vote, a no-op."""
    idea = _locked(idea)
    _vote_check(idea, user)
    deleted, _details = Vote.objects.filter(idea=idea, user=user).delete()
    if deleted:
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") - 1)
        idea.refresh_from_db(fields=["vote_count"])
    return idea


def follow_add(*, idea: Idea, user: User) -> None:
    """Hear about every move of the idea (idempotent)."""
    _follow(idea, [user])


def follow_remove(*, idea: Idea, user: User) -> None:
    Follow.objects.filter(idea=idea, user=user).delete()


@transaction.atomic(durable=True)
def comment_create(*, idea: Idea, author: User, body: str) -> Comment:
    """Add a comment (Markdown, sanitized when rendered); the commenter
    follows the idea and the other followers hear about it."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    idea = _locked(idea)
    if idea.status == Status.DRAFT and not selectors.idea_is_author(idea=idea, user=author):
        raise MoveForbidden(_("Only the authors can comment on a draft."))
    comment = Comment.objects.create(idea=idea, author=author, body=body)
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
    _follow(idea, [author])
    title_text, name = idea.title, author.display_name
    notify(
        recipients=selectors.idea_audience(idea=idea),
        kind=KIND_COMMENT,
        title=lambda: gettext("%(name)s commented on “%(title)s”") % {"name": name, "title": title_text},
        body=body[:500],
        url=f"{idea.get_absolute_url()}#comment-{comment.pk}",
        exclude=[author],
    )
    return comment


# --- scorecards ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def scorecard_save(
    *,
    idea: Idea,
    reviewer: User,
    customer_impact: int,
    feasibility: int,
    novelty: int,
    cost: int,
    comment: str = "",
) -> Scorecard:
    """Create or change the reviewer's one scorecard for the idea, until the
    decision. Authors do not score their own ideas."""
    idea = _locked(idea)
    if not user_has_role(user=reviewer, role=Role.REVIEWER):
        raise MoveForbidden(_("Only reviewers fill in scorecards."))
    if selectors.idea_is_author(idea=idea, user=reviewer):
        raise MoveForbidden(_("You cannot score an idea you wrote or co-wrote."))
    if idea.status not in SCORING_STATUSES:
        raise MoveNotAllowed(
            _("Scorecards are closed: the idea is %(status)s.") % {"status": idea.get_status_display()}, allowed=[]
        )
    scores = {"customer_impact": customer_impact, "feasibility": feasibility, "novelty": novelty, "cost": cost}
    errors = {name: _("Give a score from 1 to 5.") for name, value in scores.items() if not 1 <= int(value) <= 5}
    if errors:
        raise ValidationError(errors)
    scorecard, _created = Scorecard.objects.update_or_create(
        idea=idea, reviewer=reviewer, defaults={**scores, "comment": comment.strip()}
    )
    return scorecard


# --- campaigns and triage -----------------------------------------------------------------


@transaction.atomic(durable=True)
def campaign_create(
    *, actor: User, title: str, brief: str = "", opens_on: date, closes_on: date, slug: str = ""
) -> Campaign:
    """Reviewers open time-boxed challenges that ideas can join."""
    from django.utils.text import slugify

    if not user_has_role(user=actor, role=Role.REVIEWER):
        raise MoveForbidden(_("Only reviewers create campaigns."))
    base = slug or slugify(title, allow_unicode=True)[:180] or "campaign"
    candidate, n = base, 1
    while Campaign.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("A campaign cannot close before it opens.")})
    campaign = Campaign(
        title=title, brief=brief, opens_on=opens_on, closes_on=closes_on, slug=candidate, created_by=actor
    )
    campaign.full_clean()
    campaign.save()
    return campaign


def triage_escalate(*, now: datetime | None = None, batch_size: int = TRIAGE_BATCH_SIZE) -> int:
    """Tell every reviewer about each idea nobody took into review within 24
    hours, once per wait: a guarded update claims the idea (a second run, or
    a second worker, finds nothing to claim) and the notification's dedupe
    key makes a repeat a no-op. Returns how many ideas were escalated."""
    now = now or timezone.now()
    overdue = Q(status=Status.SUBMITTED, queued_at__lt=now - TRIAGE_WINDOW, escalated_at__isnull=True)
    escalated = 0
    while True:
        ids = list(Idea.objects.filter(overdue).order_by("queued_at", "id").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return escalated
        for pk in ids:
            escalated += _triage_escalate_one(pk=pk, overdue=overdue, now=now)


@transaction.atomic(durable=True)
def _triage_escalate_one(*, pk: int, overdue: Q, now: datetime) -> int:
    if not Idea.objects.filter(overdue, pk=pk).update(escalated_at=now):
        return 0
    idea = Idea.objects.get(pk=pk)
    title_text = idea.title
    queued = idea.queued_at.isoformat() if idea.queued_at else ""
    notify(
        recipients=selectors.reviewers(),
        kind=KIND_OVERDUE,
        title=lambda: gettext("Waiting over 24 hours for triage: “%(title)s”") % {"title": title_text},
        url=idea.get_absolute_url(),
        dedupe_key=f"ideas.overdue:{pk}:{queued}",
        exclude=[idea.author],
    )
    return 1
