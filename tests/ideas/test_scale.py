"""What keeps the ideas list fast at a million ideas (see docs/benchmarks.md):
keyset pages that cost the same at any depth, constant query counts, and
hot queries that PostgreSQL answers from an index."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from ideas import selectors, services
from ideas.api import cursor_encode
from ideas.models import Idea, Vote
from tests.accounts.factories import UserFactory
from tests.ideas.factories import IdeaFactory, TagFactory, VoteFactory


def _ideas(n):
    now = timezone.now()
    tag = TagFactory(name="t")
    return [IdeaFactory(status="submitted", created_at=now - timedelta(minutes=i), tags=[tag]) for i in range(n)]


def test_cursor_pages_walk_the_newest_first_list_without_gaps_or_repeats(employee_api):
    ideas = _ideas(7)
    seen, url = [], "/api/v1/ideas/?cursor=&page_size=3"
    while url:
        body = employee_api.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == [idea.pk for idea in ideas]


def test_cursor_breaks_ties_of_the_same_timestamp_by_id(employee_api):
    moment = timezone.now()
    ideas = [IdeaFactory(status="submitted", created_at=moment) for _ in range(3)]
    cursor = cursor_encode(moment, ideas[2].pk)
    body = employee_api.get(f"/api/v1/ideas/?cursor={cursor}").json()
    assert [row["id"] for row in body["results"]] == [ideas[1].pk, ideas[0].pk]


def test_cursor_is_refused_with_another_ordering_or_when_malformed(employee_api):
    assert employee_api.get("/api/v1/ideas/?cursor=&ordering=votes").status_code == 400
    response = employee_api.get("/api/v1/ideas/?cursor=bm90LWEtY3Vyc29y")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


def test_cursor_page_keeps_the_same_queries_for_3_and_30_ideas(employee_api, django_assert_num_queries):
    _ideas(3)
    employee_api.get("/api/v1/ideas/?cursor=")
    # the page alone (tags are a column of its rows); no COUNT (the client is
    # authenticated without a query)
    with django_assert_num_queries(1):
        assert employee_api.get("/api/v1/ideas/?cursor=").status_code == 200
    _ideas(27)
    with django_assert_num_queries(1):
        assert len(employee_api.get("/api/v1/ideas/?cursor=").json()["results"]) == 25


def test_cursor_page_is_the_public_list_without_any_drafts(employee_api, employee):
    IdeaFactory(status="draft")
    IdeaFactory(status="draft", author=employee)  # on "My ideas", not here
    public = IdeaFactory(status="submitted")
    body = employee_api.get("/api/v1/ideas/?cursor=").json()
    assert [row["id"] for row in body["results"]] == [public.pk]


# --- EXPLAIN: every hot query is served by an index on PostgreSQL -------------------------


def _plan(qs, *, bitmap_only: bool = False) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: ask what the planner *can* use
        # and that an ordering is *walked* in its index, not read in any
        # index and sorted (the public indexes share a predicate, so on
        # near-empty tables any of them would otherwise do).
        cursor.execute("SET LOCAL enable_sort = off")
        if bitmap_only:  # GIN indexes are read by bitmap scans: rule out walking a B-tree in order instead
            cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("newest", "ideas_public_newest"),
        ("keyset", "ideas_public_newest"),
        ("votes", "ideas_public_votes"),
        ("trending", "ideas_public_trending"),
        # Any of the list's indexes may win here: which is cheapest depends
        # on how many ideas have the status, which near-empty tables cannot
        # tell. What matters is that the table is never read whole.
        ("status", "ideas_status_recent|ideas_public_newest|ideas_public_votes|ideas_public_trending"),
        ("campaign", "ideas_public_campaign"),
        ("search", "ideas_search_document"),
        ("similar", "ideas_idea_"),
        ("review queue", "ideas_review_queue"),
        ("vote lookup", "ideas_one_vote_per_person"),
    ],
)
def test_hot_query_uses_an_index(employee, name, index):
    VoteFactory(idea=IdeaFactory(status="submitted"))
    user = User.objects.get(pk=employee.pk)
    after = (timezone.now(), 10**9)
    queries = {
        "newest": lambda: selectors.idea_list(user=user)[:25],
        "keyset": lambda: selectors.idea_list_after(user=user, after=after, limit=26),
        "votes": lambda: selectors.idea_list(user=user, ordering="votes")[:25],
        "trending": lambda: selectors.idea_list(user=user, ordering="trending")[:25],
        "status": lambda: selectors.idea_list(user=user, status="accepted")[:25],
        "campaign": lambda: selectors.idea_list(user=user, status="accepted", campaign=1)[:25],
        # The word match itself: on tiny tables the planner may as well walk
        # a partial index of the whole list, so ask about the match alone.
        "search": lambda: Idea.objects.filter(
            search_document=SearchQuery("zephyrine", config="simple", search_type="websearch")
        ),
        "similar": lambda: selectors.idea_similar_queryset(user=user, text="customer claims phone"),
        "review queue": lambda: selectors.review_queue(user=user)[:25],
        "vote lookup": lambda: Vote.objects.filter(idea_id=1, user_id=user.pk),
    }
    plan = _plan(queries[name](), bitmap_only=name in ("search", "similar"))
    assert "Seq Scan on ideas_idea" not in plan, plan
    assert any(candidate in plan for candidate in index.split("|")), plan


# --- capped count, stored trending score ----------------------------------------------------


def test_page_numbers_count_up_to_the_cap_and_say_when_there_are_more(employee_api, monkeypatch):
    from ideaportal import paging

    monkeypatch.setattr(paging.CappedPaginator, "cap", 4)
    _ideas(4)
    body = employee_api.get("/api/v1/ideas/?page_size=3").json()
    assert (body["count"], body["count_is_exact"]) == (4, True)
    _ideas(1)
    body = employee_api.get("/api/v1/ideas/?page_size=3").json()
    assert (body["count"], body["count_is_exact"]) == (4, False)
    assert len(body["results"]) == 3


def test_the_list_page_says_more_than_the_cap(client, employee, monkeypatch):
    from ideaportal import paging

    monkeypatch.setattr(paging.CappedPaginator, "cap", 2)
    _ideas(3)
    client.force_login(employee)
    assert "More than 2 ideas" in client.get(reverse("ideas:list")).content.decode()


def test_trending_score_moves_with_votes_and_ages_with_the_refresh(employee):
    idea = IdeaFactory(status="submitted")
    voter = UserFactory()
    services.vote_add(idea=idea, user=voter)
    idea.refresh_from_db()
    assert (idea.vote_count, idea.trending_score) == (1, 8)
    # Two days later the vote counts 4; forty days later, 1.
    Vote.objects.filter(idea=idea).update(created_at=timezone.now() - timedelta(days=2))
    assert services.trending_refresh() == 1
    idea.refresh_from_db()
    assert idea.trending_score == 4
    assert services.trending_refresh() == 0  # nothing changed: nothing written
    Vote.objects.filter(idea=idea).update(created_at=timezone.now() - timedelta(days=40))
    services.trending_refresh()
    idea.refresh_from_db()
    assert idea.trending_score == 1
    services.vote_remove(idea=idea, user=voter)
    idea.refresh_from_db()
    assert (idea.vote_count, idea.trending_score) == (0, 0)
