from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import LoginFailureCounter
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_sign_in_with_email_and_password_lands_on_home(client, employee):
    response = _login(client, employee.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert response.url == "/"
    page = client.get("/")
    assert employee.display_name in page.content.decode()


def test_sign_in_rotates_the_session_key(client, employee):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    _login(client, employee.email, PASSWORD)
    assert client.session.session_key != before


def test_wrong_password_explains_what_to_check(client, employee):
    response = _login(client, employee.email, "wrong-password")
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()


def test_inactive_account_cannot_sign_in(client):
    user = UserFactory(is_active=False)
    assert _login(client, user.email, PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=3)
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, employee):
    for _ in range(3):
        _login(client, employee.email, "wrong-password")
    response = _login(client, employee.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT_PER_ADDRESS=4, LOGIN_FAILURE_LIMIT_PER_ACCOUNT=100)
def test_one_address_guessing_many_accounts_is_throttled(client):
    users = UserFactory.create_batch(5)
    statuses = [_login(client, u.email, "wrong-password").status_code for u in users]
    assert statuses == [200, 200, 200, 200, 429]


def test_successful_sign_in_forgives_earlier_failures(client, employee):
    _login(client, employee.email, "wrong-password")
    assert LoginFailureCounter.objects.filter(key=f"account:{employee.email}").exists()
    _login(client, employee.email, PASSWORD)
    assert not LoginFailureCounter.objects.filter(key=f"account:{employee.email}").exists()


def test_sign_out_is_a_post_and_ends_the_session(client, employee):
    client.force_login(employee)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert "You are signed out" in response.content.decode()
    assert client.get("/").status_code == 302


def test_there_is_no_sign_up_page(client):
    assert client.get("/accounts/signup/").status_code == 404


@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=1)
def test_password_reset_mails_a_link_that_sets_a_new_password_and_unlocks(
    client, employee, django_capture_on_commit_callbacks
):
    _login(client, employee.email, "wrong-password")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/accounts/password-reset/", {"email": employee.email.upper()})
    assert len(callbacks) == 1, "the mail is queued only once the request's transaction commits"
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [employee.email]
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-long-passphrase"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    client.logout()
    assert _login(client, employee.email, new_password).status_code == 302


def test_password_reset_for_unknown_address_reveals_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_new_password_must_be_long_and_uncommon(client, employee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": employee.email})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "password123", "new_password2": "password123"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "too short" in text
    assert "too common" in text


def test_preferred_language_is_used_for_the_interface(client):
    user = UserFactory(preferred_language="th")
    client.force_login(user)
    response = client.get("/")
    assert response.headers["Content-Language"] == "th"
    assert '<html lang="th"' in response.content.decode()


def test_navigation_marks_the_current_section_and_offers_the_newsletter_to_everyone(client, employee):
    client.force_login(employee)
    home = client.get("/").content.decode()
    assert '<a href="/" aria-current="page">' in home
    assert '<a href="/newsletter/">Newsletter</a>' in home
    assert "Newsletter editor" not in home
    inside = client.get("/notifications/preferences/").content.decode()
    assert 'aria-current="page"' not in inside.split("</nav>")[0]
