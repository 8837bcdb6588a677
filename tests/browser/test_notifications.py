from __future__ import annotations

import pytest
from playwright.sync_api import expect

from notifications.kinds import kind_register
from notifications.services import notify
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

kind_register("tests.browser", "Browser test messages")


def test_notifications_page_lists_unread_and_marks_them_read(page, employee):
    notify(recipients=[employee], kind="tests.browser", title="Your idea is in review", url="/")
    sign_in(page, employee.email)
    header_link = page.get_by_role("link", name="Notifications 1 unread")
    expect(header_link).to_be_visible()
    header_link.click()
    expect(page.get_by_role("heading", name="New Your idea is in review")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("status")).to_contain_text("Marked 1 as read")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert_accessible(page)


def test_preferences_page_is_keyboard_operable_and_accessible(page, employee):
    sign_in(page, employee.email)
    page.goto("/notifications/preferences/")
    assert_accessible(page)
    box = page.get_by_label("Browser test messages")
    expect(box).to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("preferences are saved")
    expect(page.get_by_label("Browser test messages")).not_to_be_checked()
