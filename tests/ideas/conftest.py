from __future__ import annotations

import pytest

from tests.accounts.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Argon2 costs ~0.1 s per person; these tests create hundreds of people
    # and never test hashing (tests/accounts does).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def author(db):
    return UserFactory(display_name="Ana Author")


@pytest.fixture
def co_author(db):
    return UserFactory(display_name="Cody Co-author")
