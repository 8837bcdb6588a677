"""Campaigns and the 24-hour triage escalation."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import user_has_role
from ideas import selectors
from ideas.models import TRIAGE_WINDOW, Campaign, Idea
from ideas.services._common import (
    KIND_OVERDUE,
)
from ideas.workflow import (
    MoveForbidden,
    Status,
)
from notifications.services import notify

TRIAGE_BATCH_SIZE = 100

# --- campaigns and triage -----------------------------------------------------------------


@transaction.atomic(durable=True)
def campaign_create(
    *, actor: User, title: str, brief: str = "", opens_on: date, closes_on: date, slug: str = ""
) -> Campaign:
    """Reviewers open time-boxed challenges that ideas can join."""
    if not user_has_role(user=actor, role=Role.REVIEWER):
        raise MoveForbidden(_("Only reviewers create campaigns."))
    base = slug or slugify(title, allow_unicode=True)[:180] or "campaign"
    candidate, n = base, 1
    while Campaign.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("A campaign cannot close before it opens.")})
    campaign = Campaign(
        title=title, brief=brief, opens_on=opens_on, closes_on=closes_on, slug=candidate, created_by=actor
    )
    campaign.full_clean()
    campaign.save()
    return campaign


def triage_escalate(*, now: datetime | None = None, batch_size: int = TRIAGE_BATCH_SIZE) -> int:
    """Tell every reviewer about each idea nobody took into review within 24
    hours, once per wait: a guarded update claims the idea (a second run, or
    a second worker, finds nothing to claim) and the notification's dedupe
    key makes a repeat a no-op. Returns how many ideas were escalated."""
    now = now or timezone.now()
    overdue = Q(status=Status.SUBMITTED, queued_at__lt=now - TRIAGE_WINDOW, escalated_at__isnull=True)
    escalated = 0
    while True:
        ids = list(Idea.objects.filter(overdue).order_by("queued_at", "id").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return escalated
        for pk in ids:
            escalated += _triage_escalate_one(pk=pk, overdue=overdue, now=now)


@transaction.atomic(durable=True)
def _triage_escalate_one(*, pk: int, overdue: Q, now: datetime) -> int:
    if not Idea.objects.filter(overdue, pk=pk).update(escalated_at=now):
        return 0
    idea = Idea.objects.get(pk=pk)
    title_text = idea.title
    queued = idea.queued_at.isoformat() if idea.queued_at else ""
    notify(
        recipients=selectors.reviewers(),
        kind=KIND_OVERDUE,
        title=lambda: gettext("Waiting over 24 hours for triage: “%(title)s”") % {"title": title_text},
        url=idea.get_absolute_url(),
        dedupe_key=f"ideas.overdue:{pk}:{queued}",
        exclude=[idea.author],
    )
    return 1
