"""``/healthz``: is this process able to serve? Checks the database, the
Celery broker and the cache, each with its latency.

It lives in the project package, not an app, because it belongs to no domain:
it answers for the deployment as a whole (load balancers and the run command
poll it).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ideaportal.celery import app as celery_app

CHECK_TIMEOUT_SECONDS = 3


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
        # Opening a channel makes the transport touch its server (or folders).
        conn.default_channel  # noqa: B018


def _check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("a value written to the cache could not be read back")
    cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "broker": _check_broker,
    "cache": _check_cache,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report: dict[str, dict[str, object]] = {}
    failing: list[str] = []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
            failing.append(name)
            report[name] = {"status": "fail", "error": f"{type(exc).__name__}: {exc}"[:300]}
            if name == "database":
                # Drop the broken connection so the next request reconnects.
                connection.close_if_unusable_or_obsolete()
        else:
            report[name] = {"status": "ok"}
        report[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": report}
    return JsonResponse(body, status=503 if failing else 200)
