"""Shared by the ideas services: row locks, history rows, follows, the
notification kinds this app sends."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from ideas.models import Campaign, Follow, Idea, IdeaEvent, Tag, tag_slug
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


def _tag_for(name: str) -> Tag:
    """The tag of that name or slug (see ``tag_slug``), created if new. Two
    requests creating it at once meet at the unique constraints: one
    inserts, the other reads its row."""
    slug = tag_slug(name)
    match = Q(name__iexact=name) | Q(slug=slug)
    existing = Tag.objects.filter(match).order_by("pk").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Tag.objects.create(name=name, slug=slug)
    except IntegrityError:
        return Tag.objects.filter(match).order_by("pk").first() or Tag.objects.get(slug=slug)


def _tags_from_names(names: Iterable[str]) -> list[Tag]:
    tags: dict[int, Tag] = {}
    for raw in names:
        name = " ".join(str(raw).split())[:60]
        if name:
            tag = _tag_for(name)
            tags.setdefault(tag.pk, tag)
    return list(tags.values())


def _notify_move(*, idea: Idea, actor: User, audience: list[User], title: Any, body: str) -> None:
    notify(recipients=audience, kind=KIND_MOVED, title=title, body=body, url=idea.get_absolute_url(), exclude=[actor])
