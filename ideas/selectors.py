"""Reads about ideas, with the visibility rules applied.

``idea_visible`` is the one place that says who sees what: drafts are seen
by their authors and co-authors only; everyone signed in sees the rest.
Every page and API view starts from it.
"""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role
from ideas.models import (
    IN_REVIEW_QUEUE,
    TRIAGE_WINDOW,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaEvent,
    Scorecard,
    Tag,
    Vote,
    review_stage,
)
from ideas.workflow import (
    AUTHOR,
    PATENT_MOVES,
    PATENT_TRACK_STATUSES,
    REVIEWER,
    STATUS_MOVES,
    Move,
    Status,
    moves_open,
)

ORDERINGS = ("newest", "votes", "trending", "oldest")
SIMILAR_LIMIT = 5
# How many matches, most voted first, a search or similar-ideas lookup ranks.
SEARCH_CANDIDATES = 200


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def idea_visible(*, user: User) -> QuerySet[Idea]:
    """Every idea ``user`` may see."""
    co_authored = Idea.co_authors.through.objects.filter(user_id=user.pk).values("idea_id")
    return Idea.objects.filter(~Q(status=Status.DRAFT) | Q(author_id=user.pk) | Q(pk__in=co_authored))


def idea_is_author(*, idea: Idea, user: User) -> bool:
    if idea.author_id == user.pk:
        return True
    cache = getattr(idea, "_prefetched_objects_cache", {})
    if "co_authors" in cache:
        return any(person.pk == user.pk for person in idea.co_authors.all())
    return idea.co_authors.filter(pk=user.pk).exists()


def idea_roles(*, idea: Idea, user: User) -> set[str]:
    """The roles ``user`` holds toward this idea, as the workflow table names them."""
    # Nobody reviews their own idea: an author or co-author who is also a
    # reviewer acts only as an author on it (as in IdeaScale's conflict rule).
    if idea_is_author(idea=idea, user=user):
        return {AUTHOR}
    if user_has_role(user=user, role=Role.REVIEWER):
        return {REVIEWER}
    return set()


def idea_moves_open(*, idea: Idea, user: User) -> list[Move]:
    """Status moves ``user`` can make on this idea now."""
    return moves_open(STATUS_MOVES, current=idea.status, roles=idea_roles(idea=idea, user=user))


def idea_patent_moves_open(*, idea: Idea, user: User) -> list[Move]:
    if idea.status not in PATENT_TRACK_STATUSES:
        return []
    return moves_open(PATENT_MOVES, current=idea.patent_status, roles=idea_roles(idea=idea, user=user))


def _tag_names() -> Any:
    """The names of an idea's tags, as one column of its row (no second
    query to prefetch them): an array on PostgreSQL, JSON on SQLite."""
    names = Tag.objects.filter(ideas=OuterRef("pk")).order_by("name")
    if _is_postgres():
        return ArraySubquery(names.values("name"))
    grouped = names.annotate(names=Func(F("name"), function="json_group_array", output_field=JSONField())).values(
        "names"
    )
    return Coalesce(Subquery(grouped), Value([], output_field=JSONField()))


# What a list row, an idea card, a review-queue row and a CSV export line
# read. The long texts (problem, proposal, their HTML, search_text) stay in
# the table: a page of 25 rows would otherwise carry ~100 kB it never shows.
LIST_COLUMNS = (
    "title",
    "status",
    "patent_status",
    "vote_count",
    "comment_count",
    "metric",
    "metric_other",
    "created_at",
    "submitted_at",
    "queued_at",
    "first_reviewed_at",
    "decided_at",
    "launched_on",
    "author__display_name",
    "department__name",
    "department__slug",
    "campaign__title",
    "campaign__slug",
)


# A list row as the API writes it (``api.IdeaRowsSerializer``): plain
# values, one dict per idea, no model instances to build.
ROW_VALUES = (
    "id",
    "title",
    "status",
    "patent_status",
    "vote_count",
    "comment_count",
    "has_voted",
    "author_id",
    "author__display_name",
    "department_id",
    "department__name",
    "department__slug",
    "campaign_id",
    "campaign__title",
    "campaign__slug",
    "tag_names",
    "created_at",
    "submitted_at",
)


def idea_rows(qs: QuerySet[Idea]) -> QuerySet[Idea, dict[str, Any]]:
    """A list of ``idea_list``, ``idea_list_after`` or ``review_queue`` as
    plain rows (``ROW_VALUES``) for the API."""
    return qs.values(*ROW_VALUES)


def _with_list_data(qs: QuerySet[Idea], *, user: User, also: tuple[str, ...] = ()) -> QuerySet[Idea]:
    """What a list row shows (``tag_names``, ``has_voted`` and the author,
    department and campaign), in one query for any page size. ``also``
    names more columns to read (``reviewer__display_name``)."""
    related = ["author", "department", "campaign", *{column.split("__")[0] for column in also if "__" in column}]
    return (
        qs.select_related(*related)
        .only(*LIST_COLUMNS, *also)
        .annotate(
            tag_names=_tag_names(),
            has_voted=Exists(Vote.objects.filter(idea=OuterRef("pk"), user_id=user.pk)),
        )
    )


