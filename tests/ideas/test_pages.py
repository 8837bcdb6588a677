from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from ideas.models import Idea, IdeaEvent, Scorecard, Vote
from notifications.models import Notification
from tests.ideas.factories import CampaignFactory, CommentFactory, IdeaFactory, TagFactory, VoteFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_submit_page_saves_a_draft_then_submits_it(client, author):
    client.force_login(author)
    form = {
        "title": "Speak the check amount",
        "problem": "Members with low vision cannot confirm the amount.",
        "proposal": "Read it **aloud**.",
        "customers_affected": "Members with low vision",
        "customer_delight": "Independence",
        "metric": "csat",
    }
    response = client.post(reverse("ideas:create"), {**form, "save": "1"})
    idea = Idea.objects.get()
    assert response.status_code == 302 and response["Location"] == idea.get_absolute_url()
    assert idea.status == "draft"
    response = client.post(reverse("ideas:edit", args=[idea.pk]), {**form, "submit": "1"}, follow=True)
    idea.refresh_from_db()
    assert idea.status == "submitted"
    assert "A reviewer will pick it up within 24 hours" in response.content.decode()


def test_submitting_without_the_customer_questions_keeps_a_draft_and_says_what_is_missing(client, author):
    client.force_login(author)
    response = client.post(reverse("ideas:create"), {"title": "Half an idea", "submit": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Answer this before you submit." in page
    assert Idea.objects.get().status == "draft"


def test_list_page_searches_and_filters(client, employee):
    IdeaFactory(title="Talking scanner", status="submitted", tags=[TagFactory(name="access")])
    IdeaFactory(title="Hurricane photos", problem="", proposal="", status="accepted")
    client.force_login(employee)
    page = client.get(reverse("ideas:list"), {"q": "scanner"}).content.decode()
    assert "Talking scanner" in page and "Hurricane photos" not in page
    page = client.get(reverse("ideas:list"), {"status": "accepted"}).content.decode()
    assert "Hurricane photos" in page and "Talking scanner" not in page
    page = client.get(reverse("ideas:list"), {"tag": "access"}).content.decode()
    assert "Talking scanner" in page and "Hurricane photos" not in page


def test_csv_link_is_offered_to_reviewers_only(client, employee, reviewer):
    client.force_login(employee)
    assert "Download this list as CSV" not in client.get(reverse("ideas:list")).content.decode()
    client.force_login(reviewer)
    assert "Download this list as CSV" in client.get(reverse("ideas:list")).content.decode()


def test_vote_button_works_with_htmx_and_without_javascript(client, employee):
    idea = IdeaFactory(status="submitted")
    client.force_login(employee)
    fragment = client.post(reverse("ideas:vote", args=[idea.pk]), {"action": "add"}, **HTMX)
    assert fragment.status_code == 200
    assert "<strong>1</strong>" in fragment.content.decode()
    assert "Take back my vote" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    plain = client.post(reverse("ideas:vote", args=[idea.pk]), {"action": "remove"})
    assert plain.status_code == 302
    assert not Vote.objects.exists()


def test_follow_button_toggles(client, employee):
    idea = IdeaFactory(status="submitted")
    client.force_login(employee)
    assert "You follow this idea" in client.post(reverse("ideas:follow", args=[idea.pk]), **HTMX).content.decode()
    fragment = client.post(reverse("ideas:follow", args=[idea.pk]), {"action": "unfollow"}, **HTMX)
    assert "Follow this idea" in fragment.content.decode()


def test_authors_see_no_vote_button_on_their_own_idea(client, author):
    idea = IdeaFactory(status="submitted", author=author)
    client.force_login(author)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Vote for this idea" not in page
    response = client.post(reverse("ideas:vote", args=[idea.pk]))
    assert response.status_code == 403
    assert "cannot vote on an idea you wrote" in response.content.decode()


def test_reviewer_moves_an_idea_through_the_page_forms(client, reviewer):
    idea = IdeaFactory(status="submitted")
    client.force_login(reviewer)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Take into review" in page and "Mark as duplicate" in page
    client.post(reverse("ideas:move", args=[idea.pk]), {"to": "in_review", "reviewer": reviewer.pk})
    client.post(reverse("ideas:move", args=[idea.pk]), {"to": "accepted", "comment": "Great"})
    client.post(reverse("ideas:move", args=[idea.pk]), {"to": "launched", "launched_on": "2025-05-01"})
    client.post(reverse("ideas:patent", args=[idea.pk]), {"to": "disclosed"})
    client.post(
        reverse("ideas:patent", args=[idea.pk]),
        {"to": "filed", "application_number": "US 18/1", "filed_on": "2025-06-01"},
    )
    idea.refresh_from_db()
    assert (idea.status, idea.patent_status, idea.patent_application_number) == ("launched", "filed", "US 18/1")
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "US 18/1" in page
    assert page.count("<li>\n      <time") == IdeaEvent.objects.filter(idea=idea).count() == 5


def test_a_refused_move_on_the_page_says_why_with_409_and_changes_nothing(client, reviewer):
    idea = IdeaFactory(status="submitted")
    client.force_login(reviewer)
    response = client.post(reverse("ideas:move", args=[idea.pk]), {"to": "launched", "launched_on": "2025-05-01"})
    assert response.status_code == 409
    assert "Allowed from here: In review, Duplicate" in response.content.decode()
    idea.refresh_from_db()
    assert idea.status == "submitted"


def test_a_move_missing_what_it_needs_names_the_input_in_words(client, reviewer):
    idea = IdeaFactory(status="in_review")
    client.force_login(reviewer)
    response = client.post(reverse("ideas:move", args=[idea.pk]), {"to": "rejected"}, follow=True)
    text = response.content.decode()
    assert "Reason: This move needs it." in text
    assert "reason:" not in text
    idea.refresh_from_db()
    assert idea.status == "in_review"


def test_an_employee_posting_a_reviewer_move_gets_403(client, employee):
    idea = IdeaFactory(status="submitted")
    client.force_login(employee)
    assert client.post(reverse("ideas:move", args=[idea.pk]), {"to": "in_review"}).status_code == 403


def test_rejection_reason_is_shown_on_the_idea(client, author):
    idea = IdeaFactory(status="rejected", author=author, rejection_reason="Already in the roadmap.")
    client.force_login(author)
    assert "Already in the roadmap." in client.get(idea.get_absolute_url()).content.decode()


def test_comment_form_posts_sanitized_markdown(client, employee):
    idea = IdeaFactory(status="submitted")
    client.force_login(employee)
    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "<script>x()</script>**yes**"})
    assert response.status_code == 302
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "<strong>yes</strong>" in page and "<script>x()" not in page
    assert client.post(reverse("ideas:comment", args=[idea.pk]), {"body": ""}).status_code == 400


