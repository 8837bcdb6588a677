"""Digest periods: a day, an ISO week (Monday to Sunday) or a calendar month
in the portal's time zone (settings.TIME_ZONE).

A period is named by its first day and ends (exclusive) on the first day of
the next one, so every instant belongs to exactly one period of each
frequency, whatever time a job asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from newsletter.models import Frequency


@dataclass(frozen=True)
class Period:
    frequency: str
    start: date
    end: date  # first day after the period

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at local midnight of the portal's zone."""
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end, time.min, tzinfo=zone),
        )

    def previous(self) -> Period:
        return period_containing(self.frequency, self.start - timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.frequency, self.end)


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def period_containing(frequency: str, day: date) -> Period:
    """The period of ``frequency`` that contains the local date ``day``."""
    if frequency == Frequency.DAILY:
        return Period(frequency, day, day + timedelta(days=1))
    if frequency == Frequency.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return Period(frequency, monday, monday + timedelta(days=7))
    if frequency == Frequency.MONTHLY:
        first = day.replace(day=1)
        return Period(frequency, first, _first_of_next_month(first))
    raise ValueError(f"Unknown frequency {frequency!r}")


def period_at(frequency: str, moment: datetime) -> Period:
    """The period an event at ``moment`` (aware) belongs to."""
    return period_containing(frequency, timezone.localtime(moment).date())


def last_complete_period(frequency: str, now: datetime) -> Period:
    """The latest period that has fully ended at ``now``."""
    return period_at(frequency, now).previous()
