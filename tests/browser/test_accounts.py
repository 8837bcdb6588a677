from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_page_is_accessible_and_signs_in(page, employee):
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)
    sign_in(page, employee.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text(employee.display_name)
    assert_accessible(page)


def test_failed_sign_in_shows_an_accessible_error(page, employee):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an active account")
    assert_accessible(page)


def test_sign_out_from_the_header(page, employee):
    sign_in(page, employee.email)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="You are signed out")).to_be_visible()
    assert_accessible(page)
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")


def test_keyboard_user_reaches_main_content_through_the_skip_link(page, employee):
    sign_in(page, employee.email)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_navigation_follows_roles(page, employee, reviewer, admin_user):
    sign_in(page, employee.email)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, admin_user.email)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin")).to_be_visible()


def test_password_reset_pages_are_accessible(page, employee):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(employee.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page)


def test_api_reference_page_is_accessible(page, employee):
    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name="Ideaportal API 1.0.0")).to_be_visible()
    expect(page.get_by_role("heading", name="GET /api/v1/me/")).to_be_visible()
    assert_accessible(page)
