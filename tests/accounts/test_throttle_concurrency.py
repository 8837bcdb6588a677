from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from tests.accounts.factories import UserFactory


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    # Django's test server listens with a small backlog; a connection it
    # resets before reading the request is simply tried again, as a client
    # would (the request never reached the view, so nothing was counted).
    for _attempt in range(20):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (ConnectionResetError, urllib.error.URLError):
            time.sleep(0.05)
    raise AssertionError("the test server kept resetting the connection")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_hundred_parallel_guesses_get_no_more_than_the_limit_checked(live_server):
    """The limit holds under real concurrency: every request is counted in
    the database before its password is looked at, so at most the limit of
    guesses are ever evaluated however many arrive at once."""
    victim = UserFactory()
    url = f"{live_server.url}/api/v1/auth/token/"
    guesses = [{"email": victim.email, "password": f"guess-{i}"} for i in range(200)]
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda body: _post(url, body), guesses))
    evaluated = statuses.count(400)  # wrong password, actually checked
    refused = statuses.count(429)
    assert evaluated + refused == 200, statuses
    assert evaluated == settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT
