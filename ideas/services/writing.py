"""Creating and editing ideas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import audit_record
from accounts.models import AuditEntry, Department, User
from ideas import selectors
from ideas.models import Campaign, Idea
from ideas.services._common import (
    _check_campaign,
    _follow,
    _locked,
    _tags_from_names,
)
from ideas.workflow import (
    EDITABLE_STATUSES,
    MoveForbidden,
    MoveNotAllowed,
)

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


# Not durable, unlike the other top-level services: the Django admin, its
# only caller today, runs its delete view inside a transaction of its own.
@transaction.atomic
def idea_delete(*, idea: Idea, actor: User) -> bool:
    """Hide an idea for good: it leaves every list, search, export, digest
    and API answer, but its row, votes, comments and history stay (so a
    mistaken delete can be undone by an admin and nothing is lost). The
    change is audited. Returns False when it was already deleted."""
    now = timezone.now()
    changed = Idea.all_objects.filter(pk=idea.pk, deleted_at__isnull=True).update(deleted_at=now, deleted_by=actor)
    if changed:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            obj=idea,
            changes={"deleted_at": [None, now.isoformat()]},
        )
    return bool(changed)
