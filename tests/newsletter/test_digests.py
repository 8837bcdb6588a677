"""Periods in the portal's time zone, and digests built once per period."""

from __future__ import annotations

import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from ideas.models import EventTrack
from ideas.workflow import PatentStatus, Status
from newsletter import services
from newsletter.mail import digest_personalise
from newsletter.models import Delivery, Digest, EditorNote, Frequency
from newsletter.periods import period_at, period_containing
from tests.accounts.factories import UserFactory
from tests.ideas.factories import CampaignFactory
from tests.newsletter.factories import IdeaFactory, SubscriberFactory, idea_moved
from tests.onboarding.factories import AssignmentFactory, ModuleFactory

pytestmark = pytest.mark.django_db

# Ulaanbaatar is UTC+8: local midnight is 16:00 UTC the day before, so a
# period computed in UTC would put these events in the wrong day.
ZONE = "Asia/Ulaanbaatar"
UB = ZoneInfo(ZONE)


@pytest.fixture(autouse=True)
def portal_zone(settings):
    settings.TIME_ZONE = ZONE


def local(*args):
    return datetime(*args, tzinfo=UB)


def test_event_at_2359_and_0001_land_in_their_own_local_days():
    assert period_at(Frequency.DAILY, local(2025, 3, 10, 23, 59)).start == date(2025, 3, 10)
    assert period_at(Frequency.DAILY, local(2025, 3, 11, 0, 1)).start == date(2025, 3, 11)


def test_weeks_are_iso_weeks_across_the_new_year_and_months_are_calendar_months():
    # 31 December 2024 is a Tuesday of ISO week 1 of 2025.
    week = period_at(Frequency.WEEKLY, local(2024, 12, 31, 12))
    assert (week.start, week.end) == (date(2024, 12, 30), date(2025, 1, 6))
    assert period_at(Frequency.WEEKLY, local(2025, 1, 5, 23, 59)).start == date(2024, 12, 30)
    assert period_at(Frequency.WEEKLY, local(2025, 1, 6, 0, 1)).start == date(2025, 1, 6)
    assert period_at(Frequency.MONTHLY, local(2024, 2, 29, 23, 59)).start == date(2024, 2, 1)
    march = period_at(Frequency.MONTHLY, local(2024, 3, 1, 0, 1))
    assert (march.start, march.end) == (date(2024, 3, 1), date(2024, 4, 1))
    assert period_containing(Frequency.MONTHLY, date(2024, 12, 15)).end == date(2025, 1, 1)


def _titles(digest, key):
    return [item["title"] for item in digest.content[key]]


def test_late_run_puts_each_item_in_the_day_it_happened_and_catches_up_missed_days():
    before_midnight = IdeaFactory(title="Speaking check scanner")
    after_midnight = IdeaFactory(title="Storm damage photos")
    idea_moved(before_midnight, Status.ACCEPTED, local(2025, 3, 11, 23, 59))
    idea_moved(after_midnight, Status.ACCEPTED, local(2025, 3, 12, 0, 1))
    Digest.objects.create(frequency=Frequency.DAILY, period_start=date(2025, 3, 10), period_end=date(2025, 3, 11))

    # Beat was down for two days; the run comes at 05:00 on the 13th.
    digests = services.digest_run(frequency=Frequency.DAILY, now=local(2025, 3, 13, 5, 0))

    assert [d.period_start for d in digests] == [date(2025, 3, 11), date(2025, 3, 12)]
    assert _titles(digests[0], "accepted") == ["Speaking check scanner"]
    assert _titles(digests[1], "accepted") == ["Storm damage photos"]


def test_digest_is_built_once_and_later_events_do_not_change_it():
    idea = IdeaFactory(title="Before the build")
    idea_moved(idea, Status.LAUNCHED, local(2025, 3, 12, 10))
    EditorNote.objects.create(frequency=Frequency.DAILY, body="Hurricane season is here.")
    first = services.digest_run(frequency=Frequency.DAILY, now=local(2025, 3, 13, 1))
    idea_moved(IdeaFactory(title="Too late"), Status.LAUNCHED, local(2025, 3, 12, 11))

    again = services.digest_run(frequency=Frequency.DAILY, now=local(2025, 3, 13, 2))
    rebuilt = services.digest_build(frequency=Frequency.DAILY, period=period_at(Frequency.DAILY, local(2025, 3, 12)))

    assert again == []
    assert rebuilt.pk == first[0].pk
    assert _titles(rebuilt, "launched") == ["Before the build"]
    assert rebuilt.editor_note == "Hurricane season is here."
    assert EditorNote.objects.get().digest == rebuilt


