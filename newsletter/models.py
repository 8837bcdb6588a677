"""Subscribers, the digests built for them and one delivery row per copy sent.

The unique constraints are the guarantees: one subscriber per address
(whatever its letter case), one digest per (frequency, period), one delivery
per (digest, subscriber). Services rely on them rather than on Python checks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Active")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")


class Subscriber(models.Model):
    # Stored lower-cased by save(); the functional unique constraint below
    # holds even for rows written around save() (bulk, raw SQL).
    email = models.EmailField(_("e-mail address"), max_length=254)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="newsletter_subscription",
        verbose_name=_("employee"),
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    status = models.CharField(
        _("status"), max_length=14, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    campaigns = models.ManyToManyField("ideas.Campaign", blank=True, related_name="+", verbose_name=_("campaigns"))
    departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="+", verbose_name=_("departments")
    )
    tags = models.ManyToManyField("ideas.Tag", blank=True, related_name="+", verbose_name=_("tags"))
    created_at = models.DateTimeField(_("subscribed"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation last sent"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    hard_bounces = models.PositiveSmallIntegerField(_("hard bounces in a row"), default=0)

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci"),
        ]
        indexes = [models.Index(fields=["frequency", "status"], name="newsletter_sub_audience")]

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.user.display_name if self.user_id and self.user else ""


class Digest(models.Model):
    """The shared part of one digest: built once for its period, then frozen.

    ``content`` holds the sections as plain data (ids, titles, what moved), so
    sending, the archive and a rebuild-free preview never re-read the ideas.
    """

    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("First day after the period."))
    content = models.JSONField(_("content"), default=dict)
    editor_note = models.TextField(_("editor's note"), blank=True)
    is_empty = models.BooleanField(_("empty"), default=False)
    built_at = models.DateTimeField(_("built"), default=timezone.now)
    # Set once, by the run that created the delivery rows (guarded update).
    fanned_out_at = models.DateTimeField(_("deliveries created"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "frequency"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [
            models.UniqueConstraint(fields=["frequency", "period_start"], name="newsletter_digest_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.period_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("newsletter:archive-detail", args=[self.pk])

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.period_end.toordinal() - 1)


class EditorNote(models.Model):
    """The editor's note waiting for the next digest of a frequency; the
    build takes it (sets ``digest``) in the same transaction."""

    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    body = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    digest = models.OneToOneField(
        Digest, on_delete=models.SET_NULL, null=True, blank=True, related_name="note", verbose_name=_("digest")
    )

    class Meta:
        verbose_name = _("editor's note")
        verbose_name_plural = _("editor's notes")
        constraints = [
            models.UniqueConstraint(
                fields=["frequency"], condition=Q(digest__isnull=True), name="newsletter_one_open_note_per_frequency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frequency}: {self.body[:40]}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Delivery(models.Model):
    """One copy of one digest for one subscriber: the unit of sending work."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Who holds the claim: a worker only changes rows it claimed itself.
    claim = models.CharField(max_length=36, blank=True)
    # A copy the server refused for now waits until then (backoff).
    retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["digest", "subscriber"], name="newsletter_one_delivery_per_subscriber"),
        ]
        indexes = [models.Index(fields=["digest", "status"], name="newsletter_delivery_queue")]

    def __str__(self) -> str:
        return f"{self.digest_id} -> {self.subscriber_id}: {self.status}"
