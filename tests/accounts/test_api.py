from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_email_and_password_in_any_letter_case(api_client, employee):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": employee.email.upper(), "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=employee).key


def test_wrong_password_names_the_field_in_the_common_error_shape(api_client, employee):
    response = api_client.post("/api/v1/auth/token/", {"email": employee.email, "password": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == "password"
    assert "do not match" in body["errors"][0]["message"]


def test_missing_fields_are_each_listed(api_client):
    response = api_client.post("/api/v1/auth/token/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    problems = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert problems == {("email", "invalid"), ("password", "required")}


def test_malformed_json_is_a_400_not_a_500(api_client):
    response = api_client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_me_with_token_returns_profile_and_roles(api_client):
    user = UserFactory(roles=["reviewer", "hr"], job_title="Lead")
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["email"] == user.email
    assert body["display_name"] == user.display_name
    assert body["department"]["name"] == user.department.name
    assert body["roles"] == ["employee", "reviewer", "hr"]


def test_me_for_superuser_includes_admin_role(api_client, admin_user):
    api_client.force_login(admin_user)
    assert api_client.get("/api/v1/me/").json()["roles"] == ["employee", "admin"]


def test_me_works_with_a_session_cookie(client, employee):
    client.force_login(employee)
    assert client.get("/api/v1/me/").json()["email"] == employee.email


def test_anonymous_api_call_is_401_with_challenge_not_a_redirect(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_revoked_token_no_longer_works(api_client, employee):
    token = Token.objects.create(user=employee)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.delete("/api/v1/auth/token/").status_code == 204
    assert api_client.get("/api/v1/me/").status_code == 401


def test_unknown_api_address_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_405_in_the_common_shape(api_client, employee):
    api_client.force_authenticate(employee)
    response = api_client.post("/api/v1/me/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["status"] == 405


@override_settings(LOGIN_FAILURE_LIMIT_PER_ACCOUNT=2)
def test_token_endpoint_is_throttled_with_retry_after(api_client, employee):
    for _ in range(2):
        assert (
            api_client.post(
                "/api/v1/auth/token/", {"email": employee.email, "password": "wrong"}, format="json"
            ).status_code
            == 400
        )
    response = api_client.post("/api/v1/auth/token/", {"email": employee.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert "Too many failed sign-in attempts" in body["message"]
    assert body["retry_after"] > 0


def test_a_number_too_large_for_the_database_is_a_400_not_a_500(api_client, employee):
    api_client.force_authenticate(employee)
    huge = 284547529727176706515201689347162112
    response = api_client.post("/api/v1/notifications/read/", {"ids": [huge]}, format="json")
    assert response.status_code in (200, 400)
    assert api_client.get(f"/api/v1/ideas/{huge}/").status_code in (400, 404)
