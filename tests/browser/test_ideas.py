"""The ideas pages in Chromium, each checked with axe (zero WCAG A/AA
violations), and the story a new user lives: submit an idea, see it voted
on, reviewed, accepted and launched, with history and notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ideas.models import Idea
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_accessible, sign_in
from tests.ideas.factories import CampaignFactory, IdeaFactory, TagFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()


def move(page: Page, label: str, **fields: str) -> None:
    """Open a move's disclosure on the idea page, fill it and send it."""
    panel = page.locator("details.move").filter(has=page.locator("summary", has_text=label))
    panel.locator("summary").click()
    for name, value in fields.items():
        panel.get_by_label(name).fill(value)
    panel.get_by_role("button", name=label).click()
    expect(page.get_by_text("Done: the idea moved on.")).to_be_visible()


def test_submit_vote_review_accept_launch_with_history_and_notifications(
    page: Page, employee, other_employee, reviewer
):
    IdeaFactory(title="Talking check scanner for blind members", status="submitted")

    # The author shares an idea; similar ideas appear while typing the title.
    sign_in(page, employee.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ideas").click()
    page.get_by_role("link", name="Share an idea").click()
    page.get_by_label("Title").press_sequentially("Scanner that speaks to blind members", delay=5)
    similar = page.get_by_role("complementary", name="Similar ideas")
    expect(similar.get_by_role("link", name="Talking check scanner for blind members")).to_be_visible()
    page.get_by_label("The problem").fill("Members with low vision cannot confirm a scanned amount.")
    page.get_by_label("Your proposal").fill("Read the **amount** aloud after each scan.")
    page.get_by_label("Which customers does it affect?").fill("Members with low vision")
    page.get_by_label("Why would it delight them?").fill("They deposit checks on their own.")
    page.get_by_label("Which customer metric should it move?").select_option("csat")
    assert_accessible(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanner that speaks to blind members")
    expect(page.locator(".idea-meta .status").first).to_have_text("Submitted")
    expect(page.locator(".markdown strong")).to_have_text("amount")
    assert_accessible(page)
    idea_url = page.url
    sign_out(page)

    # Another employee finds it and votes without a page reload.
    sign_in(page, other_employee.email)
    page.goto("/ideas/?q=speaks")
    assert_accessible(page)
    page.get_by_role("link", name="Scanner that speaks to blind members").click()
    page.evaluate("window.__noReload = true")
    page.get_by_role("button", name="Vote for this idea").click()
    expect(page.get_by_role("button", name="Take back my vote")).to_be_visible()
    expect(page.locator(".vote-count")).to_contain_text("1 vote")
    assert page.evaluate("window.__noReload === true"), "voting reloaded the page"
    expect(page.get_by_text("You follow this idea.")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # A reviewer takes it from the queue, scores it, accepts it and launches it.
    sign_in(page, reviewer.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    assert_accessible(page)
    page.get_by_role("link", name="Scanner that speaks to blind members").click()
    move(page, "Take into review")
    page.get_by_label("Customer impact").select_option("5")
    page.get_by_label("Feasibility").select_option("4")
    page.get_by_label("Novelty").select_option("3")
    page.get_by_label("Cost").select_option("4")
    page.get_by_role("button", name="Save scorecard").click()
    expect(page.get_by_text("Average 4.0 of 5 from 1 scorecard.")).to_be_visible()
    move(page, "Accept", **{"Comment (optional)": "Small change, big difference."})
    page.locator("details.move").first.locator("summary").click()
    assert_accessible(page)
    move(page, "Launch", **{"Launch date": "2025-09-01", "Measured outcome (optional)": "CSAT +4"})
    expect(page.locator(".idea-meta .status").first).to_have_text("Launched")
    history = page.get_by_role("region", name="History")
    for step in ("Draft → Submitted", "Submitted → In review", "In review → Accepted", "Accepted → Launched"):
        expect(history).to_contain_text(step)
    assert_accessible(page)
    sign_out(page)

    # The author was told of every step.
    sign_in(page, employee.email)
    expect(page.locator(".notifications-link .badge")).to_contain_text("3")
    page.get_by_role("link", name="Notifications").click()
    title = "Scanner that speaks to blind members"
    for status in ("In review", "Accepted", "Launched"):
        expect(page.get_by_role("link", name=f"“{title}” is now: {status}")).to_be_visible()
    assert_accessible(page)
    page.goto(idea_url)
    expect(page.get_by_role("region", name="History")).to_contain_text("Accepted → Launched")
    expect(page.get_by_text("CSAT +4")).to_be_visible()


def test_the_other_idea_pages_are_accessible(page, reviewer):
    campaign = CampaignFactory(title="Hurricane season")
    tag = TagFactory(name="accessibility")
    mine = IdeaFactory(title="My own draft", author=reviewer, campaign=campaign, tags=[tag])
    IdeaFactory(title="Waiting too long", status="submitted", queued_at=timezone.now() - timedelta(hours=30))
    accepted = IdeaFactory(title="Accepted idea", status="accepted")
    IdeaFactory(title="Rejected idea", status="rejected", rejection_reason="Already planned.")
    sign_in(page, reviewer.email)

    page.goto("/ideas/mine/")
    expect(page.get_by_role("link", name="My own draft")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/ideas/{mine.pk}/edit/")
    page.get_by_label("Title").fill("My own draft, sharper")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My own draft, sharper")

    page.goto("/ideas/campaigns/")
    expect(page.get_by_role("heading", name="Hurricane season")).to_be_visible()
    page.get_by_role("button", name="Create campaign").click()  # empty form: errors shown accessibly
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)

    page.goto("/ideas/review/")
    expect(page.locator(".queue__overdue")).to_contain_text("Waiting too long")
    expect(page.locator(".queue__overdue")).to_contain_text("Overdue")

    page.goto("/ideas/?status=rejected")
    expect(page.get_by_role("link", name="Rejected idea")).to_be_visible()
    expect(page.get_by_role("link", name="Accepted idea")).to_have_count(0)
    page.get_by_role("link", name="Rejected idea").click()
    expect(page.get_by_text("Already planned.")).to_be_visible()
    assert_accessible(page)

    # The patent track, with every disclosure open.
    page.goto(accepted.get_absolute_url())
    for summary in page.locator("details.move summary").all():
        summary.click()
    assert_accessible(page)
    move_patent = page.locator("details.move").filter(has=page.locator("summary", has_text="Record the invention"))
    move_patent.get_by_role("button", name="Record the invention disclosure").click()
    expect(page.get_by_text("The patent track is updated.")).to_be_visible()
    expect(page.locator(".status--patent")).to_have_text("Patent: Disclosed")
    assert Idea.objects.get(pk=accepted.pk).patent_status == "disclosed"


def test_follow_toggles_without_reload_and_an_author_sees_no_vote_button(page, employee):
    own = IdeaFactory(title="Mine", status="submitted", author=employee)
    other = IdeaFactory(title="Someone else's", status="submitted", author=UserFactory())
    sign_in(page, employee.email)
    page.goto(other.get_absolute_url())
    page.get_by_role("button", name="Follow this idea").click()
    expect(page.get_by_role("button", name="Stop following")).to_be_visible()
    page.get_by_role("button", name="Stop following").click()
    expect(page.get_by_role("button", name="Follow this idea")).to_be_visible()
    page.goto(own.get_absolute_url())
    expect(page.get_by_role("button", name="Vote for this idea")).to_have_count(0)
