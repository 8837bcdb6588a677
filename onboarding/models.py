"""Training modules, their lessons and quiz, and who has to take them.

Progress survives edits of a published module because nothing a learner did
points at mutable content: a lesson completion is keyed to a lesson row that
is never deleted once published (it is retired instead), and a quiz attempt
keeps its own copy of the questions, the answers given and what was right.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onboarding.lifecycle import OPEN_STATUSES, AssignmentStatus


class ModuleKind(models.TextChoices):
    ACCESSIBILITY_LAB = "accessibility_lab", _("Accessibility lab")
    MILITARY_LIFE = "military_life", _("Military-life immersion")
    EMPATHY = "empathy", _("Empathy")
    PRODUCT_KNOWLEDGE = "product_knowledge", _("Product knowledge")
    COMPLIANCE = "compliance", _("Compliance")
    OTHER = "other", _("Other")


class ModuleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Module(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ModuleKind.choices, default=ModuleKind.OTHER)
    summary = models.TextField(_("summary"), blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=30, validators=[MinValueValidator(1), MaxValueValidator(6000)]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of questions a learner must answer right to pass the quiz."),
    )
    recertify_months = models.PositiveSmallIntegerField(
        _("re-certify after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Leave empty if the module never lapses."),
    )
    status = models.CharField(_("status"), max_length=16, choices=ModuleStatus.choices, default=ModuleStatus.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100), name="onboarding_module_pass_mark_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ModuleStatus.PUBLISHED


class MediaKind(models.TextChoices):
    LINK = "link", _("Link")
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("module"))
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), blank=True)
    # Rendered and sanitised once on save, so reading a lesson costs nothing.
    body_html = models.TextField(editable=False, blank=True)
    media_url = models.URLField(
        _("link or media address"), blank=True, validators=[URLValidator(schemes=["https", "http"])]
    )
    media_kind = models.CharField(_("media kind"), max_length=8, choices=MediaKind.choices, default=MediaKind.LINK)
    media_alternative = models.TextField(
        _("text alternative"),
        blank=True,
        help_text=_("A description, transcript or captions for people who cannot see or hear the media."),
    )
    # Retired, not deleted: completions that point here stay meaningful.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["module", "position", "id"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.CheckConstraint(
                condition=Q(media_url="") | ~Q(media_alternative=""), name="onboarding_lesson_media_has_alternative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One answer")
    MULTIPLE = "multiple", _("Several answers")


class Question(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions", verbose_name=_("module"))
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("question"))
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown with the right answer after the quiz is submitted.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["module", "position", "id"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("answer choice")
        verbose_name_plural = _("answer choices")

    def __str__(self) -> str:
        return self.text


class AssignmentSource(models.TextChoices):
    PERSON = "person", _("Assigned to the person")
    DEPARTMENT = "department", _("Assigned to their department")
    ROLE = "role", _("Assigned to their role")
    PLAN = "plan", _("Onboarding plan of their department")
    RECERTIFICATION = "recertification", _("Re-certification")


class Assignment(models.Model):
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("module"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_assignments",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED
    )
    due_on = models.DateField(_("due on"))
    source = models.CharField(_("source"), max_length=16, choices=AssignmentSource.choices)
    # Every row created by one assign action shares this: it tells the caller
    # which rows it created and which were already there (see assignments_create).
    batch = models.UUIDField(editable=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        help_text=_("The completed assignment this re-certifies."),
    )
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    quiz_passed_at = models.DateTimeField(_("quiz passed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    waived_at = models.DateTimeField(_("waived"), null=True, blank=True)
    best_score = models.PositiveSmallIntegerField(_("best score (%)"), null=True, blank=True)
    expires_on = models.DateField(_("lapses on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            # At most one open assignment per person and module, whatever the
            # race: a second assign is a no-op, not a duplicate.
            models.UniqueConstraint(
                fields=["user", "module"],
                condition=Q(status__in=OPEN_STATUSES),
                name="onboarding_one_open_assignment",
            ),
            # A completed assignment is re-certified once.
            models.UniqueConstraint(
                fields=["previous"], condition=Q(previous__isnull=False), name="onboarding_recertified_once"
            ),
        ]
        indexes = [
            models.Index(fields=["module", "status"], name="onboarding_asg_module_status"),
            models.Index(fields=["status", "due_on"], name="onboarding_asg_status_due"),
            # The digest's completions of one period.
            models.Index(fields=["completed_at"], name="onboarding_asg_completed"),
            # Covering: the HR reports read a department's assignments
            # from this index alone (50,000 rows for 5,000 people), never
            # the table.
            models.Index(
                fields=["user", "status"],
                include=["module", "due_on", "best_score", "id"],
                name="onboarding_asg_user_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module} → {self.user_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    def display_status(self, today: datetime.date | None = None) -> str:
        """assigned / in progress / completed / waived, or overdue when an
        open assignment is past its due date (computed, never stored, so it
        is true the moment the date passes)."""
        return AssignmentStatus.OVERDUE.value if self.is_overdue(today) else self.status

    def get_display_status_label(self) -> str:
        return str(AssignmentStatus(self.display_status()).label)


class AssignmentEvent(models.Model):
    """Append-only history of an assignment: who did what, when and why."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")
        WAIVED = "waived", _("Waived")
        DUE_MOVED = "due_moved", _("Due date moved")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    from_due_on = models.DateField(null=True, blank=True)
    to_due_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("assignment event")
        verbose_name_plural = _("assignment events")

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind}"


class LessonCompletion(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="completions")
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assignment", "lesson"], name="onboarding_lesson_done_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}: lesson {self.lesson_id}"


class QuizAttempt(models.Model):
    """One submitted quiz. ``answers`` is a self-contained record (question
    and answer texts, what was chosen, what was right), so editing the quiz
    later never rewrites anyone's history."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    submitted_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField()
    pass_mark = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    answers = models.JSONField(default=list)

    class Meta:
        ordering = ["assignment", "number"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "number"], name="onboarding_attempt_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} #{self.number}: {self.score}%"


class OnboardingPlan(models.Model):
    """Every person who joins ``department`` gets ``module``, due
    ``due_in_days`` after they join."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="onboarding_plans", verbose_name=_("department")
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="plans", verbose_name=_("module"))
    due_in_days = models.PositiveSmallIntegerField(
        _("due after (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["department", "module"]
        verbose_name = _("onboarding plan")
        verbose_name_plural = _("onboarding plans")
        constraints = [
            models.UniqueConstraint(fields=["department", "module"], name="onboarding_plan_once"),
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.module}"
