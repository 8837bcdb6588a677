"""Faults against real services.

The shared PostgreSQL (5432) and Redis (6379) are never stopped: a test that
breaks a server starts its own throwaway one (``initdb``/``pg_ctl`` into a
temporary folder on a free port). Marked ``faults``; they run in the normal
suite, and without the binaries they skip, or fail under CI=true.

The backup test uses the shared server only to create and drop a database
of its own.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from ideas.models import Idea, IdeaEvent, Vote
from ideas.workflow import Status
from tests.ideas.factories import IdeaFactory, VoteFactory
from tests.plugin import STRICT

pytestmark = [pytest.mark.faults, pytest.mark.xdist_group("faults")]
ROOT = Path(__file__).resolve().parents[2]


def _need(binary: str) -> str:
    found = shutil.which(binary) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"))), None)
    if not found:
        message = f"needs the {binary} binary"
        if STRICT:
            pytest.fail(f"{message} (CI=true: a missing binary is a failure)")
        pytest.skip(message)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A private PostgreSQL server in a temporary folder."""

    def __init__(self) -> None:
        self.initdb = _need("initdb")
        self.pg_ctl = str(Path(self.initdb).with_name("pg_ctl"))
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ideaportal-pg-"))
        self.data = self.dir / "data"
        # initdb refuses to run as root: run the server as the postgres user.
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if self.prefix:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            [*self.prefix, self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres"],
            check=True,
            capture_output=True,
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                self.pg_ctl,
                "-D",
                str(self.data),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                "-l",
                str(self.dir / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres()
    server.start()
    try:
        yield server
    finally:
        server.remove()


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_for(url: str, status: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    last = -1
    while time.monotonic() < deadline:
        try:
            last = _get(url)
        except OSError:
            last = -1
        if last == status:
            return last
        time.sleep(0.3)
    return last


def test_portal_answers_503_while_postgres_is_down_and_recovers_by_itself(throwaway_postgres):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": throwaway_postgres.url,
        # Short-lived connections would hide the bug this guards against.
        "DATABASE_CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_MANIFEST": "false",
    }
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ideaportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        assert _wait_for(url, 200, 30) == 200
        throwaway_postgres.stop()
        assert _wait_for(url, 503, 15) == 503
        # Still serving (not crashed, not hung) during the outage.
        assert _get(url) == 503
        throwaway_postgres.start()
        # Back without a restart of the web process.
        assert _wait_for(url, 200, 30) == 200
        assert web.poll() is None
    finally:
        web.terminate()
        web.wait(timeout=10)


@pytest.mark.postgres
def test_a_pg_dump_restores_into_an_empty_database_with_every_idea_vote_and_history_row(transactional_db, employee):
    pg_dump, pg_restore = _need("pg_dump"), _need("pg_restore")
    ideas = [IdeaFactory(author=employee, status=Status.SUBMITTED) for _ in range(3)]
    for idea in ideas:
        VoteFactory(idea=idea)
        IdeaEvent.objects.create(idea=idea, track="status", from_value="draft", to_value="submitted", actor=employee)
    deleted = ideas[0]
    Idea.objects.filter(pk=deleted.pk).update(deleted_at=deleted.created_at)
    expected = {
        "ideas_idea": Idea.all_objects.count(),
        "ideas_vote": Vote.objects.count(),
        "ideas_ideaevent": IdeaEvent.objects.count(),
    }
    db = settings.DATABASES["default"]
    conninfo = f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} dbname={db['NAME']}"
    target = f"restore_{uuid.uuid4().hex[:10]}"
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "ideaportal.dump"
        subprocess.run([pg_dump, "--format=custom", f"--file={dump}", f"--dbname={conninfo}"], check=True)
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{target}"')
        try:
            target_info = conninfo.replace(f"dbname={db['NAME']}", f"dbname={target}")
            subprocess.run(
                [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={target_info}", str(dump)], check=True
            )
            with psycopg.connect(target_info) as restored:
                found = {
                    table: restored.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
                    for table in expected
                }
                assert (
                    restored.execute("SELECT count(*) FROM ideas_idea WHERE deleted_at IS NOT NULL").fetchone()[0] == 1
                )
        finally:
            with psycopg.connect(conninfo, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    assert found == expected
