"""Everything the newsletter reads from other apps, in one module.

The digest is built from the ideas app (its models and selectors only) and
from onboarding's ``training_highlights`` selector. Keeping every such read
here lets the rest of the newsletter work on plain data (``content`` of a
``Digest``), and a change in those apps is met in one file.

Section providers take a ``Period`` and return JSON-ready lists of items::

    {"id": 12, "title": "...", "url": "https://...", "votes": 4,
     "campaign": 3, "department": 7, "tags": [1, 5], "to": "accepted"}

Items are chosen by *event time* (``submitted_at`` for new ideas, the
history row's ``created_at`` for moves), never by when the job runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from ideas.models import EventTrack, Follow, Idea, IdeaEvent, Tag
from ideas.workflow import PatentStatus, Status
from newsletter.periods import Period
from onboarding import selectors as onboarding_selectors

TOP_NEW_LIMIT = 5
SECTION_LIMIT = 20
# New ideas that left the running (or never entered it) are not "supported".
_NOT_NEW = (Status.DRAFT, Status.WITHDRAWN, Status.DUPLICATE, Status.REJECTED)

# Section keys in the order the mail shows them. ``followed`` is personal and
# filled per subscriber from ``moved``; ``training`` is the onboarding slot.
SECTION_KEYS = ("top_new", "accepted", "launched", "patented", "training")


def _idea_url(idea: Idea) -> str:
    return f"{settings.SITE_URL}{idea.get_absolute_url()}"


def _item(idea: Idea, **extra: Any) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "title": idea.title,
        "url": _idea_url(idea),
        "votes": idea.vote_count,
        "campaign": idea.campaign_id,
        "department": idea.department_id,
        "tags": sorted(tag.pk for tag in idea.tags.all()),
        **extra,
    }


def top_new_ideas(period: Period) -> list[dict[str, Any]]:
    """The most-voted ideas first submitted in the period."""
    start, end = period.bounds()
    ideas = (
        Idea.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(status__in=_NOT_NEW)
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("pk")))
        .order_by("-vote_count", "submitted_at", "pk")[:TOP_NEW_LIMIT]
    )
    return [_item(idea) for idea in ideas]


def _events(period: Period) -> list[IdeaEvent]:
    start, end = period.bounds()
    return list(
        IdeaEvent.objects.filter(
            created_at__gte=start, created_at__lt=end, track__in=[EventTrack.STATUS, EventTrack.PATENT]
        )
        .exclude(idea__status=Status.DRAFT)
        .select_related("idea")
        .prefetch_related(Prefetch("idea__tags", queryset=Tag.objects.only("pk")))
        .order_by("created_at", "pk")
    )


def idea_moves(period: Period) -> dict[str, list[dict[str, Any]]]:
    """Ideas accepted, launched and patented in the period, and every idea
    that moved at all (its last move), for the followers' section."""
    wanted = {
        "accepted": (EventTrack.STATUS, Status.ACCEPTED),
        "launched": (EventTrack.STATUS, Status.LAUNCHED),
        "patented": (EventTrack.PATENT, PatentStatus.GRANTED),
    }
    sections: dict[str, dict[int, dict[str, Any]]] = {key: {} for key in [*wanted, "moved"]}
    for event in _events(period):
        item = _item(event.idea, track=event.track, to=event.to_value, at=event.created_at.isoformat())
        for key, (track, value) in wanted.items():
            if event.track == track and event.to_value == value:
                sections[key].setdefault(event.idea_id, item)
        sections["moved"][event.idea_id] = item  # the last move wins
    return {key: list(items.values())[:SECTION_LIMIT] for key, items in sections.items()}


def training_highlights(period: Period) -> list[dict[str, Any]]:
    """Modules published and completions in the period (onboarding's
    selector). Training news is company-wide: ``everyone`` keeps it in every
    subscriber's digest whatever topics they follow."""
    start, end = period.bounds()
    url = f"{settings.SITE_URL}{reverse('onboarding:my-training')}"
    return [
        {**item, "url": url, "everyone": True}
        for item in onboarding_selectors.training_highlights(start=start, end=end)[:SECTION_LIMIT]
    ]


def sections_collect(period: Period) -> dict[str, list[dict[str, Any]]]:
    """All shared sections of the digest for ``period``."""
    moves = idea_moves(period)
    return {
        "top_new": top_new_ideas(period),
        "accepted": moves["accepted"],
        "launched": moves["launched"],
        "patented": moves["patented"],
        "training": training_highlights(period),
        "moved": moves["moved"],
    }


def followed_idea_ids(*, user_ids: Iterable[int], idea_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each employee, which of ``idea_ids`` they follow (one query)."""
    user_ids, idea_ids = list(user_ids), list(idea_ids)
    followed: dict[int, set[int]] = defaultdict(set)
    if not user_ids or not idea_ids:
        return followed
    for user_id, idea_id in Follow.objects.filter(user_id__in=user_ids, idea_id__in=idea_ids).values_list(
        "user_id", "idea_id"
    ):
        followed[user_id].add(idea_id)
    return followed


def move_label(item: dict[str, Any]) -> str:
    """The translated name of where a moved idea went (call inside the
    recipient's language)."""
    choices = PatentStatus if item.get("track") == EventTrack.PATENT else Status
    try:
        return str(choices(item.get("to", "")).label)
    except ValueError:
        return str(item.get("to", ""))


def topic_campaigns() -> Any:
    """Campaigns a subscriber may pick as topics (a QuerySet for forms)."""
    from ideas.models import Campaign

    return Campaign.objects.order_by("title")


def topic_tags() -> Any:
    """Tags a subscriber may pick as topics (a QuerySet for forms)."""
    return Tag.objects.order_by("name")
