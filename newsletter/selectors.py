"""Reads of the newsletter's own rows."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from newsletter.models import Delivery, DeliveryStatus, Digest


def archive_list() -> QuerySet[Digest]:
    """Past digests that went out (or would have, had anyone subscribed)."""
    return Digest.objects.filter(is_empty=False, fanned_out_at__isnull=False).order_by("-period_start", "frequency")


def digest_list_with_totals() -> QuerySet[Digest]:
    """Every digest with its delivery totals, in one query."""
    return Digest.objects.annotate(
        total=Count("deliveries"),
        sent=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        pending=Count("deliveries", filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])),
    ).order_by("-period_start", "frequency")


def deliveries_failed(*, digest: Digest) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(digest=digest, status=DeliveryStatus.FAILED).select_related("subscriber").order_by("pk")
    )
