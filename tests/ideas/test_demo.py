from __future__ import annotations

import pytest
from django.core.management import call_command

from ideas.models import Campaign, Comment, Idea, IdeaEvent, Scorecard, Vote
from ideas.workflow import PatentStatus, Status

pytestmark = pytest.mark.django_db


def test_seed_demo_covers_every_status_and_patent_status_and_a_second_run_changes_nothing():
    call_command("seed_demo", verbosity=0)
    assert set(Idea.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Idea.objects.values_list("patent_status", flat=True)) == set(PatentStatus.values)
    assert Campaign.objects.count() == 2
    assert Vote.objects.exists() and Comment.objects.exists() and Scorecard.objects.exists()
    for word in ("үйлчлүүлэгч", "ความพึงพอใจ", "aiseolas", "მომხმარებელთა", "klientu"):
        assert Idea.objects.filter(search_text__contains=word).exists(), word
    # Every idea got where it is through the services: its history ends in its status.
    for idea in Idea.objects.exclude(status="draft"):
        last = IdeaEvent.objects.filter(idea=idea, track="status").order_by("id").last()
        assert last is not None and last.to_value == idea.status, idea.title
    counts = (Idea.objects.count(), IdeaEvent.objects.count(), Vote.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Idea.objects.count(), IdeaEvent.objects.count(), Vote.objects.count()) == counts