def test_sections_hold_top_voted_new_ideas_accepted_launched_and_patented():
    day = local(2025, 3, 12, 9)
    IdeaFactory(title="Few votes", vote_count=1, submitted_at=day)
    IdeaFactory(title="Many votes", vote_count=9, submitted_at=day)
    IdeaFactory(title="Draft", vote_count=50, submitted_at=day, status=Status.DRAFT)
    IdeaFactory(title="Yesterday", vote_count=50, submitted_at=local(2025, 3, 11, 23, 59))
    patented = IdeaFactory(title="Granted", status=Status.LAUNCHED)
    idea_moved(patented, PatentStatus.GRANTED, day, track=EventTrack.PATENT, source=PatentStatus.FILED)

    digest = services.digest_build(frequency=Frequency.DAILY, period=period_at(Frequency.DAILY, day))

    assert _titles(digest, "top_new") == ["Many votes", "Few votes"]
    assert _titles(digest, "patented") == ["Granted"]


def test_training_highlights_count_completions_and_new_modules_of_the_period_only():
    day = local(2025, 3, 12, 9)
    lab = ModuleFactory(title="Accessibility lab", published_at=local(2025, 1, 5, 9))
    ModuleFactory(title="Military-life immersion", published_at=day)
    ModuleFactory(title="Draft module", published_at=day, status="draft")
    for _ in range(3):
        AssignmentFactory(module=lab, status="completed", completed_at=day)
    AssignmentFactory(module=lab, status="completed", completed_at=local(2025, 3, 11, 23, 59))
    AssignmentFactory(module=lab, status="in_progress")

    digest = services.digest_build(frequency=Frequency.DAILY, period=period_at(Frequency.DAILY, day))

    training = {item["title"]: (item["new"], item["completed"]) for item in digest.content["training"]}
    assert training == {"Military-life immersion": (True, 0), "Accessibility lab": (False, 3)}


def test_training_news_reaches_subscribers_whatever_their_topics():
    day = local(2025, 3, 12, 9)
    ModuleFactory(title="Customer empathy", published_at=day)
    campaign_fan = SubscriberFactory(frequency=Frequency.DAILY)
    campaign_fan.campaigns.add(CampaignFactory())
    digest = services.digest_build(frequency=Frequency.DAILY, period=period_at(Frequency.DAILY, day))
    sections = dict(digest_personalise(digest, topics=services.subscriber_topics(campaign_fan)))
    assert [item["title"] for item in sections["training"]] == ["Customer empathy"]


def test_empty_period_sends_nothing_unless_the_setting_says_so(settings, run_digests):
    SubscriberFactory(frequency=Frequency.DAILY)
    [digest] = run_digests(Frequency.DAILY, local(2025, 3, 13, 1))
    assert digest.is_empty
    assert Delivery.objects.count() == 0
    assert mail.outbox == []

    settings.NEWSLETTER_SEND_EMPTY = True
    run_digests(Frequency.DAILY, local(2025, 3, 14, 1))
    assert len(mail.outbox) == 1
    assert "Nothing new in this period." in mail.outbox[0].body


def test_digest_goes_only_to_active_subscribers_of_its_frequency(run_digests):
    EditorNote.objects.create(frequency=Frequency.WEEKLY, body="Note")
    weekly = SubscriberFactory(frequency=Frequency.WEEKLY)
    SubscriberFactory(frequency=Frequency.DAILY)
    for status in ("pending", "unsubscribed", "bounced"):
        SubscriberFactory(frequency=Frequency.WEEKLY, status=status)
    run_digests(Frequency.WEEKLY, local(2025, 3, 13, 1))
    assert [m.to for m in mail.outbox] == [[weekly.email]]


def test_followers_get_the_ideas_they_follow_that_moved_and_topics_filter_the_rest(run_digests):
    from ideas.models import Follow

    follower = UserFactory(display_name="Fran Follower")
    followed = IdeaFactory(title="Followed idea")
    other = IdeaFactory(title="Other idea")
    Follow.objects.create(idea=followed, user=follower)
    idea_moved(followed, Status.NEEDS_INFO, local(2025, 3, 12, 9))
    idea_moved(other, Status.ACCEPTED, local(2025, 3, 12, 9))
    employee = SubscriberFactory(email=follower.email, user=follower, frequency=Frequency.DAILY)
    picky = SubscriberFactory(frequency=Frequency.DAILY)
    picky.departments.add(UserFactory().department)  # a department no idea has

    run_digests(Frequency.DAILY, local(2025, 3, 13, 1))

    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Hello Fran Follower" in by_address[employee.email].body
    assert "Ideas you follow that moved" in by_address[employee.email].body
    assert "Followed idea (now: Needs more information)" in by_address[employee.email].body
    assert picky.email not in by_address  # nothing on its topics: skipped
    assert Delivery.objects.get(subscriber=picky).status == "skipped"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_builds_of_one_period_make_one_digest_that_takes_the_note_once():
    EditorNote.objects.create(frequency=Frequency.DAILY, body="Once")
    period = period_at(Frequency.DAILY, local(2025, 3, 12))
    barrier = threading.Barrier(4)
    built: list[int] = []

    def build():
        try:
            barrier.wait()
            built.append(services.digest_build(frequency=Frequency.DAILY, period=period).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(built)) == 1 and len(built) == 4
    assert Digest.objects.get().editor_note == "Once"
