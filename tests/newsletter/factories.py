from __future__ import annotations

import factory
from django.utils import timezone

from ideas.models import EventTrack, Idea, IdeaEvent
from ideas.workflow import Status
from newsletter.models import Frequency, Subscriber, SubscriberStatus
from tests.accounts.factories import UserFactory


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    frequency = Frequency.WEEKLY
    status = SubscriberStatus.ACTIVE
    confirmed_at = factory.LazyFunction(timezone.now)


class IdeaFactory(factory.django.DjangoModelFactory):
    """An idea as the ideas app leaves it after submission (rows written
    directly: the newsletter only reads them)."""

    class Meta:
        model = Idea

    title = factory.Sequence(lambda n: f"Idea {n}")
    author = factory.SubFactory(UserFactory)
    status = Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


def idea_moved(idea: Idea, to: str, at, track: str = EventTrack.STATUS, source: str = Status.IN_REVIEW) -> IdeaEvent:
    """Record a move of ``idea`` at ``at`` the way ideas.services does."""
    if track == EventTrack.STATUS:
        Idea.objects.filter(pk=idea.pk).update(status=to)
    else:
        Idea.objects.filter(pk=idea.pk).update(patent_status=to)
    return IdeaEvent.objects.create(idea=idea, track=track, from_value=source, to_value=to, created_at=at)
