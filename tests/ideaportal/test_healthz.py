from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from ideaportal.celery import app as celery_app

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_healthy_portal_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "broker", "cache"}
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_healthz_needs_no_sign_in_and_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response.headers["Cache-Control"]


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
)
def test_unreachable_cache_is_503_naming_the_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"


def test_unreachable_broker_is_503_naming_the_broker(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_write_url", DEAD_REDIS)
    monkeypatch.setattr(celery_app.conf, "broker_url", DEAD_REDIS)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


@pytest.mark.postgres  # SQLite's in-memory test database cannot be taken away
@pytest.mark.django_db(transaction=True)
def test_unreachable_database_is_503_naming_the_database(client):
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    connection.close()
    settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        settings_dict.update(saved)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["status"] == "fail"
    # and it recovers by itself once the database is back
    assert client.get("/healthz").status_code == 200
