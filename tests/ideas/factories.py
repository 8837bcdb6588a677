from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from ideas.models import Campaign, Comment, Idea, IdeaEvent, Metric, Scorecard, Tag, Vote
from ideas.workflow import PatentStatus, Status
from tests.accounts.factories import UserFactory


class CampaignFactory(factory.django.DjangoModelFactory):
    """Open today unless told otherwise."""

    class Meta:
        model = Campaign

    title = factory.Sequence(lambda n: f"Campaign {n}")
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    brief = "Ideas for members hit by the storm."
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=7))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag {n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    """A complete idea (it could be submitted), a draft by default.

    ``IdeaFactory(status=...)`` puts the row straight into that state with
    the timestamps it would have, so a test can start anywhere in the
    lifecycle; history is only ever written by the services.
    """

    class Meta:
        model = Idea
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Speak the check amount aloud {n}")
    problem = "Visually impaired members cannot confirm a scanned check amount."
    proposal = "Read the **amount** aloud after the scan."
    customers_affected = "Members with low vision"
    customer_delight = "They deposit checks without help."
    metric = Metric.CSAT
    author = factory.SubFactory(UserFactory)
    department = factory.LazyAttribute(lambda idea: idea.author.department)
    status = Status.DRAFT
    patent_status = PatentStatus.NONE

    @factory.lazy_attribute
    def submitted_at(self):
        return None if self.status == Status.DRAFT else timezone.now() - timedelta(hours=1)

    @factory.lazy_attribute
    def queued_at(self):
        return self.submitted_at if self.status == Status.SUBMITTED else None

    @factory.post_generation
    def co_authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.co_authors.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class VoteFactory(factory.django.DjangoModelFactory):
    """A vote row; keep ``Idea.vote_count`` in step with ``recount``."""

    class Meta:
        model = Vote

    idea = factory.SubFactory(IdeaFactory, status=Status.SUBMITTED)
    user = factory.SubFactory(UserFactory)


def recount(idea: Idea) -> Idea:
    Idea.objects.filter(pk=idea.pk).update(vote_count=Vote.objects.filter(idea=idea).count())
    idea.refresh_from_db()
    return idea


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory, status=Status.SUBMITTED)
    author = factory.SubFactory(UserFactory)
    body = "Members asked for this *twice* last week."


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    idea = factory.SubFactory(IdeaFactory, status=Status.IN_REVIEW)
    reviewer = factory.SubFactory(UserFactory, roles=["reviewer"])
    customer_impact = 4
    feasibility = 3
    novelty = 5
    cost = 2


def history(idea: Idea) -> list[tuple[str, str, str]]:
    """(track, from, to) of every history row, oldest first."""
    return list(IdeaEvent.objects.filter(idea=idea).order_by("id").values_list("track", "from_value", "to_value"))
