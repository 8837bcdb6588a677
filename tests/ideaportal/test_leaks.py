"""What is private stays private on every read path: drafts, scorecards,
quiz answers, training records and subscriber addresses never show up in a
list, a search, a similar-ideas lookup, a CSV export, a digest or an error
message of someone who may not see them."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from ideas.workflow import Status
from newsletter import sections, tokens
from newsletter.periods import period_containing
from onboarding.models import QuizAttempt
from tests.ideas.factories import IdeaFactory, ScorecardFactory
from tests.newsletter.factories import SubscriberFactory
from tests.onboarding.factories import AssignmentFactory, module_with_content

SECRET = "Zebracornquill"
# In the draft but never in a query, so a page echoing the query is no false alarm.
HIDDEN = "Kolibriflux"


def as_api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def as_page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.fixture
def secret_draft(employee):
    return IdeaFactory(
        author=employee,
        status=Status.DRAFT,
        title=f"{SECRET} patentable check reader {HIDDEN}",
        problem=f"{SECRET} problem statement {HIDDEN}",
    )


@pytest.mark.parametrize("who", ["other_employee", "reviewer", "hr_user", "editor", "admin_user"])
def test_a_draft_never_shows_in_lists_search_similar_or_exports(request, who, secret_draft):
    user = request.getfixturevalue(who)
    api = as_api(user)
    page = as_page(user)
    reads = [
        api.get("/api/v1/ideas/"),
        api.get("/api/v1/ideas/", {"q": SECRET}),
        api.get("/api/v1/ideas/", {"author": secret_draft.author_id}),
        api.get("/api/v1/ideas/similar/", {"text": f"{SECRET} patentable check reader"}),
        api.get("/api/v1/ideas/review-queue/"),
        api.get("/api/v1/ideas/export/", HTTP_ACCEPT="text/csv"),
        api.get("/api/v1/campaigns/"),
        page.get("/ideas/"),
        page.get("/ideas/", {"q": SECRET}),
        page.get("/ideas/similar/", {"text": f"{SECRET} patentable"}),
        page.get("/ideas/review/"),
        api.get(f"/api/v1/ideas/{secret_draft.pk}/"),
        api.get(f"/api/v1/ideas/{secret_draft.pk}/history/"),
        page.get(f"/ideas/{secret_draft.pk}/"),
    ]
    for response in reads:
        assert response.status_code < 500
        assert HIDDEN not in text_of(response), response.request["PATH_INFO"]


def test_a_draft_is_never_in_a_digest(secret_draft):
    Idea = type(secret_draft)
    Idea.objects.filter(pk=secret_draft.pk).update(vote_count=50)
    content = sections.sections_collect(period_containing("weekly", timezone.localdate()))
    assert HIDDEN not in json.dumps(content, default=str)


def test_scorecards_are_shown_to_reviewers_only(employee, other_employee, reviewer):
    idea = IdeaFactory(author=employee, status=Status.IN_REVIEW)
    ScorecardFactory(idea=idea, comment=f"{SECRET} too costly")
    for user in (employee, other_employee):
        detail = as_api(user).get(f"/api/v1/ideas/{idea.pk}/")
        assert detail.json()["scorecards"] is None
        for response in (detail, as_page(user).get(f"/ideas/{idea.pk}/")):
            assert SECRET not in text_of(response)
        assert as_api(user).get(f"/api/v1/ideas/{idea.pk}/scorecard/").status_code == 403
    # Reviewers see the summary; the comment stays with its author.
    assert as_api(reviewer).get(f"/api/v1/ideas/{idea.pk}/").json()["scorecards"]["count"] == 1


def test_quiz_answers_and_training_records_stay_with_the_learner_and_hr(employee, other_employee, reviewer, hr_user):
    module = module_with_content(lessons=1, questions=1)
    assignment = AssignmentFactory(module=module, user=employee)
    QuizAttempt.objects.create(
        assignment=assignment,
        number=1,
        score=0,
        pass_mark=80,
        passed=False,
        answers=[
            {
                "question_id": 1,
                "question": "Who?",
                "right": False,
                "choices": [{"id": 1, "text": SECRET, "chosen": True, "correct": False}],
            }
        ],
    )
    for user in (other_employee, reviewer):
        api = as_api(user)
        listed = api.get("/api/v1/onboarding/assignments/")
        assert all(row["id"] != assignment.pk for row in listed.json()["results"])
        for url in (
            f"/api/v1/onboarding/assignments/{assignment.pk}/",
            f"/api/v1/onboarding/assignments/{assignment.pk}/attempts/",
            f"/api/v1/onboarding/assignments/{assignment.pk}/history/",
        ):
            response = api.get(url)
            assert response.status_code == 404
            assert SECRET not in text_of(response)
        # The quiz as a learner sees it never marks the right answers.
        module_json = text_of(api.get(f"/api/v1/onboarding/modules/{module.pk}/"))
        assert "is_correct" not in module_json
        assert as_page(user).get(f"/onboarding/assignments/{assignment.pk}/attempts/1/").status_code == 404
    assert SECRET in text_of(as_api(hr_user).get(f"/api/v1/onboarding/assignments/{assignment.pk}/attempts/"))


def test_subscriber_addresses_never_leak(api_client, employee, editor):
    subscriber = SubscriberFactory(email="private.reader@example.org")
    address = subscriber.email
    # The same answer whether or not the address already subscribes.
    known = api_client.post("/api/v1/newsletter/subscribe/", {"email": address, "frequency": "weekly"}, format="json")
    unknown = api_client.post(
        "/api/v1/newsletter/subscribe/", {"email": "new.reader@example.org", "frequency": "weekly"}, format="json"
    )
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    # A token for another purpose, or a forged one, names nobody.
    wrong = tokens.token_make(subscriber=subscriber, purpose=tokens.CONFIRM)
    for token in (wrong, "bad-token", wrong + "x"):
        response = api_client.get("/api/v1/newsletter/preferences/", {"token": token})
        assert response.status_code == 400
        assert address not in text_of(response)
        page = Client().get(f"/newsletter/preferences/{token}/")
        assert address not in text_of(page)
    for user in (employee, editor):
        for url in ("/api/v1/newsletter/archive/", "/newsletter/archive/", "/api/v1/newsletter/editor/preview/"):
            assert address not in text_of(as_api(user).get(url))
