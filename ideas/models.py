"""Ideas, the campaigns that group them, and what people do with them.

Rows here hold data and logic that needs only the row itself; every write
that touches more than one row lives in ``ideas.services``.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ideas import markdown
from ideas.workflow import OPEN_STATUSES, PatentStatus, Status

# A submitted idea nobody took into review within this long is overdue.
TRIAGE_WINDOW = timedelta(hours=24)


class Metric(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (NPS)")
    CSAT = "csat", _("Customer satisfaction (CSAT)")
    CUSTOMER_EFFORT = "customer_effort", _("Customer effort")
    FIRST_CONTACT_RESOLUTION = "first_contact_resolution", _("First-contact resolution")
    TIME_TO_RESOLUTION = "time_to_resolution", _("Time to resolution")
    OTHER = "other", _("Other")


class Campaign(models.Model):
    """A time-boxed challenge ("hurricane season") that groups ideas."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    brief = models.TextField(_("brief"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "title"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="ideas_campaign_dates"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.opens_on <= on <= self.closes_on


def tag_slug(name: str) -> str:
    """A tag's slug: names that differ only in case, spaces or punctuation
    ("Self-service", "self service") share it and so are one tag. A name with
    nothing to slug (only symbols) gets one of its own from a digest."""
    return slugify(name, allow_unicode=True)[:60] or "tag-" + hashlib.sha256(name.casefold().encode()).hexdigest()[:12]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = tag_slug(self.name)
        super().save(*args, **kwargs)


class LiveIdeaManager(models.Manager["Idea"]):
    """Ideas that are not deleted: every read of the product starts here, so
    a deleted idea leaves lists, search, similar ideas, exports and digests."""

    def get_queryset(self) -> models.QuerySet[Idea]:
        return super().get_queryset().filter(deleted_at__isnull=True)


# Rows of the public list: neither drafts nor deleted ideas.
PUBLIC = ~Q(status="draft") & Q(deleted_at__isnull=True)
# Ideas waiting for reviewers (never drafts), and their order in the queue:
# waiting for triage, then in review, then needing information; oldest wait
# first in each. The partial index ``ideas_review_queue`` holds exactly this.
REVIEW_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO)
IN_REVIEW_QUEUE = Q(status__in=REVIEW_STATUSES) & Q(deleted_at__isnull=True)


def review_stage() -> models.Case:
    return models.Case(
        models.When(status=Status.SUBMITTED, then=models.Value(0)),
        models.When(status=Status.IN_REVIEW, then=models.Value(1)),
        default=models.Value(2),
        output_field=models.IntegerField(),
    )


