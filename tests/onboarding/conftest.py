from __future__ import annotations

import pytest

from tests.onboarding.factories import module_with_content


@pytest.fixture
def module(db):
    return module_with_content(title="Accessibility lab", lessons=2, questions=2)


@pytest.fixture
def hr_api(api_client, hr_user):
    api_client.force_authenticate(hr_user)
    return api_client
