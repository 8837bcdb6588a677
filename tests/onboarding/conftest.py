from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.onboarding.factories import module_with_content


@pytest.fixture
def module(db):
    return module_with_content(title="Accessibility lab", lessons=2, questions=2)


@pytest.fixture
def hr_api(hr_user):
    # A client of its own: a test may hold employee_api at the same time.
    client = APIClient()
    client.force_authenticate(hr_user)
    return client
