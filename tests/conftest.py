from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory


@pytest.fixture
def employee(db):
    return UserFactory(display_name="Erin Employee")


@pytest.fixture
def other_employee(db):
    return UserFactory(display_name="Oscar Other")


@pytest.fixture
def reviewer(db):
    return UserFactory(display_name="Riley Reviewer", roles=["reviewer"])


@pytest.fixture
def hr_user(db):
    return UserFactory(display_name="Harper HR", roles=["hr"])


@pytest.fixture
def editor(db):
    return UserFactory(display_name="Eddie Editor", roles=["editor"])


@pytest.fixture
def admin_user(db):
    return UserFactory(display_name="Ada Admin", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def employee_api(api_client, employee):
    api_client.force_authenticate(employee)
    return api_client