class SearchDocument(models.Func):
    """Title (weight A), problem (B) and proposal (C) as one tsvector in the
    ``simple`` configuration (words split on spaces and punctuation, no
    stemming, every language alike). PostgreSQL stores it with each idea
    (``Idea.search_document``, GIN-indexed), so a search filters and ranks
    without parsing any text again. SQLite stores nothing: it searches
    ``search_text``."""

    template = "%(expressions)s"
    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(
            SearchVector("title", weight="A", config="simple")
            + SearchVector("problem", weight="B", config="simple")
            + SearchVector("proposal", weight="C", config="simple")
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        return "NULL", []


class Idea(models.Model):
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem"), blank=True)
    proposal = models.TextField(_("the proposal"), blank=True, help_text=_("Markdown is supported."))
    proposal_html = models.TextField(editable=False, blank=True)
    customers_affected = models.TextField(_("which customers does it affect?"), blank=True)
    customer_delight = models.TextField(_("why would it delight them?"), blank=True)
    metric = models.CharField(_("metric it should move"), max_length=32, choices=Metric.choices, blank=True)
    metric_other = models.CharField(_("other metric"), max_length=120, blank=True)

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("author")
    )
    co_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_authored_ideas", verbose_name=_("co-authors")
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("department"),
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas", verbose_name=_("campaign")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas", verbose_name=_("tags"))

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    patent_status = models.CharField(
        _("patent status"), max_length=16, choices=PatentStatus.choices, default=PatentStatus.NONE
    )
    # Counters kept exact by services with F() under a row lock.
    vote_count = models.PositiveIntegerField(_("votes"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    # vote_count plus extra weight for recent votes (ideas.services.trending_refresh):
    # stored so "trending" is an index walk, not a count of votes per request.
    trending_score = models.PositiveIntegerField(_("trending score"), default=0, editable=False)

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas_to_review",
        verbose_name=_("reviewer"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    launch_outcome = models.TextField(_("measured outcome"), blank=True)
    patent_application_number = models.CharField(_("application number"), max_length=60, blank=True)
    patent_filed_on = models.DateField(_("filing date"), null=True, blank=True)
    patent_number = models.CharField(_("patent number"), max_length=60, blank=True)
    patent_granted_on = models.DateField(_("grant date"), null=True, blank=True)

    # Timestamps that make the programme's figures computable.
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    # When the idea last entered "submitted": the 24-hour triage clock.
    queued_at = models.DateTimeField(_("waiting for triage since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    first_reviewed_at = models.DateTimeField(_("first taken into review"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    piloted_at = models.DateTimeField(_("pilot started"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launch recorded"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    # Case-folded title, problem and proposal: what search and the
    # PostgreSQL trigram and full-text indexes (migration 0002) work on.
    search_text = models.TextField(editable=False, blank=True)
    search_document = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(null=True), db_persist=True
    )

    # Deleting hides an idea; the row, its votes and its history stay (see
    # ideas.services.idea_delete). Admins still find it in the Django admin.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = LiveIdeaManager()
    all_objects = models.Manager()  # noqa: DJ012 - a manager, which ruff takes for a field

    class Meta:
        # Related lookups (vote.idea, event.idea) still reach a deleted idea.
        base_manager_name = "all_objects"
        ordering = ["-created_at", "-id"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ideas_status_recent"),
            models.Index(fields=["status", "queued_at"], name="ideas_triage"),
            # The digest's "new ideas" of one period.
            models.Index(fields=["submitted_at"], name="ideas_submitted"),
            # The public list shows every idea but drafts (an author's drafts are on
            # "My ideas") and deleted ones (the default manager hides them), so its
            # orderings are walks of these partial indexes; the newest one also
            # serves the keyset pages (ideas.api cursor).
            models.Index(fields=["-created_at", "-id"], name="ideas_public_newest", condition=PUBLIC),
            models.Index(fields=["-vote_count", "-created_at", "-id"], name="ideas_public_votes", condition=PUBLIC),
            models.Index(
                fields=["-trending_score", "-created_at", "-id"], name="ideas_public_trending", condition=PUBLIC
            ),
            # A campaign's ideas, by status, newest first (the campaign page and
            # ?campaign=&status=): without it, PostgreSQL intersects the
            # campaign's ideas with every idea of the status (100,000 accepted).
            models.Index(
                fields=["campaign", "status", "-created_at", "-id"], name="ideas_public_campaign", condition=PUBLIC
            ),
            models.Index(review_stage(), "queued_at", "id", name="ideas_review_queue", condition=IN_REVIEW_QUEUE),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="ideas_idea_not_duplicate_of_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.proposal_html = markdown.render(self.proposal)
        self.search_text = "\n".join([self.title, self.problem, self.proposal]).casefold()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "problem", "proposal"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "proposal_html", "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("ideas:detail", args=[self.pk])

    @property
    def is_open_for_votes(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.status == Status.SUBMITTED and self.queued_at is not None and now - self.queued_at > TRIAGE_WINDOW

    @property
    def metric_label(self) -> str:
        if self.metric == Metric.OTHER and self.metric_other:
            return self.metric_other
        return str(self.get_metric_display()) if self.metric else ""


class EventTrack(models.TextChoices):
    STATUS = "status", _("Status")
    PATENT = "patent", _("Patent")
    MERGE = "merge", _("Duplicate merged in")


class IdeaEventQuerySet(models.QuerySet["IdeaEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Idea history is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Idea history is append-only.")


class IdeaEvent(models.Model):
    """One move of an idea on either track: who, when, from, to, why.

    Append-only: rows are written by ``ideas.services`` and never changed.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events", verbose_name=_("idea"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    track = models.CharField(_("track"), max_length=8, choices=EventTrack.choices)
    from_value = models.CharField(_("from"), max_length=16)
    to_value = models.CharField(_("to"), max_length=16)
    comment = models.TextField(_("comment"), blank=True)
    # The other idea of a duplicate merge (in both ideas' histories).
    related_idea = models.ForeignKey(Idea, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # What the move carried: launch date, application number, ...
    details = models.JSONField(default=dict, blank=True)

    objects = IdeaEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        # The digest reads one period's moves out of millions.
        indexes = [models.Index(fields=["created_at"], name="ideas_event_created")]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.idea_id} {self.track}: {self.from_value} -> {self.to_value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Idea history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Idea history is append-only.")

    def _label(self, value: str) -> str:
        choices = PatentStatus if self.track == EventTrack.PATENT else Status
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    @property
    def from_label(self) -> str:
        return self._label(self.from_value)

    @property
    def to_label(self) -> str:
        return self._label(self.to_value)


class Vote(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="ideas_one_vote_per_person")]
        indexes = [models.Index(fields=["idea", "-created_at"], name="ideas_vote_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.idea_id}"


class Follow(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="ideas_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.idea_id}"


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idea_comments")
    body = models.TextField(_("comment"), help_text=_("Markdown is supported."))
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["idea", "created_at"], name="ideas_comment_thread")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.idea_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.body_html = markdown.render(self.body)
        super().save(*args, **kwargs)


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Scorecard(models.Model):
    """One reviewer's scores for one idea, editable until the decision."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="scorecards")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards")
    customer_impact = models.PositiveSmallIntegerField(_("customer impact"), validators=SCORE_VALIDATORS)
    feasibility = models.PositiveSmallIntegerField(_("feasibility"), validators=SCORE_VALIDATORS)
    novelty = models.PositiveSmallIntegerField(_("novelty"), validators=SCORE_VALIDATORS)
    cost = models.PositiveSmallIntegerField(
        _("cost"), validators=SCORE_VALIDATORS, help_text=_("5 is the cheapest to do.")
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    CRITERIA = ("customer_impact", "feasibility", "novelty", "cost")

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(fields=["idea", "reviewer"], name="ideas_one_scorecard_per_reviewer"),
            *[
                models.CheckConstraint(condition=Q(**{f"{c}__gte": 1, f"{c}__lte": 5}), name=f"ideas_scorecard_{c}")
                for c in ("customer_impact", "feasibility", "novelty", "cost")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id} on {self.idea_id}"

    @property
    def average(self) -> float:
        return sum(getattr(self, c) for c in self.CRITERIA) / len(self.CRITERIA)
