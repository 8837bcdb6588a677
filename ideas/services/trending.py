"""The stored trending score: ``vote_count`` plus extra weight for recent votes.

A vote of the last day counts 8, of the last week 4, of the last month 2, an
older one 1. ``vote_add``/``vote_remove`` move the score with the vote (a new
vote adds 8), and the beat task ``ideas.trending_refresh`` ages it: it
recomputes the ideas with votes in the last 30 days and resets to
``vote_count`` those whose recent votes have all aged out, in batches, so the
"trending" list is a walk of the ``ideas_public_trending`` index.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from ideas.models import Idea, Vote

# (age, extra weight on top of the 1 every vote counts in vote_count)
WINDOWS = ((timedelta(days=1), 7), (timedelta(days=7), 3), (timedelta(days=30), 1))
NEW_VOTE_EXTRA = WINDOWS[0][1]
TRENDING_BATCH_SIZE = 1000


def vote_extra(voted_at: datetime, now: datetime) -> int:
    """What one vote adds to the score beyond the 1 in ``vote_count``."""
    for age, extra in WINDOWS:
        if voted_at >= now - age:
            return extra
    return 0


def trending_refresh(*, now: datetime | None = None, batch_size: int = TRENDING_BATCH_SIZE) -> int:
    """Recompute every score that the passage of time changed; returns how
    many ideas were updated. Idempotent and safe to run concurrently with
    votes (each batch is one short transaction of guarded updates)."""
    now = now or timezone.now()
    extra = Case(
        *[When(created_at__gte=now - age, then=Value(weight)) for age, weight in WINDOWS],
        default=Value(0),
        output_field=IntegerField(),
    )
    recent = dict(
        Vote.objects.filter(created_at__gte=now - WINDOWS[-1][0])
        .values("idea_id")
        .annotate(extra=Sum(extra))
        .values_list("idea_id", "extra")
    )
    updated = 0
    ids = sorted(recent)
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            for idea_id in batch:
                updated += (
                    Idea.objects.filter(pk=idea_id)
                    .exclude(trending_score=F("vote_count") + recent[idea_id])
                    .update(trending_score=F("vote_count") + recent[idea_id])
                )
    # Ideas whose recent votes all aged out: back to their plain vote count.
    cutoff = now - WINDOWS[-1][0]
    stale = (
        Idea.objects.filter(~Q(trending_score=F("vote_count")))
        .exclude(Exists(Vote.objects.filter(idea=OuterRef("pk"), created_at__gte=cutoff)))
        .values_list("pk", flat=True)
    )
    while True:
        batch = list(stale[:batch_size])
        if not batch:
            break
        updated += Idea.objects.filter(pk__in=batch).update(trending_score=F("vote_count"))
    return updated