def _spaceless_script(text: str) -> bool:
    """Whether ``text`` has letters outside Latin: scripts such as Thai write
    words without spaces, so the full-text parser may not split them out and
    a substring match (served by the trigram index) is needed as well."""
    return any(char.isalpha() and ord(char) > 0x24F for char in text)


def _candidates(qs: QuerySet[Idea]) -> Any:
    """At most ``SEARCH_CANDIDATES`` matching ids, most voted first: a word in a
    third of a million ideas ranks a few hundred rows, not every match."""
    return qs.order_by("-vote_count", "-created_at", "-id").values("pk")[:SEARCH_CANDIDATES]


def _search(qs: QuerySet[Idea], text: str) -> QuerySet[Idea]:
    """Full-text search over title, problem and proposal, best first.

    PostgreSQL: the stored ``search_document`` (``simple`` configuration:
    words split on spaces and punctuation, no stemming; title weighted over
    problem over proposal) and its GIN index; for text in non-Latin
    scripts also a case-folded substring match, which the trigram index
    serves and which finds a word inside Thai and other scripts without
    spaces. The ``SEARCH_CANDIDATES`` most voted matches are ranked from
    their stored documents, and an exact title hit comes first. SQLite:
    every word must appear.
    """
    folded = text.casefold()
    if not _is_postgres():
        for word in folded.split():
            qs = qs.filter(search_text__contains=word)
        return qs.order_by("-vote_count", "-created_at")
    query = SearchQuery(text, config="simple", search_type="websearch")
    match = Q(search_document=query)
    if _spaceless_script(folded):
        match |= Q(search_text__contains=folded)
    return (
        Idea.objects.filter(pk__in=_candidates(qs.filter(match)))
        .annotate(
            rank=SearchRank(F("search_document"), query)
            + Case(When(title__icontains=text, then=Value(1.0)), default=Value(0.0), output_field=FloatField())
        )
        .order_by("-rank", "-vote_count", "-created_at")
    )


def _trending(qs: QuerySet[Idea]) -> QuerySet[Idea]:
    """Votes weighted toward recent ones (a vote of the last day counts 8, of
    the last week 4, of the last month 2, an older one 1): the stored score
    that ``ideas.services.trending`` keeps, read through its index."""
    return qs.annotate(trending=F("trending_score")).order_by("-trending_score", "-created_at", "-id")


def idea_list(
    *,
    user: User,
    status: str = "",
    campaign: int | None = None,
    department: int | None = None,
    tag: str = "",
    author: int | None = None,
    q: str = "",
    ordering: str = "",
) -> QuerySet[Idea]:
    """The ideas ``user`` may see, filtered and ordered as asked.

    The list shows every idea but drafts, a filter the partial indexes of the
    public orderings serve; a person's own drafts are on "My ideas" (the
    ``author`` filter) and asking for ``status=draft`` shows them too, both
    through ``idea_visible``, so nobody else's draft ever appears.
    """
    qs = idea_visible(user=user) if author or status == Status.DRAFT else Idea.objects.exclude(status=Status.DRAFT)
    if status:
        qs = qs.filter(status=status)
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    if department:
        qs = qs.filter(department_id=department)
    if tag:
        qs = qs.filter(tags__slug=tag)
    if author:
        # A subquery, not a join: a join would repeat rows per co-author and
        # inflate the vote counts that "trending" adds up.
        co_written = Idea.co_authors.through.objects.filter(user_id=author).values("idea_id")
        qs = qs.filter(Q(author_id=author) | Q(pk__in=co_written))
    if q.strip():
        qs = _search(qs, q.strip())
    if ordering == "votes":
        qs = qs.order_by("-vote_count", "-created_at", "-id")
    elif ordering == "trending":
        qs = _trending(qs)
    elif ordering == "oldest":
        qs = qs.order_by("created_at", "id")
    elif ordering == "newest" or not q.strip():
        qs = qs.order_by("-created_at", "-id")
    return _with_list_data(qs, user=user)


def idea_list_after(*, user: User, after: tuple[datetime, int] | None, limit: int, **filters: Any) -> QuerySet[Idea]:
    """Keyset page of the newest-first list: ``limit`` rows after
    ``(created_at, id)``, served by the ``ideas_newest`` index at any depth."""
    qs = idea_list(user=user, **filters)
    if after is not None:
        created_at, pk = after
        # The plain bound lets PostgreSQL start the index scan at the cursor;
        # the OR alone would be a filter over every newer row.
        qs = qs.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk)
        )
    return qs.order_by("-created_at", "-id")[:limit]


def idea_mine(*, user: User) -> QuerySet[Idea]:
    """Ideas the person wrote or co-wrote, drafts included."""
    return idea_list(user=user, author=user.pk)


def idea_similar(*, user: User, text: str, exclude: int | None = None, limit: int = SIMILAR_LIMIT) -> list[Idea]:
    """Existing ideas that look like ``text`` (shown while writing a new one)."""
    return list(idea_similar_queryset(user=user, text=text, exclude=exclude)[:limit])


