"""Faults against real services.

The shared PostgreSQL (5432) and Redis (6379) are never stopped: a test that
breaks a server starts its own throwaway one (``initdb``/``pg_ctl`` or
``redis-server``, into a temporary folder on a free port), and a test that
needs a Celery worker starts a real one (``celery worker``, prefork) on that
Redis. Marked ``faults``; they run in the normal suite, and without the
binaries they skip, or fail under CI=true.

The backup test uses the shared server only to create and drop a database
of its own.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from ideaportal.celery import app as celery_app
from ideas.models import Idea, IdeaEvent, Vote
from ideas.workflow import Status
from newsletter import tasks as newsletter_tasks
from newsletter.models import Delivery, DeliveryStatus, EditorNote, Frequency, Subscriber, SubscriberStatus
from tests.ideas.factories import IdeaFactory, VoteFactory
from tests.newsletter.smtp_sink import SmtpSink
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


class ThrowawayRedis:
    """A private redis-server on a free port, its files in a temporary
    folder. ``appendonly`` keeps the queue on disk, as production is told
    to; without it a restart empties the broker."""

    def __init__(self, *, appendonly: bool = True) -> None:
        self.binary = _need("redis-server")
        self.port = _free_port()
        self.appendonly = appendonly
        self.dir = Path(tempfile.mkdtemp(prefix="ideaportal-redis-"))
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
                "--appendonly", "yes" if self.appendonly else "no", "--save", "",
                "--logfile", str(self.dir / "log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): Redis writes its append-only file."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def restart(self, *, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def remove(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
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


# --- Celery on a throwaway Redis -----------------------------------------------------


@pytest.fixture
def throwaway_redis() -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis()
    server.start()
    try:
        yield server
    finally:
        server.remove()


@pytest.fixture
def not_eager() -> Iterator[None]:
    """Tasks this test sends go to the broker (the suite runs them eagerly)."""
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = True


def _database_url() -> str:
    """The test database, for worker processes to share with the test."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _celery_worker(app: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """A real ``celery worker`` (prefork, two processes, as in production)
    in its own process group, logging to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", app, "worker", "--pool=prefork", "--concurrency=2",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)


def _until(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


# --- Redis restarted during a digest send ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("appendonly", [True, False], ids=["appendonly", "no-persistence"])
def test_redis_restarted_mid_digest_send_loses_no_copy_and_sends_none_twice(appendonly, tmp_path, not_eager):
    """Four seconds without Redis while a digest goes out. With the queue on
    disk (production's ``appendonly yes``, a clean restart) the queued
    sending tasks survive and finish the digest with no help; without it
    they are gone and ``newsletter.sweep``, which beat runs every five
    minutes (here: every two seconds), starts new ones from the delivery
    rows in PostgreSQL. Either way the worker reconnects by itself."""
    server = ThrowawayRedis(appendonly=appendonly)
    server.start()
    broker = server.url()
    readers = Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{n}@example.org", frequency=Frequency.WEEKLY, status=SubscriberStatus.ACTIVE)
        for n in range(300)
    )
    EditorNote.objects.create(frequency=Frequency.WEEKLY, body="Through a Redis restart")
    log = tmp_path / "worker.log"
    with SmtpSink(delay=0.02) as sink:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "EMAIL_USE_TLS": "false",
            # A task sends 20 batches: 100 copies, so the digest needs the
            # queued tasks and hand-overs, not just the two running ones.
            "NEWSLETTER_BATCH_SIZE": "5",
        }
        worker = _celery_worker("ideaportal", env, log)
        try:
            with celery_app.connection_for_write(broker) as conn:
                newsletter_tasks.digest_run_task.apply_async(args=[Frequency.WEEKLY], connection=conn)
            assert _until(lambda: sink.count() >= 40, 60), "the worker never started sending"
            # Long enough for the two running tasks to finish while it is
            # down: their hand-overs to the next task fail.
            before = sink.count()
            server.restart(down_for=4)
            assert before < 200, "the restart came too late to be mid-send"
            deadline = time.monotonic() + 60
            while Delivery.objects.exclude(status=DeliveryStatus.SENT).exists():
                assert time.monotonic() < deadline, f"sending never finished after the restart ({sink.count()} sent)"
                if not appendonly:
                    with celery_app.connection_for_write(broker) as conn:
                        newsletter_tasks.deliveries_sweep_task.apply_async(connection=conn)
                time.sleep(2)
            assert worker.poll() is None, "the worker died with the broker"
        finally:
            _stop(worker)
            server.remove()
    assert Delivery.objects.count() == 300
    assert sink.copies_per_address() == {reader.email: 1 for reader in readers}
    assert log.read_text().count("Connected to redis") >= 2, "the worker never reconnected"


