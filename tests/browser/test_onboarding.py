from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onboarding.models import Assignment
from tests.accounts.factories import DepartmentFactory, UserFactory
from tests.browser.conftest import assert_accessible, sign_in
from tests.onboarding.factories import AssignmentFactory, module_with_content

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()


def _tab_until(page, script, limit=20):
    """Press Tab until ``script`` (about document.activeElement) is true."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(script):
            return
    raise AssertionError(f"Tab never reached: {script}")


RADIO = "(n) => document.activeElement.type === 'radio' && document.activeElement.name === n"
SUBMIT = "() => document.activeElement.textContent.includes('Submit my answers')"


def _answer_quiz_by_keyboard(page, question_names, wrong_first):
    """Tab to each question's radio group; Space picks the focused (first,
    right) answer, ArrowDown moves to the second (wrong) one."""
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    for index, name in enumerate(question_names):
        _tab_until(page, f"({RADIO})({name!r})")
        page.keyboard.press("ArrowDown" if (wrong_first and index == 0) else "Space")
    _tab_until(page, f"({SUBMIT})()")
    page.keyboard.press("Enter")


def test_hr_assigns_a_department_and_a_member_fails_then_passes_and_hr_sees_it(page):
    claims = DepartmentFactory(name="Claims", slug="claims")
    hr = UserFactory(display_name="Dana HR", roles=["hr"])
    member = UserFactory(display_name="James Carter", department=claims)
    module = module_with_content(title="Accessibility lab", lessons=2, questions=2, pass_mark=80)
    questions = [f"q{q.pk}" for q in module.questions.order_by("position")]

    sign_in(page, hr.email)
    page.goto("/onboarding/hr/assign/")
    assert_accessible(page)
    page.get_by_label("Module").select_option(label="Accessibility lab")
    page.get_by_label("Everyone in a department").check()
    page.get_by_label("Department:").select_option(label="Claims")
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    page.get_by_label("Due on").fill(due)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Assigned to 1 person.")
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, member.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My training").click()
    expect(page.get_by_role("heading", name="My training")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress in Accessibility lab")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Accessibility lab").click()
    assert_accessible(page)
    page.get_by_role("link", name="Start the first lesson").click()
    expect(page.get_by_role("heading", name="Accessibility lab lesson 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.get_by_role("heading", name="Accessibility lab lesson 2")).to_be_visible()
    page.get_by_role("button", name="Mark as done", exact=True).click()
    expect(page.get_by_role("heading", name="Quiz: Accessibility lab")).to_be_visible()
    assert_accessible(page)

    _answer_quiz_by_keyboard(page, questions, wrong_first=True)
    expect(page.get_by_role("status")).to_contain_text("You scored 50%; the pass mark is 80%.")
    assert_accessible(page)
    page.get_by_role("link", name="Try the quiz again").click()
    _answer_quiz_by_keyboard(page, questions, wrong_first=False)
    expect(page.get_by_role("status")).to_contain_text("You passed with 100%.")
    expect(page.get_by_role("status")).to_contain_text("This training is complete.")
    assert Assignment.objects.get(user=member).status == "completed"
    _sign_out(page)

    sign_in(page, hr.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training reports").click()
    by_module = page.get_by_role("table").first
    row = by_module.get_by_role("row", name="Accessibility lab")
    expect(row).to_contain_text("100%")
    expect(page.get_by_text("Nobody is overdue.")).to_be_visible()
    assert_accessible(page)


def test_hr_module_editor_and_assignment_pages_are_accessible(page):
    hr = UserFactory(display_name="Dana HR", roles=["hr"])
    learner = UserFactory(display_name="Aoife Byrne")
    late = AssignmentFactory(
        module=module_with_content(title="Military-life immersion"),
        user=learner,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    sign_in(page, hr.email)
    page.goto("/onboarding/hr/modules/")
    assert_accessible(page)
    page.get_by_role("link", name="New module").click()
    page.get_by_role("button", name="Create the module").click()  # empty: errors shown accessibly
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill("Customer empathy")
    page.get_by_label("Kind").select_option(label="Empathy")
    page.get_by_role("button", name="Create the module").click()
    expect(page.get_by_role("heading", name="Edit “Customer empathy”")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add a lesson").click()
    page.get_by_label("Title").fill("Never make a member repeat themselves")
    page.get_by_label("Text (Markdown)").fill("Read the **note** first.")
    page.get_by_role("button", name="Save the lesson").click()
    page.get_by_role("link", name="Add a question").click()
    assert_accessible(page)
    page.get_by_label("Question:", exact=True).fill("What do you read first?")
    page.get_by_label("Answer 1:", exact=True).fill("Yesterday's note")
    page.get_by_label("Answer 1 is right").check()
    page.get_by_label("Answer 2:", exact=True).fill("Nothing")
    page.get_by_role("button", name="Save the question").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("published")
    assert_accessible(page)

    page.goto("/onboarding/hr/reports/")
    page.get_by_role("link", name="Aoife Byrne").click()
    assert_accessible(page)
    page.get_by_label("Reason for waiving").fill("Moved to a role without member contact")
    page.get_by_role("button", name="Waive this assignment").click()
    expect(page.get_by_role("status")).to_contain_text("Assignment waived.")
    expect(page.get_by_role("cell", name="Moved to a role without member contact")).to_be_visible()
    late.refresh_from_db()
    assert late.status == "waived"