def test_scorecard_form_for_reviewers_shows_the_average(client, reviewer, employee):
    idea = IdeaFactory(status="in_review")
    client.force_login(reviewer)
    client.post(
        reverse("ideas:scorecard", args=[idea.pk]),
        {"customer_impact": 5, "feasibility": 4, "novelty": 3, "cost": 4},
    )
    assert Scorecard.objects.get().customer_impact == 5
    assert "Average 4.0 of 5 from 1 scorecard." in client.get(idea.get_absolute_url()).content.decode()
    client.force_login(employee)
    assert "Average 4.0" not in client.get(idea.get_absolute_url()).content.decode()
    assert client.post(reverse("ideas:scorecard", args=[idea.pk]), {}).status_code == 403


def test_review_queue_lists_overdue_ideas_first_and_is_for_reviewers(client, reviewer, employee):
    from datetime import timedelta

    from django.utils import timezone

    IdeaFactory(title="Fresh", status="submitted", queued_at=timezone.now() - timedelta(hours=1))
    IdeaFactory(title="Overdue", status="submitted", queued_at=timezone.now() - timedelta(hours=30))
    IdeaFactory(title="Being reviewed", status="in_review")
    client.force_login(employee)
    assert client.get(reverse("ideas:review-queue")).status_code == 403
    client.force_login(reviewer)
    page = client.get(reverse("ideas:review-queue")).content.decode()
    assert page.index("Overdue") < page.index("Fresh") < page.index("Being reviewed")


def test_similar_fragment_lists_matching_ideas(client, employee):
    IdeaFactory(title="Talking check scanner", status="submitted")
    client.force_login(employee)
    fragment = client.get(reverse("ideas:similar"), {"title": "scanner for checks"}).content.decode()
    assert "Talking check scanner" in fragment


