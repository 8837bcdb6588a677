"""Votes, follows, comments and scorecards."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role
from ideas import selectors
from ideas.models import Comment, Follow, Idea, Scorecard, Vote
from ideas.services._common import (
    KIND_COMMENT,
    _follow,
    _locked,
)
from ideas.services.trending import NEW_VOTE_EXTRA, vote_extra
from ideas.workflow import (
    OPEN_STATUSES,
    SCORING_STATUSES,
    MoveForbidden,
    MoveNotAllowed,
    Status,
)
from notifications.services import notify

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
    Idea.objects.filter(pk=idea.pk).update(
        vote_count=F("vote_count") + 1, trending_score=F("trending_score") + 1 + NEW_VOTE_EXTRA
    )
    _follow(idea, [user])
    idea.vote_count += 1  # the row is locked until commit: nobody else moved the count
    return idea


@transaction.atomic(durable=True)
def vote_remove(*, idea: Idea, user: User) -> Idea:
    """Take a vote back while the idea is open; without a vote, a no-op."""
    idea = _locked(idea)
    _vote_check(idea, user)
    vote = Vote.objects.filter(idea=idea, user=user).only("pk", "created_at").first()
    if vote is not None:
        vote.delete()
        weight = 1 + vote_extra(vote.created_at, timezone.now())
        Idea.objects.filter(pk=idea.pk).update(
            vote_count=F("vote_count") - 1, trending_score=Greatest(F("trending_score") - weight, Value(0))
        )
        idea.vote_count -= 1
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
