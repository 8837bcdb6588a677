from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from ideas import services
from ideas.models import Follow, Idea, IdeaEvent, Tag, Vote
from ideas.tasks import triage_escalate_task
from ideas.workflow import MoveForbidden, MoveNotAllowed
from notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.ideas.factories import CampaignFactory, IdeaFactory, VoteFactory, history, recount

pytestmark = pytest.mark.django_db


# --- duplicates ---------------------------------------------------------------------


def _vote(idea, *people):
    for person in people:
        services.vote_add(idea=idea, user=person)


def test_duplicate_merge_moves_votes_and_followers_counting_a_shared_backer_once(reviewer):
    original, duplicate = IdeaFactory(status="submitted"), IdeaFactory(status="submitted")
    both, only_dup, only_orig = UserFactory.create_batch(3)
    _vote(original, both, only_orig)
    _vote(duplicate, both, only_dup)
    watcher = UserFactory()
    services.follow_add(idea=duplicate, user=watcher)

    services.idea_transition(idea=duplicate, actor=reviewer, to="duplicate", duplicate_of=original, comment="Same")

    original.refresh_from_db()
    duplicate.refresh_from_db()
    assert set(Vote.objects.filter(idea=original).values_list("user", flat=True)) == {
        both.pk,
        only_orig.pk,
        only_dup.pk,
    }
    assert original.vote_count == 3
    assert duplicate.vote_count == 0 and not duplicate.votes.exists()
    assert duplicate.duplicate_of == original
    followers = set(Follow.objects.filter(idea=original).values_list("user", flat=True))
    assert {watcher.pk, both.pk, only_dup.pk} <= followers
    assert not Follow.objects.filter(idea=duplicate).exists()
    assert history(duplicate) == [("status", "submitted", "duplicate")]
    assert history(original) == [("merge", "submitted", "submitted")]
    assert IdeaEvent.objects.get(idea=original).related_idea == duplicate


def test_a_vote_by_the_originals_author_is_dropped_in_the_merge(reviewer):
    original, duplicate = IdeaFactory(status="submitted"), IdeaFactory(status="submitted")
    _vote(duplicate, original.author)
    services.idea_transition(idea=duplicate, actor=reviewer, to="duplicate", duplicate_of=original)
    original.refresh_from_db()
    assert original.vote_count == 0
    assert not Vote.objects.exists()


@pytest.mark.parametrize("target_status", ["duplicate", "draft", "withdrawn"])
def test_an_idea_cannot_be_merged_into_a_duplicate_draft_or_withdrawn_idea(reviewer, target_status):
    target = IdeaFactory(status=target_status, author=reviewer)  # the reviewer can see their own draft
    idea = IdeaFactory(status="submitted")
    with pytest.raises(ValidationError) as error:
        services.idea_transition(idea=idea, actor=reviewer, to="duplicate", duplicate_of=target)
    assert "duplicate_of" in error.value.message_dict
    idea.refresh_from_db()
    assert idea.status == "submitted"


def test_an_idea_cannot_be_a_duplicate_of_itself(reviewer):
    idea = IdeaFactory(status="submitted")
    with pytest.raises(ValidationError):
        services.idea_transition(idea=idea, actor=reviewer, to="duplicate", duplicate_of=idea)


def test_earlier_duplicates_follow_when_their_original_is_merged_so_no_chain_forms(reviewer):
    a, b, c = (IdeaFactory(status="submitted") for _ in range(3))
    services.idea_transition(idea=a, actor=reviewer, to="duplicate", duplicate_of=b)
    services.idea_transition(idea=b, actor=reviewer, to="duplicate", duplicate_of=c)
    a.refresh_from_db()
    assert a.duplicate_of == c
    with pytest.raises(ValidationError):
        services.idea_transition(idea=c, actor=reviewer, to="duplicate", duplicate_of=b)


# --- votes -----------------------------------------------------------------------------


def test_second_vote_by_same_person_is_a_no_op(employee):
    idea = IdeaFactory(status="submitted")
    services.vote_add(idea=idea, user=employee)
    idea = services.vote_add(idea=idea, user=employee)
    assert idea.vote_count == 1
    assert Vote.objects.filter(idea=idea).count() == 1


def test_voting_follows_the_idea_and_unvoting_takes_the_vote_back(employee):
    idea = IdeaFactory(status="in_review")
    services.vote_add(idea=idea, user=employee)
    assert Follow.objects.filter(idea=idea, user=employee).exists()
    idea = services.vote_remove(idea=idea, user=employee)
    assert idea.vote_count == 0
    idea = services.vote_remove(idea=idea, user=employee)
    assert idea.vote_count == 0


def test_nobody_votes_for_their_own_or_a_co_authored_idea(author, co_author):
    idea = IdeaFactory(status="submitted", author=author, co_authors=[co_author])
    for person in (author, co_author):
        with pytest.raises(MoveForbidden):
            services.vote_add(idea=idea, user=person)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("status", ["rejected", "launched", "withdrawn", "duplicate"])
def test_votes_are_refused_once_an_idea_is_closed(employee, status):
    idea = IdeaFactory(status=status)
    with pytest.raises(MoveNotAllowed):
        services.vote_add(idea=idea, user=employee)


@pytest.mark.parametrize("status", ["submitted", "in_review", "needs_info", "accepted", "piloting"])
def test_votes_are_taken_while_an_idea_is_open(employee, status):
    idea = services.vote_add(idea=IdeaFactory(status=status), user=employee)
    assert idea.vote_count == 1


# --- notifications and history -------------------------------------------------------------


