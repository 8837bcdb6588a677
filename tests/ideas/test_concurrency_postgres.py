"""Votes under real concurrency on PostgreSQL: threads with their own
database connections vote and unvote at once; the stored count always
equals the number of vote rows, and nobody ever has two votes."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection

from ideas import services
from ideas.models import Idea, Vote
from tests.accounts.factories import UserFactory
from tests.ideas.factories import IdeaFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_in_threads(jobs):
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_the_same_person_voting_many_times_at_once_counts_once():
    idea = IdeaFactory(status="submitted")
    voter = UserFactory()
    _run_in_threads([lambda: services.vote_add(idea=idea, user=voter)] * 8)
    idea.refresh_from_db()
    assert idea.vote_count == 1
    assert Vote.objects.filter(idea=idea).count() == 1


def test_count_equals_rows_after_concurrent_votes_and_unvotes():
    idea = IdeaFactory(status="submitted")
    voters = UserFactory.create_batch(12)
    rng = random.Random(3)
    jobs = []
    for voter in voters:
        for _ in range(3):
            action = services.vote_add if rng.random() < 0.6 else services.vote_remove
            jobs.append(lambda action=action, voter=voter: action(idea=idea, user=voter))
    rng.shuffle(jobs)
    _run_in_threads(jobs)
    idea = Idea.objects.get(pk=idea.pk)
    assert idea.vote_count == Vote.objects.filter(idea=idea).count()
    assert Vote.objects.filter(idea=idea).values("user").distinct().count() == idea.vote_count


def test_two_reviewers_merging_a_into_b_and_b_into_a_at_once_end_with_one_clean_merge():
    from django.core.exceptions import ValidationError

    from ideas.workflow import Status, WorkflowError

    first, second = UserFactory(roles=["reviewer"]), UserFactory(roles=["reviewer"])
    for _round in range(5):
        a, b = IdeaFactory(status="submitted"), IdeaFactory(status="submitted")
        outcomes: list[str] = []

        def merge(actor, idea, into, outcomes=outcomes):
            try:
                services.idea_transition(idea=idea, actor=actor, to=Status.DUPLICATE, duplicate_of=into)
                outcomes.append("merged")
            except (WorkflowError, ValidationError):
                outcomes.append("refused")

        _run_in_threads([lambda a=a, b=b: merge(first, a, b), lambda a=a, b=b: merge(second, b, a)])
        assert sorted(outcomes) == ["merged", "refused"]
        statuses = sorted(Idea.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
        assert statuses == ["duplicate", "submitted"]
