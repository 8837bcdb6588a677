from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from ideas import selectors, services
from ideas.models import Idea, Vote
from tests.accounts.factories import UserFactory
from tests.ideas.factories import (
    CampaignFactory,
    CommentFactory,
    IdeaFactory,
    ScorecardFactory,
    TagFactory,
    VoteFactory,
    recount,
)

pytestmark = pytest.mark.django_db


def titles(response):
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


# --- visibility ---------------------------------------------------------------------


def test_drafts_are_seen_by_their_authors_only(api_client, author, co_author, reviewer, admin_user):
    draft = IdeaFactory(title="Secret draft", author=author, co_authors=[co_author])
    IdeaFactory(title="Out in the open", status="submitted")
    for person in (author, co_author):
        api_client.force_authenticate(person)
        # The main list is the public one; a person's drafts are on "My ideas" and their own page.
        assert titles(api_client.get("/api/v1/ideas/")) == ["Out in the open"]
        assert titles(api_client.get(f"/api/v1/ideas/?author={person.pk}")) == ["Secret draft"]
        assert titles(api_client.get("/api/v1/ideas/?status=draft")) == ["Secret draft"]
        assert api_client.get(f"/api/v1/ideas/{draft.pk}/").status_code == 200
    for person in (reviewer, admin_user):
        api_client.force_authenticate(person)
        assert titles(api_client.get("/api/v1/ideas/")) == ["Out in the open"]
        for query in (f"?author={author.pk}", f"?author={co_author.pk}", "?status=draft", "?cursor=", "?q=secret"):
            assert "Secret draft" not in titles(api_client.get(f"/api/v1/ideas/{query}")), query
        response = api_client.get(f"/api/v1/ideas/{draft.pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        for url in ("history/", "comments/"):
            assert api_client.get(f"/api/v1/ideas/{draft.pk}/{url}").status_code == 404
        assert api_client.post(f"/api/v1/ideas/{draft.pk}/vote/").status_code == 404


def test_withdrawn_and_rejected_ideas_stay_visible_to_everyone(api_client, employee):
    IdeaFactory(title="Withdrawn", status="withdrawn")
    IdeaFactory(title="Rejected", status="rejected", rejection_reason="Covered")
    api_client.force_authenticate(employee)
    assert set(titles(api_client.get("/api/v1/ideas/"))) == {"Withdrawn", "Rejected"}


def test_anonymous_callers_get_401_in_the_error_shape(api_client):
    response = api_client.get("/api/v1/ideas/")
    assert response.status_code == 401
    assert set(response.json()) >= {"status", "code", "message", "errors"}


# --- creating and editing ------------------------------------------------------------------


def test_create_makes_a_draft_with_tags_and_co_authors(api_client, author, co_author):
    campaign = CampaignFactory()
    api_client.force_authenticate(author)
    response = api_client.post(
        "/api/v1/ideas/",
        {
            "title": "Hurricane damage photos for members",
            "problem": "Evacuated members cannot see their homes.",
            "proposal": "Publish before/after aerial photos.",
            "metric": "nps",
            "campaign": campaign.pk,
            "tags": ["disaster", "photos"],
            "co_authors": [co_author.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["author"]["id"] == author.pk
    assert [p["id"] for p in body["co_authors"]] == [co_author.pk]
    assert sorted(body["tags"]) == ["disaster", "photos"]
    assert body["campaign"]["id"] == campaign.pk
    assert body["department"]["id"] == author.department_id
    assert {m["to"] for m in body["allowed_transitions"]} == {"submitted", "withdrawn"}


def test_create_refuses_a_closed_campaign_by_field(api_client, author):
    closed = CampaignFactory(
        opens_on=timezone.localdate() - timedelta(days=30), closes_on=timezone.localdate() - timedelta(days=1)
    )
    api_client.force_authenticate(author)
    response = api_client.post("/api/v1/ideas/", {"title": "Late", "campaign": closed.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "campaign"


def test_authors_patch_a_draft_others_get_403_and_a_submitted_idea_409(api_client, author, employee):
    idea = IdeaFactory(author=author)
    api_client.force_authenticate(author)
    response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Sharper title"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Sharper title"
    Idea.objects.filter(pk=idea.pk).update(status="submitted")
    response = api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Too late"}, format="json")
    assert response.status_code == 409
    api_client.force_authenticate(employee)
    assert api_client.patch(f"/api/v1/ideas/{idea.pk}/", {"title": "Mine now"}, format="json").status_code == 403
    assert Idea.objects.get(pk=idea.pk).title == "Sharper title"


# --- filters and orderings ---------------------------------------------------------------------------


def test_list_filters_by_status_campaign_department_tag_and_author(api_client, employee):
    campaign, tag = CampaignFactory(), TagFactory(name="storm")
    a = IdeaFactory(title="A", status="submitted", campaign=campaign, tags=[tag])
    b = IdeaFactory(title="B", status="accepted")
    api_client.force_authenticate(employee)
    assert titles(api_client.get("/api/v1/ideas/?status=accepted")) == ["B"]
    assert titles(api_client.get(f"/api/v1/ideas/?campaign={campaign.pk}")) == ["A"]
    assert titles(api_client.get(f"/api/v1/ideas/?department={b.department_id}")) == ["B"]
    assert titles(api_client.get("/api/v1/ideas/?tag=storm")) == ["A"]
    assert titles(api_client.get(f"/api/v1/ideas/?author={a.author_id}")) == ["A"]


def test_orderings_newest_most_votes_and_trending(api_client, employee):
    now = timezone.now()
    old_favourite = IdeaFactory(title="Old favourite", status="submitted", created_at=now - timedelta(days=90))
    rising = IdeaFactory(title="Rising", status="submitted", created_at=now - timedelta(days=60))
    IdeaFactory(title="Newest", status="submitted", created_at=now)
    for _ in range(4):
        VoteFactory(idea=old_favourite, created_at=now - timedelta(days=80))
    for _ in range(2):
        VoteFactory(idea=rising, created_at=now - timedelta(hours=3))
    for idea in Idea.objects.all():
        Idea.objects.filter(pk=idea.pk).update(vote_count=Vote.objects.filter(idea=idea).count())
    services.trending_refresh(now=now)
    api_client.force_authenticate(employee)
    assert titles(api_client.get("/api/v1/ideas/?ordering=newest")) == ["Newest", "Rising", "Old favourite"]
    assert titles(api_client.get("/api/v1/ideas/?ordering=votes")) == ["Old favourite", "Rising", "Newest"]
    assert titles(api_client.get("/api/v1/ideas/?ordering=trending")) == ["Rising", "Old favourite", "Newest"]


def test_search_finds_words_in_title_problem_and_proposal(api_client, employee):
    IdeaFactory(title="Talking check scanner", status="submitted")
    IdeaFactory(title="Other", problem="Members wait for the adjuster", status="submitted")
    IdeaFactory(title="Third", proposal="Aerial photos of flooded homes", status="submitted")
    api_client.force_authenticate(employee)
    assert titles(api_client.get("/api/v1/ideas/?q=scanner")) == ["Talking check scanner"]
    assert titles(api_client.get("/api/v1/ideas/?q=ADJUSTER")) == ["Other"]
    assert titles(api_client.get("/api/v1/ideas/?q=aerial photos")) == ["Third"]


@pytest.mark.parametrize(
    "query",
    [
        "status=nonsense",
        "campaign=abc",
        "campaign=-1",
        "department=1.5",
        "author=%00",
        "ordering=drop table",
        "q=" + "x" * 500,
        "page=999",
        "page_size=abc",
    ],
)
def test_bad_list_input_is_a_4xx_in_the_error_shape_never_a_500(api_client, employee, query):
    IdeaFactory(status="submitted")
    api_client.force_authenticate(employee)
    response = api_client.get(f"/api/v1/ideas/?{query}")
    assert 400 <= response.status_code < 500 or (query == "page_size=abc" and response.status_code == 200)
    if response.status_code >= 400:
        assert set(response.json()) >= {"status", "code", "message", "errors"}


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("transitions/", {"to": "launched", "launched_on": "not a date"}),
        ("transitions/", {"to": 12}),
        ("transitions/", {"to": "accepted", "duplicate_of": "x"}),
        ("transitions/", {"to": "duplicate", "duplicate_of": 99999999}),
        ("transitions/", {"to": "in_review", "reviewer": 99999999}),
        ("transitions/", ["not", "an", "object"]),
        ("patent/", {"to": "filed", "filed_on": "2025-13-45"}),
        ("comments/", {"body": ""}),
        ("comments/", {"body": "x" * 20_000}),
        ("scorecard/", {"customer_impact": 9, "feasibility": 0, "novelty": "a", "cost": None}),
    ],
)
def test_bad_input_on_idea_actions_is_a_400_in_the_error_shape(api_client, reviewer, url, payload):
    idea = IdeaFactory(status="in_review")
    api_client.force_authenticate(reviewer)
    method = api_client.put if url == "scorecard/" else api_client.post
    response = method(f"/api/v1/ideas/{idea.pk}/{url}", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["status"] == 400
    assert response.json()["errors"]


def test_malformed_json_is_a_400(api_client, employee):
    api_client.force_authenticate(employee)
    response = api_client.post("/api/v1/ideas/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


# --- votes, comments, follow, history, scorecards ----------------------------------------------------------


def test_vote_and_unvote_answer_the_count_and_state(api_client, employee):
    idea = IdeaFactory(status="submitted")
    api_client.force_authenticate(employee)
    assert api_client.post(f"/api/v1/ideas/{idea.pk}/vote/").json() == {"vote_count": 1, "has_voted": True}
    assert api_client.post(f"/api/v1/ideas/{idea.pk}/vote/").json() == {"vote_count": 1, "has_voted": True}
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["has_voted"] is True
    assert api_client.delete(f"/api/v1/ideas/{idea.pk}/vote/").json() == {"vote_count": 0, "has_voted": False}


def test_voting_on_own_idea_is_403_and_on_a_closed_idea_409(api_client, author, employee):
    own = IdeaFactory(status="submitted", author=author)
    closed = IdeaFactory(status="launched")
    api_client.force_authenticate(author)
    assert api_client.post(f"/api/v1/ideas/{own.pk}/vote/").status_code == 403
    api_client.force_authenticate(employee)
    response = api_client.post(f"/api/v1/ideas/{closed.pk}/vote/")
    assert response.status_code == 409
    assert "closed" in response.json()["message"]


def test_comments_and_follow(api_client, employee):
    idea = IdeaFactory(status="submitted")
    api_client.force_authenticate(employee)
    created = api_client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Great *idea*"}, format="json")
    assert created.status_code == 201
    assert created.json()["body_html"] == "<p>Great <em>idea</em></p>\n"
    assert [c["body"] for c in api_client.get(f"/api/v1/ideas/{idea.pk}/comments/").json()["results"]] == [
        "Great *idea*"
    ]
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["is_following"] is True
    assert api_client.delete(f"/api/v1/ideas/{idea.pk}/follow/").json() == {"is_following": False}
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["is_following"] is False
    assert api_client.post(f"/api/v1/ideas/{idea.pk}/follow/").json() == {"is_following": True}


def test_history_lists_each_move_with_actor_and_comment(api_client, author, reviewer):
    idea = IdeaFactory(author=author)
    api_client.force_authenticate(author)
    api_client.post(f"/api/v1/ideas/{idea.pk}/transitions/", {"to": "submitted"}, format="json")
    api_client.force_authenticate(reviewer)
    api_client.post(f"/api/v1/ideas/{idea.pk}/transitions/", {"to": "in_review", "comment": "Mine"}, format="json")
    rows = api_client.get(f"/api/v1/ideas/{idea.pk}/history/").json()["results"]
    assert [(r["from_value"], r["to_value"], r["actor"]["id"], r["comment"]) for r in rows] == [
        ("draft", "submitted", author.pk, ""),
        ("submitted", "in_review", reviewer.pk, "Mine"),
    ]
    assert rows[1]["to_label"] == "In review"


def test_scorecards_are_for_reviewers_and_the_average_is_shown_to_them_only(api_client, reviewer, employee):
    idea = IdeaFactory(status="in_review")
    ScorecardFactory(idea=idea, customer_impact=5, feasibility=5, novelty=5, cost=5)
    api_client.force_authenticate(reviewer)
    response = api_client.put(
        f"/api/v1/ideas/{idea.pk}/scorecard/",
        {"customer_impact": 3, "feasibility": 3, "novelty": 3, "cost": 3, "comment": "Solid"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["mine"]["comment"] == "Solid"
    assert response.json()["summary"]["count"] == 2
    assert response.json()["summary"]["average"] == 4.0
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["scorecards"]["count"] == 2
    api_client.force_authenticate(employee)
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["scorecards"] is None
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/scorecard/").status_code == 403


def test_similar_ideas_are_found_by_shared_words(api_client, employee):
    IdeaFactory(title="Talking check scanner for blind members", status="submitted")
    IdeaFactory(title="Hurricane photos", problem="Homes flooded", proposal="Fly drones", status="submitted")
    IdeaFactory(title="Scanner draft that talks to blind members")
    api_client.force_authenticate(employee)
    response = api_client.get("/api/v1/ideas/similar/", {"text": "scanner that talks to blind members"})
    assert [row["title"] for row in response.json()] == ["Talking check scanner for blind members"]
    assert api_client.get("/api/v1/ideas/similar/").status_code == 400


def test_campaigns_are_listed_for_all_and_created_by_reviewers(api_client, reviewer, employee):
    api_client.force_authenticate(employee)
    payload = {"title": "Hurricane season", "opens_on": "2025-06-01", "closes_on": "2025-11-30"}
    assert api_client.post("/api/v1/campaigns/", payload, format="json").status_code == 403
    api_client.force_authenticate(reviewer)
    created = api_client.post("/api/v1/campaigns/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["slug"] == "hurricane-season"
    bad = api_client.post("/api/v1/campaigns/", {**payload, "closes_on": "2025-01-01"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "closes_on"
    api_client.force_authenticate(employee)
    assert [c["title"] for c in api_client.get("/api/v1/campaigns/").json()["results"]] == ["Hurricane season"]


def test_review_queue_api_is_for_reviewers(api_client, reviewer, employee):
    IdeaFactory(title="Waiting", status="submitted")
    api_client.force_authenticate(employee)
    assert api_client.get("/api/v1/ideas/review-queue/").status_code == 403
    api_client.force_authenticate(reviewer)
    assert titles(api_client.get("/api/v1/ideas/review-queue/")) == ["Waiting"]


# --- CSV export ----------------------------------------------------------------------------------


def test_csv_export_is_for_reviewers_follows_filters_and_defuses_formulas(api_client, reviewer, employee):
    IdeaFactory(title='=HYPERLINK("http://evil.example","Click")', status="submitted")
    IdeaFactory(title="+1 for members", status="accepted")
    IdeaFactory(title="Draft of someone", status="draft")
    api_client.force_authenticate(employee)
    assert api_client.get("/api/v1/ideas/export/").status_code == 403
    api_client.force_authenticate(reviewer)
    response = api_client.get("/api/v1/ideas/export/?status=submitted")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "title", "status"]
    assert [row[1] for row in rows[1:]] == ['\'=HYPERLINK("http://evil.example","Click")']
    everything = api_client.get("/api/v1/ideas/export/")
    rows = list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))
    assert sorted(row[1] for row in rows[1:]) == ["'+1 for members", '\'=HYPERLINK("http://evil.example","Click")']


# --- query counts ----------------------------------------------------------------------------------


def _populate(n):
    campaign, tags = CampaignFactory(), [TagFactory(name="a"), TagFactory(name="b")]
    for _ in range(n):
        idea = IdeaFactory(status="submitted", campaign=campaign, tags=tags)
        CommentFactory(idea=idea)
        VoteFactory(idea=idea)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/ideas/",
        "/api/v1/ideas/?q=check&ordering=votes",
        "/api/v1/ideas/?ordering=trending",
        "/api/v1/ideas/review-queue/",
        "/api/v1/campaigns/",
    ],
)
def test_list_endpoints_make_the_same_queries_for_1_and_50_ideas(api_client, reviewer, django_assert_num_queries, url):
    api_client.force_authenticate(reviewer)
    _populate(1)
    api_client.get(url)  # warm the per-user role cache path once
    # session-less token auth: count + page (tags are a column of the page's rows)
    expected = 2
    with django_assert_num_queries(expected):
        assert api_client.get(url).status_code == 200
    _populate(49)
    with django_assert_num_queries(expected):
        response = api_client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] == (2 if "campaigns" in url else 50)


def test_author_filter_with_co_authors_keeps_one_row_per_idea_and_exact_trending(api_client, employee):
    helpers = UserFactory.create_batch(3)
    idea = IdeaFactory(title="Team idea", status="submitted", author=employee, co_authors=helpers)
    recount(VoteFactory(idea=idea).idea)
    services.trending_refresh()
    api_client.force_authenticate(employee)
    assert titles(api_client.get(f"/api/v1/ideas/?author={helpers[0].pk}&ordering=trending")) == ["Team idea"]
    ranked = selectors.idea_list(user=employee, author=employee.pk, ordering="trending")
    assert [row.trending for row in ranked] == [1 + 4 + 2 + 1]


def test_a_reviewer_cannot_review_an_idea_they_wrote_or_co_wrote(api_client, reviewer):
    other_reviewer = UserFactory(roles=["reviewer"])
    own = IdeaFactory(status="submitted", author=reviewer)
    co_written = IdeaFactory(status="submitted")
    co_written.co_authors.add(other_reviewer)
    api_client.force_authenticate(reviewer)
    response = api_client.post(f"/api/v1/ideas/{own.pk}/transitions/", {"to": "in_review"}, format="json")
    assert response.status_code == 403
    allowed = api_client.get(f"/api/v1/ideas/{own.pk}/").json()["allowed_transitions"]
    assert [move["to"] for move in allowed] == ["withdrawn"]
    api_client.force_authenticate(other_reviewer)
    response = api_client.post(f"/api/v1/ideas/{co_written.pk}/transitions/", {"to": "in_review"}, format="json")
    assert response.status_code == 403
    assert Idea.objects.get(pk=co_written.pk).status == "submitted"
    # A colleague without a stake in it reviews it as usual.
    api_client.force_authenticate(reviewer)
    response = api_client.post(f"/api/v1/ideas/{co_written.pk}/transitions/", {"to": "in_review"}, format="json")
    assert response.status_code == 200


def test_csv_export_ignores_a_cursor_and_a_cursor_page_matches_its_schema(api_client, reviewer):
    IdeaFactory(status="submitted", title="Exported idea")
    api_client.force_authenticate(reviewer)
    export = api_client.get("/api/v1/ideas/export/?cursor=")
    assert export.status_code == 200
    assert "Exported idea" in b"".join(export.streaming_content).decode()
    page = api_client.get("/api/v1/ideas/?cursor=").json()
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    required = schema["components"]["schemas"]["PaginatedIdeaListList"]["required"]
    assert set(required) <= set(page)


def test_hand_written_list_rows_equal_what_drf_writes_for_the_same_ideas(employee, settings):
    """``IdeaRowsSerializer`` writes rows by hand for speed; the declared
    fields of ``IdeaListSerializer`` are the contract it must keep."""
    from rest_framework import serializers as drf

    from ideas.api import IdeaListSerializer

    settings.TIME_ZONE = "America/Chicago"  # offsets, not only "Z"
    campaign = CampaignFactory(title="Claims <b>week</b>")
    tagged = IdeaFactory(
        status="submitted", campaign=campaign, tags=[TagFactory(name="zeta"), TagFactory(name="alpha")]
    )
    IdeaFactory(status="accepted", department=None, campaign=None)
    VoteFactory(idea=tagged, user=employee)

    class Generic(drf.ListSerializer):
        pass

    rows = list(selectors.idea_rows(selectors.idea_list(user=employee)))
    instances = list(selectors.idea_list(user=employee).prefetch_related("tags"))
    by_hand = IdeaListSerializer(rows, many=True).data
    by_drf = Generic(child=IdeaListSerializer(), instance=instances).data
    assert by_hand == [dict(row) for row in by_drf]
    assert by_hand[0]["tags"] == ["alpha", "zeta"] or by_hand[1]["tags"] == ["alpha", "zeta"]
    assert any(row["has_voted"] for row in by_hand) and not all(row["has_voted"] for row in by_hand)
    assert any(row["department"] is None and row["campaign"] is None for row in by_hand)
