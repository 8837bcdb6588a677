from __future__ import annotations

import pytest

from newsletter import services


@pytest.fixture
def run_digests(django_capture_on_commit_callbacks):
    """Run beat's job as it runs in production: its on-commit tasks (eager
    in tests) fire as if the transaction had committed."""

    def run(frequency, now):
        with django_capture_on_commit_callbacks(execute=True):
            return services.digest_run(frequency=frequency, now=now)

    return run