def idea_similar_queryset(*, user: User, text: str, exclude: int | None = None) -> QuerySet[Idea]:
    """The ideas ``idea_similar`` picks from, best first.

    PostgreSQL: any of the words in full text, or a title that is
    trigram-similar (which also catches scripts without spaces); ranked by
    both. SQLite: any longer word of the text in title, problem or proposal.
    """
    text = text.strip()[:500]
    words = [word for word in text.casefold().split() if len(word) >= 4][:20]
    if not words:
        return Idea.objects.none()
    # Drafts are never suggested, so no visibility rule beyond leaving them out.
    qs = Idea.objects.exclude(status__in=[Status.DRAFT, Status.WITHDRAWN, Status.DUPLICATE])
    if exclude:
        qs = qs.exclude(pk=exclude)
    if _is_postgres():
        query = reduce(operator.or_, [SearchQuery(word, config="simple") for word in words])
        match = Q(search_document=query) | Q(title__trigram_similar=text)
        if _spaceless_script(words[0]):
            match |= Q(search_text__contains=words[0])
        qs = (
            Idea.objects.filter(pk__in=_candidates(qs.filter(match)))
            .annotate(score=SearchRank(F("search_document"), query) + TrigramSimilarity("title", text))
            .order_by("-score", "-vote_count")
        )
    else:
        qs = qs.filter(reduce(operator.or_, [Q(search_text__contains=word) for word in words])).order_by(
            "-vote_count", "-created_at"
        )
    return qs


def review_queue(*, user: User, now: datetime | None = None) -> QuerySet[Idea]:
    """Ideas waiting for reviewers: overdue first (oldest wait first), then
    everything else waiting for triage, then ideas in review, then those
    needing information.

    Overdue ideas are the ones waiting for triage longest, so ordering by
    stage and then by wait already puts them first: a walk of the
    ``ideas_review_queue`` index, however long the queue. ``overdue`` is
    annotated for display."""
    now = now or timezone.now()
    qs = Idea.objects.filter(IN_REVIEW_QUEUE).annotate(  # review statuses are never drafts
        overdue=Case(
            When(status=Status.SUBMITTED, queued_at__lt=now - TRIAGE_WINDOW, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        stage=review_stage(),
    )
    qs = qs.order_by("stage", "queued_at", "id")
    return _with_list_data(qs, user=user, also=("reviewer__display_name",))


def idea_detail(*, user: User, pk: int) -> Idea:
    """One visible idea with what its page shows (raises Idea.DoesNotExist)."""
    return (
        idea_visible(user=user)
        .select_related("author", "department", "campaign", "reviewer", "duplicate_of")
        .prefetch_related("tags", "co_authors")
        .annotate(
            has_voted=Exists(Vote.objects.filter(idea=OuterRef("pk"), user_id=user.pk)),
            is_following=Exists(Follow.objects.filter(idea=OuterRef("pk"), user_id=user.pk)),
        )
        .get(pk=pk)
    )


def idea_history(*, idea: Idea) -> QuerySet[IdeaEvent]:
    return IdeaEvent.objects.filter(idea=idea).select_related("actor", "related_idea").order_by("created_at", "id")


def comment_list(*, idea: Idea) -> QuerySet[Comment]:
    return Comment.objects.filter(idea=idea).select_related("author").order_by("created_at", "id")


def scorecard_summary(*, idea: Idea) -> dict[str, Any]:
    """Number of scorecards and their averages (overall and per criterion)."""
    result = Scorecard.objects.filter(idea=idea).aggregate(count=Count("id"), **{c: Avg(c) for c in Scorecard.CRITERIA})
    count = result.pop("count")
    averages = {key: round(value, 2) if value is not None else None for key, value in result.items()}
    overall = round(sum(v for v in averages.values() if v is not None) / 4, 2) if count else None
    return {"count": count, "average": overall, "criteria": averages}


def scorecard_mine(*, idea: Idea, user: User) -> Scorecard | None:
    return Scorecard.objects.filter(idea=idea, reviewer=user).first()


def campaign_list() -> QuerySet[Campaign]:
    return Campaign.objects.annotate(
        idea_count=Count("ideas", filter=~Q(ideas__status=Status.DRAFT), distinct=True)
    ).order_by("-opens_on", "title")


def campaign_open_list(*, on: Any = None) -> QuerySet[Campaign]:
    today = on or timezone.localdate()
    return Campaign.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by("title")


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def reviewers() -> QuerySet[User]:
    """People who hold the reviewer role (or are admins)."""
    return (
        User.objects.filter(Q(groups__name=Role.REVIEWER) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("display_name")
    )


def idea_audience(*, idea: Idea) -> QuerySet[User]:
    """Who hears about a move: author, co-authors and followers."""
    return User.objects.filter(
        Q(pk=idea.author_id) | Q(co_authored_ideas=idea) | Q(idea_follows__idea=idea), is_active=True
    ).distinct()
