from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k8Zr1vQy7mN2pX5wL0tC9hJ4bF6gD3sA_production-grade-secret-value-xyz",
    "ALLOWED_HOSTS": "ideas.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://ideas.example.com",
    "DATABASE_URL": "postgres://ideaportal:pw@db.internal:5432/ideaportal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
    "EMAIL_HOST": "smtp.example.com",
    "SITE_URL": "https://ideas.example.com",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_"))}
    clean.pop("STATIC_MANIFEST", None)
    clean.update(env)
    clean["IDEAPORTAL_VAR_DIR"] = os.environ["IDEAPORTAL_VAR_DIR"]
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_no_issues_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_malformed_values_stop_start_up_naming_the_variable():
    result = _manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
    result = _manage("check", env={**PRODUCTION_ENV, "EMAIL_PORT": "smtp"})
    assert "EMAIL_PORT='smtp' is not a whole number" in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file-" + "x" * 50 + "\n")
    env = {**PRODUCTION_ENV, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}
    result = _manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.SECRET_KEY)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "from-a-file-" + "x" * 50


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DEBUG": "true", "SECRET_KEY": "", "DATABASE_URL": "", "REDIS_URL": "", "CELERY_BROKER_URL": ""},
            "sqlite3|locmem|filesystem://localhost/|filebased",
        ),
        (PRODUCTION_ENV, "postgresql|redis|redis://cache.internal:6379/1|smtp"),
    ],
)
def test_embedded_defaults_and_production_services(env, expected):
    code = (
        "from django.conf import settings as s;"
        "print('|'.join([s.DATABASES['default']['ENGINE'].rsplit('.', 1)[1],"
        " s.CACHES['default']['BACKEND'].rsplit('.', 2)[1], s.CELERY_BROKER_URL,"
        " s.EMAIL_BACKEND.rsplit('.', 2)[1]]))"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_a_visibility_timeout_within_the_task_time_limit_is_refused():
    # Redis would hand a task that is still running to a second worker.
    env = {**PRODUCTION_ENV, "CELERY_VISIBILITY_TIMEOUT": "300", "CELERY_TASK_TIME_LIMIT": "360"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "CELERY_VISIBILITY_TIMEOUT=300 must be longer than CELERY_TASK_TIME_LIMIT=360" in result.stderr
