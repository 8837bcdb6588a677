"""Test-run plumbing, loaded with ``-p tests.plugin`` before Django starts.

* Test-only environment defaults (a throwaway secret key, eager Celery for
  unit tests, a private folder for SQLite, broker files and mail).
* ``@pytest.mark.postgres`` / ``@pytest.mark.redis``: a test that needs the
  real service is skipped, loudly, when the service is not configured, and
  fails instead under ``CI=true`` (strict mode), so CI never passes by
  skipping.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import pytest

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-8d1f0b2a9c")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# Tests run with production settings (DEBUG off) but over plain HTTP.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
# The cache outlives a test; tests of the limit lower it for themselves.
os.environ.setdefault("NEWSLETTER_SUBSCRIBE_LIMIT_PER_HOUR", "100000")
os.environ.setdefault("IDEAPORTAL_VAR_DIR", tempfile.mkdtemp(prefix="ideaportal-test-"))
# Playwright's sync API runs an event loop in the test thread; Django's
# async-safety guard would otherwise refuse the ORM calls tests make.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

STRICT = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _service_status() -> dict[str, str | None]:
    """Which real services this run has; None means available, else why not."""
    from django.conf import settings

    status: dict[str, str | None] = {}
    engine = settings.DATABASES["default"]["ENGINE"]
    status["postgres"] = (
        None if "postgresql" in engine else "DATABASE_URL does not point at PostgreSQL (running on SQLite)"
    )
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        status["redis"] = "REDIS_URL is not set"
    else:
        try:
            import redis

            redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
            status["redis"] = None
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            status["redis"] = f"Redis at REDIS_URL does not answer ({exc})"
    return status


_STATUS: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    _STATUS.update(_service_status())
    if STRICT:
        missing = {name: why for name, why in _STATUS.items() if why}
        if missing:
            detail = "; ".join(f"{name}: {why}" for name, why in missing.items())
            raise pytest.UsageError(f"CI=true needs real PostgreSQL and Redis: {detail}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that run a real worker share one broker database: keep them in
    # one xdist process (with --dist loadgroup) so no worker ever consumes a
    # task enqueued by another process's test, against another database.
    for item in items:
        if item.get_closest_marker("broker") is not None:
            item.add_marker(pytest.mark.xdist_group("broker"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    for name in ("postgres", "redis"):
        if item.get_closest_marker(name) is None:
            continue
        why = _STATUS.get(name)
        if why:
            message = f"needs {name}: {why}"
            if STRICT:
                pytest.fail(f"{message} (CI=true: a missing service is a failure)")
            pytest.skip(message)


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"ideaportal: strict mode (CI) = {STRICT}"]
    for name, why in _STATUS.items():
        lines.append(f"ideaportal: {name}: {'available' if why is None else 'MISSING - ' + why}")
    return lines


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    service_skips = [r for r in skipped if "needs postgres" in str(r.longrepr) or "needs redis" in str(r.longrepr)]
    if not service_skips:
        return
    terminalreporter.write_sep("!", f"{len(service_skips)} TESTS SKIPPED FOR WANT OF A REAL SERVICE", red=True)
    for report in service_skips:
        terminalreporter.write_line(f"SKIPPED {report.nodeid}: {report.longrepr[2]}", red=True)
    terminalreporter.write_line(
        "Point DATABASE_URL at PostgreSQL and REDIS_URL at Redis (or run `make test`, which finds local ones).",
        red=True,
    )
