"""The lifecycle table, exhaustively: every status x every move x every
role, through the API, as a client would meet it.

The expected table is written out here independently of ideas/workflow.py,
straight from PRODUCT.md's diagram, so a change to the code's table that
the product did not ask for fails here.
"""

from __future__ import annotations

import itertools

import pytest

from ideas.models import IdeaEvent
from ideas.workflow import PatentStatus, Status
from tests.accounts.factories import UserFactory
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.django_db

# (from, to) -> the role that may make the move.
STATUS_TABLE = {
    ("draft", "submitted"): "author",
    ("draft", "withdrawn"): "author",
    ("submitted", "in_review"): "reviewer",
    ("submitted", "duplicate"): "reviewer",
    ("submitted", "withdrawn"): "author",
    ("in_review", "needs_info"): "reviewer",
    ("in_review", "accepted"): "reviewer",
    ("in_review", "rejected"): "reviewer",
    ("needs_info", "submitted"): "author",
    ("needs_info", "withdrawn"): "author",
    ("accepted", "piloting"): "reviewer",
    ("accepted", "launched"): "reviewer",
    ("piloting", "launched"): "reviewer",
}
PATENT_TABLE = {
    ("none", "disclosed"): "reviewer",
    ("disclosed", "filed"): "reviewer",
    ("filed", "granted"): "reviewer",
    ("disclosed", "abandoned"): "reviewer",
    ("filed", "abandoned"): "reviewer",
}
# Who the caller is, and the role that makes them in the table.
ACTORS = {"author": "author", "co_author": "author", "reviewer": "reviewer", "admin": "reviewer", "employee": None}
EVERYTHING = {
    "comment": "Checked with the contact centre.",
    "reason": "Already covered by the accessibility roadmap.",
    "launched_on": "2025-03-01",
    "outcome": "CSAT +4 among members with low vision.",
    "application_number": "US 18/123,456",
    "filed_on": "2025-04-01",
    "patent_number": "US 12,345,678",
    "granted_on": "2026-05-01",
}


def _expected(table, current, target, role):
    if role is None or (role not in {r for (_s, t), r in table.items() if t == target}):
        return 403, []
    if table.get((current, target)) == role:
        return 200, []
    return 409, sorted(t for (s, t), r in table.items() if s == current and r == role)


@pytest.fixture
def people(db):
    author, co_author, employee = UserFactory.create_batch(3)
    return {
        "author": author,
        "co_author": co_author,
        "reviewer": UserFactory(roles=["reviewer"]),
        "admin": UserFactory(is_superuser=True, is_staff=True),
        "employee": employee,
    }


# One test per (status, move); each of the five callers tries it on a fresh idea.
@pytest.mark.parametrize(("current", "target"), list(itertools.product(Status.values, Status.values)))
def test_status_moves_follow_the_table(api_client, people, current, target):
    original = IdeaFactory(status=Status.SUBMITTED)
    for actor, role in ACTORS.items():
        idea = IdeaFactory(status=current, author=people["author"], co_authors=[people["co_author"]])
        api_client.force_authenticate(people[actor])

        response = api_client.post(
            f"/api/v1/ideas/{idea.pk}/transitions/",
            {"to": target, "duplicate_of": original.pk, **EVERYTHING},
            format="json",
        )

        idea.refresh_from_db()
        case = f"{actor} moving {current} -> {target}"
        if current == Status.DRAFT and role != "author":
            assert response.status_code == 404, f"{case}: a draft is invisible to everyone but its authors"
            assert idea.status == current
            continue
        code, allowed = _expected(STATUS_TABLE, current, target, role)
        assert response.status_code == code, f"{case}: {response.json()}"
        if code == 200:
            assert idea.status == target
            assert response.json()["status"] == target
            event = IdeaEvent.objects.get(idea=idea)
            assert (event.from_value, event.to_value, event.actor) == (current, target, people[actor])
            continue
        body = response.json()
        assert body["status"] == code
        assert body["message"]
        if code == 409:
            assert sorted(body["allowed_transitions"]) == allowed, case
        assert idea.status == current, f"{case}: a refused move changes nothing"
        assert not IdeaEvent.objects.filter(idea=idea).exists(), case


@pytest.mark.parametrize(("current", "target"), list(itertools.product(PatentStatus.values, PatentStatus.values)))
def test_patent_moves_follow_the_table(api_client, people, current, target):
    for actor, role in ACTORS.items():
        idea = IdeaFactory(
            status=Status.ACCEPTED, patent_status=current, author=people["author"], co_authors=[people["co_author"]]
        )
        api_client.force_authenticate(people[actor])

        response = api_client.post(f"/api/v1/ideas/{idea.pk}/patent/", {"to": target, **EVERYTHING}, format="json")

        idea.refresh_from_db()
        case = f"{actor} moving the patent {current} -> {target}"
        code, allowed = _expected(PATENT_TABLE, current, target, role)
        assert response.status_code == code, f"{case}: {response.json()}"
        if code == 200:
            assert idea.patent_status == target
            event = IdeaEvent.objects.get(idea=idea)
            assert (event.track, event.from_value, event.to_value) == ("patent", current, target)
            continue
        if code == 409:
            assert sorted(response.json()["allowed_transitions"]) == allowed, case
        assert idea.patent_status == current, case
        assert not IdeaEvent.objects.filter(idea=idea).exists(), case


@pytest.mark.parametrize("status", sorted(set(Status.values) - {"accepted", "piloting", "launched"}))
def test_patent_track_is_closed_before_acceptance(api_client, reviewer, status):
    idea = IdeaFactory(status=status if status != "draft" else "submitted")
    api_client.force_authenticate(reviewer)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/patent/", {"to": "disclosed"}, format="json")
    assert response.status_code == 409
    assert "accepted" in response.json()["message"]
    assert response.json()["allowed_transitions"] == []


def test_detail_lists_the_moves_open_to_the_caller(api_client, author, reviewer):
    idea = IdeaFactory(status=Status.IN_REVIEW, author=author)
    api_client.force_authenticate(reviewer)
    moves = api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["allowed_transitions"]
    assert {m["to"]: m["requires"] for m in moves} == {
        "needs_info": ["comment"],
        "accepted": [],
        "rejected": ["reason"],
    }
    api_client.force_authenticate(author)
    assert api_client.get(f"/api/v1/ideas/{idea.pk}/").json()["allowed_transitions"] == []


@pytest.mark.parametrize(
    ("current", "target", "missing"),
    [
        ("in_review", "rejected", "reason"),
        ("submitted", "duplicate", "duplicate_of"),
        ("accepted", "launched", "launched_on"),
        ("in_review", "needs_info", "comment"),
    ],
)
def test_a_move_without_what_it_needs_is_a_400_naming_the_field(api_client, reviewer, current, target, missing):
    idea = IdeaFactory(status=current)
    api_client.force_authenticate(reviewer)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/transitions/", {"to": target}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [missing]
    idea.refresh_from_db()
    assert idea.status == current


def test_submitting_asks_for_the_customer_questions(api_client, author):
    idea = IdeaFactory(author=author, customers_affected="", customer_delight="", metric="")
    api_client.force_authenticate(author)
    response = api_client.post(f"/api/v1/ideas/{idea.pk}/transitions/", {"to": "submitted"}, format="json")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"customers_affected", "customer_delight", "metric"}
    idea.refresh_from_db()
    assert idea.status == Status.DRAFT