def test_campaign_page_lists_and_reviewers_create(client, reviewer, employee):
    CampaignFactory(title="Hurricane season")
    client.force_login(employee)
    assert "Hurricane season" in client.get(reverse("ideas:campaigns")).content.decode()
    assert client.post(reverse("ideas:campaigns"), {"title": "X"}).status_code == 403
    client.force_login(reviewer)
    response = client.post(
        reverse("ideas:campaigns"), {"title": "Service week", "opens_on": "2025-10-01", "closes_on": "2025-10-07"}
    )
    assert response.status_code == 302
    assert client.post(reverse("ideas:campaigns"), {"title": ""}).status_code == 400


def test_my_ideas_shows_my_drafts_and_nobody_elses(client, author, employee):
    IdeaFactory(title="My draft", author=author)
    IdeaFactory(title="Their draft", author=employee)
    client.force_login(author)
    page = client.get(reverse("ideas:mine")).content.decode()
    assert "My draft" in page and "Their draft" not in page
    assert client.get(reverse("ideas:detail", args=[Idea.objects.get(title="Their draft").pk])).status_code == 404


def test_notifications_page_shows_idea_moves(client, author, reviewer):
    from ideas import services

    idea = IdeaFactory(status="submitted", author=author)
    services.idea_transition(idea=idea, actor=reviewer, to="in_review")
    client.force_login(author)
    assert f"“{idea.title}” is now: In review" in client.get("/notifications/").content.decode()
    assert Notification.objects.filter(recipient=author).count() == 1


def _populate(n, author=None):
    campaign, tag = CampaignFactory(), TagFactory(name="access")
    for _ in range(n):
        idea = IdeaFactory(status="submitted", campaign=campaign, tags=[tag], **({"author": author} if author else {}))
        VoteFactory(idea=idea)
        CommentFactory(idea=idea)


@pytest.mark.parametrize(
    ("url_name", "query", "expected"),
    [
        # session, user, roles, count, page (tags are a column of its rows),
        # filter-form choices (campaign, department, tag), unread badge
        ("ideas:list", {}, 9),
        ("ideas:list", {"q": "check", "ordering": "trending"}, 9),
        ("ideas:mine", {}, 6),
        ("ideas:review-queue", {}, 6),
        ("ideas:campaigns", {}, 5),
    ],
)
def test_list_pages_make_the_same_queries_for_1_and_50_ideas(
    client, reviewer, django_assert_num_queries, url_name, query, expected
):
    client.force_login(reviewer)
    _populate(1, author=reviewer)
    with django_assert_num_queries(expected):
        assert client.get(reverse(url_name), query).status_code == 200
    _populate(49, author=reviewer)
    with django_assert_num_queries(expected):
        response = client.get(reverse(url_name), query)
    assert response.status_code == 200


def test_detail_page_queries_do_not_grow_with_comments_votes_and_history(client, reviewer, django_assert_num_queries):
    from ideas import services

    idea = IdeaFactory(status="submitted")
    client.force_login(reviewer)
    CommentFactory(idea=idea)
    services.idea_transition(idea=idea, actor=reviewer, to="in_review")
    services.idea_transition(idea=idea, actor=reviewer, to="accepted")
    with django_assert_num_queries(10):
        client.get(idea.get_absolute_url())
    for _ in range(20):
        CommentFactory(idea=idea)
        VoteFactory(idea=idea)
    services.idea_patent_transition(idea=idea, actor=reviewer, to="disclosed")
    services.idea_patent_transition(
        idea=idea, actor=reviewer, to="filed", application_number="US 1", filed_on=date(2025, 1, 1)
    )
    with django_assert_num_queries(10):
        client.get(idea.get_absolute_url())


def test_an_invalid_filter_value_is_reported_and_the_valid_filters_still_apply(client, employee):
    IdeaFactory(status="submitted", title="Braille statements on request")
    IdeaFactory(status="submitted", title="Storm photos of members' homes")
    client.force_login(employee)
    response = client.get(reverse("ideas:list"), {"q": "Braille", "status": "no-such-status"})
    text = response.content.decode()
    assert "Braille statements on request" in text
    assert "Storm photos" not in text
    assert "Select a valid choice" in text