# --- A task whose ETA outlasts the visibility timeout ---------------------------------


VISIBILITY_TIMEOUT = 1  # seconds, for the probe worker only
TIME_LIMIT = 6  # the probe worker's hard task time limit: a dead process is noticed well before it


def _probe_env(broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_TIME_LIMIT": str(TIME_LIMIT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(TIME_LIMIT - 1),
        "TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }


def _send_probe(broker: str, path: Path, *, countdown: float, crash_once: bool = False) -> None:
    with celery_app.connection_for_write(broker) as conn:
        celery_app.send_task(
            "tests.probe_run", args=[str(path)], kwargs={"crash_once": crash_once}, countdown=countdown, connection=conn
        )


def _broker_drained(broker: str, *, calm: float = 3.0, within: float = 30.0) -> bool:
    """No message queued and none held unacknowledged by a worker, for
    ``calm`` seconds on end (a message moving from the queue to a worker is
    briefly in neither)."""
    client = redis.Redis.from_url(broker)
    deadline = time.monotonic() + within
    since = time.monotonic()
    while time.monotonic() < deadline:
        if client.llen("celery") or client.hlen("unacked"):
            since = time.monotonic()
        elif time.monotonic() - since >= calm:
            return True
        time.sleep(0.05)
    return False


def _lines(path: Path, word: str) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.split()[0] == word) if path.exists() else 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_whose_eta_outlasts_the_visibility_timeout_runs_once(throwaway_redis, tmp_path, not_eager):
    broker = throwaway_redis.url()
    runs, log = tmp_path / "runs", tmp_path / "worker.log"
    worker = _celery_worker("tests.ideaportal.probe_worker", _probe_env(broker), log)
    try:
        _send_probe(broker, runs, countdown=5 * VISIBILITY_TIMEOUT)
        assert _until(lambda: _lines(runs, "done") >= 1, 30), "the task never ran"
        # Copies redelivered while it waited for its ETA all come due now;
        # give every one of them (and anything they set off) time to finish.
        assert _broker_drained(broker), "messages still going round on the broker"
    finally:
        _stop(worker)
    received = len(re.findall(r"tests\.probe_run\[[-\w]+\] received", log.read_text()))
    assert received > 1, "the broker never redelivered the delayed task: the test proves nothing"
    assert _lines(runs, "done") == 1, log.read_text()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delayed_task_whose_worker_process_dies_mid_run_still_runs_to_the_end_once(
    throwaway_redis, tmp_path, not_eager
):
    broker = throwaway_redis.url()
    runs, log = tmp_path / "runs", tmp_path / "worker.log"
    worker = _celery_worker("tests.ideaportal.probe_worker", _probe_env(broker), log)
    try:
        # Its first run is killed (the process vanishes, as under the OOM
        # killer); the copies the broker handed out meanwhile must neither
        # run it a second time nor take it for done.
        _send_probe(broker, runs, countdown=3 * VISIBILITY_TIMEOUT, crash_once=True)
        assert _until(lambda: _lines(runs, "done") >= 1, 30), "the task never ran to the end after the crash"
        assert _broker_drained(broker), "messages still going round on the broker"
    finally:
        _stop(worker)
    assert (_lines(runs, "start"), _lines(runs, "done")) == (2, 1), log.read_text()