def test_every_move_notifies_author_co_authors_and_followers_but_not_the_actor(
    author, co_author, reviewer, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(status="submitted", author=author, co_authors=[co_author])
    follower = UserFactory()
    services.follow_add(idea=idea, user=follower)
    services.follow_add(idea=idea, user=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.idea_transition(idea=idea, actor=reviewer, to="in_review")
    notified = set(Notification.objects.filter(kind="ideas.moved").values_list("recipient", flat=True))
    assert notified == {author.pk, co_author.pk, follower.pk}
    assert Notification.objects.filter(recipient=author).first().title == f"“{idea.title}” is now: In review"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([author.email, co_author.email, follower.email])


def test_patent_moves_notify_too(author, reviewer):
    idea = IdeaFactory(status="launched", author=author)
    services.idea_patent_transition(idea=idea, actor=reviewer, to="disclosed")
    assert Notification.objects.get(recipient=author).title == f"Patent for “{idea.title}”: Disclosed"


def test_the_rejection_reason_is_kept_and_shown_to_the_author(author, reviewer):
    idea = IdeaFactory(status="in_review", author=author)
    services.idea_transition(idea=idea, actor=reviewer, to="rejected", reason="Covered by project Lumen.")
    idea.refresh_from_db()
    assert idea.rejection_reason == "Covered by project Lumen."
    assert Notification.objects.get(recipient=author).body == "Covered by project Lumen."


def test_the_full_story_keeps_every_timestamp_programme_figures_need(author, reviewer):
    idea = IdeaFactory(author=author)
    services.idea_transition(idea=idea, actor=author, to="submitted")
    services.idea_transition(idea=idea, actor=reviewer, to="in_review")
    services.idea_transition(idea=idea, actor=reviewer, to="accepted")
    services.idea_transition(idea=idea, actor=reviewer, to="piloting")
    services.idea_transition(idea=idea, actor=reviewer, to="launched", launched_on=date(2025, 6, 1), outcome="NPS +6")
    idea.refresh_from_db()
    stamps = [idea.submitted_at, idea.first_reviewed_at, idea.decided_at, idea.piloted_at, idea.launched_at]
    assert all(stamps) and stamps == sorted(stamps)
    assert (idea.launched_on, idea.launch_outcome, idea.reviewer) == (date(2025, 6, 1), "NPS +6", reviewer)
    assert [row[1:] for row in history(idea)] == [
        ("draft", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "accepted"),
        ("accepted", "piloting"),
        ("piloting", "launched"),
    ]


def test_a_reviewer_can_assign_another_reviewer_who_is_told(reviewer):
    colleague = UserFactory(roles=["reviewer"])
    idea = IdeaFactory(status="submitted")
    services.idea_transition(idea=idea, actor=reviewer, to="in_review", reviewer=colleague)
    idea.refresh_from_db()
    assert idea.reviewer == colleague
    assert Notification.objects.filter(recipient=colleague, kind="ideas.assigned").exists()


def test_only_a_reviewer_can_be_assigned(reviewer, employee):
    idea = IdeaFactory(status="submitted")
    with pytest.raises(ValidationError):
        services.idea_transition(idea=idea, actor=reviewer, to="in_review", reviewer=employee)


def test_history_rows_cannot_be_changed_or_deleted(author):
    idea = IdeaFactory(author=author)
    services.idea_transition(idea=idea, actor=author, to="submitted")
    event = IdeaEvent.objects.get()
    event.comment = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        IdeaEvent.objects.update(comment="rewritten")
    with pytest.raises(TypeError):
        IdeaEvent.objects.all().delete()


def test_resubmitting_restarts_the_triage_clock_but_keeps_the_first_submission(author, reviewer):
    idea = IdeaFactory(author=author)
    services.idea_transition(idea=idea, actor=author, to="submitted")
    first = Idea.objects.get(pk=idea.pk).submitted_at
    services.idea_transition(idea=idea, actor=reviewer, to="in_review")
    services.idea_transition(idea=idea, actor=reviewer, to="needs_info", comment="Which members?")
    services.idea_update(idea=idea, actor=author, customers_affected="Members with low vision in Texas")
    services.idea_transition(idea=idea, actor=author, to="submitted")
    idea.refresh_from_db()
    assert idea.submitted_at == first
    assert idea.queued_at > first


# --- editing, campaigns, comments, scorecards -----------------------------------------------------


def test_authors_edit_only_while_draft_or_needs_info(author, co_author, employee):
    idea = IdeaFactory(author=author, co_authors=[co_author])
    services.idea_update(idea=idea, actor=co_author, title="Read the amount aloud")
    with pytest.raises(MoveForbidden):
        services.idea_update(idea=idea, actor=employee, title="Hijacked")
    Idea.objects.filter(pk=idea.pk).update(status="in_review")
    with pytest.raises(MoveNotAllowed):
        services.idea_update(idea=idea, actor=author, title="Too late")
    assert Idea.objects.get(pk=idea.pk).title == "Read the amount aloud"


def test_ideas_join_only_an_open_campaign(author):
    closed = CampaignFactory(opens_on=date(2020, 1, 1), closes_on=date(2020, 2, 1))
    with pytest.raises(ValidationError) as error:
        services.idea_create(author=author, title="Late", campaign=closed)
    assert "campaign" in error.value.message_dict
    idea = services.idea_create(author=author, title="On time", campaign=CampaignFactory(), tags=["Storm", "storm "])
    assert idea.campaign is not None
    assert [tag.name for tag in idea.tags.all()] == ["Storm"]


def test_tag_names_that_share_a_slug_are_one_tag_and_names_without_one_stay_apart(author):
    # Found by the stateful fuzzer: a second name with the same slug was a
    # unique-constraint violation, a 500.
    first = services.idea_create(author=author, title="One", tags=["Self-service", "!!"])
    second = services.idea_create(author=author, title="Two", tags=["self service", "SELF-SERVICE!", "??"])
    assert [tag.name for tag in first.tags.all()] == ["!!", "Self-service"]
    assert [tag.name for tag in second.tags.all()] == ["??", "Self-service"]
    assert len({tag.slug for tag in Tag.objects.all()}) == Tag.objects.count() == 3


def test_commenting_counts_follows_and_renders_markdown_safely(author, employee):
    idea = IdeaFactory(status="submitted", author=author)
    comment = services.comment_create(
        idea=idea,
        author=employee,
        body='**Yes**<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)"> [ok](https://e.com)',
    )
    assert "<strong>Yes</strong>" in comment.body_html
    assert "<script>" not in comment.body_html
    assert "<img" not in comment.body_html
    assert 'href="javascript' not in comment.body_html
    assert '<a href="https://e.com" rel="noopener noreferrer nofollow">ok</a>' in comment.body_html
    idea.refresh_from_db()
    assert idea.comment_count == 1
    assert Follow.objects.filter(idea=idea, user=employee).exists()
    assert Notification.objects.filter(recipient=author, kind="ideas.comment").exists()


def test_one_scorecard_per_reviewer_editable_until_the_decision(reviewer):
    idea = IdeaFactory(status="in_review")
    scores = {"customer_impact": 4, "feasibility": 3, "novelty": 5, "cost": 2}
    services.scorecard_save(idea=idea, reviewer=reviewer, **scores)
    services.scorecard_save(idea=idea, reviewer=reviewer, **{**scores, "cost": 4}, comment="Cheaper than I thought")
    assert idea.scorecards.get().cost == 4
    services.idea_transition(idea=idea, actor=reviewer, to="accepted")
    with pytest.raises(MoveNotAllowed):
        services.scorecard_save(idea=idea, reviewer=reviewer, **scores)


def test_employees_and_authors_do_not_score(employee, reviewer):
    idea = IdeaFactory(status="in_review", author=reviewer)
    scores = {"customer_impact": 4, "feasibility": 3, "novelty": 5, "cost": 2}
    for person in (employee, reviewer):
        with pytest.raises(MoveForbidden):
            services.scorecard_save(idea=idea, reviewer=person, **scores)


# --- triage -------------------------------------------------------------------------------------


def test_an_overdue_idea_escalates_to_reviewers_once(reviewer, django_capture_on_commit_callbacks):
    waiting = IdeaFactory(status="submitted", queued_at=timezone.now() - timedelta(hours=25))
    fresh = IdeaFactory(status="submitted", queued_at=timezone.now() - timedelta(hours=2))
    other_reviewer = UserFactory(roles=["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        assert triage_escalate_task.delay().get() == 1
        assert triage_escalate_task.delay().get() == 0
    overdue = Notification.objects.filter(kind="ideas.overdue")
    assert set(overdue.values_list("recipient", flat=True)) == {reviewer.pk, other_reviewer.pk}
    assert all(waiting.title in n.title for n in overdue)
    waiting.refresh_from_db()
    fresh.refresh_from_db()
    assert waiting.escalated_at is not None and fresh.escalated_at is None


def test_an_idea_taken_into_review_in_time_never_escalates(reviewer):
    idea = IdeaFactory(status="submitted", queued_at=timezone.now() - timedelta(hours=23))
    services.idea_transition(idea=idea, actor=reviewer, to="in_review")
    assert services.triage_escalate(now=timezone.now() + timedelta(hours=5)) == 0


def test_the_beat_schedule_runs_the_escalation(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ideas-triage-escalate"]
    assert entry["task"] == "ideas.triage_escalate"
    assert entry["schedule"] <= 3600


def test_vote_count_stays_equal_to_vote_rows_after_a_mix_of_votes(employee):
    idea = IdeaFactory(status="submitted")
    voters = UserFactory.create_batch(5)
    for person in voters:
        services.vote_add(idea=idea, user=person)
    for person in voters[:2]:
        services.vote_remove(idea=idea, user=person)
    VoteFactory(idea=idea)  # a row written behind the services' back ...
    idea = recount(idea)  # ... is picked up by a recount
    assert idea.vote_count == Vote.objects.filter(idea=idea).count() == 4


def test_reviewers_hold_the_ideas_admin_permissions_after_migrate():
    from django.contrib.auth.models import Group

    granted = set(Group.objects.get(name="reviewer").permissions.values_list("codename", flat=True))
    assert {"view_idea", "view_ideaevent", "add_campaign", "view_scorecard"} <= granted
