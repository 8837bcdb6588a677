"""Run every scenario against gunicorn and its floor; write docs/benchmarks.md.

    bench/run                  # what to use: installs, loads if needed, then this
    .venv/bin/python bench/suite.py --database postgres://.../ideaportal_bench --seconds 8

The load generator is an asyncio HTTP/1.1 client on loopback (one
connection per request, as gunicorn's sync workers close them), in this
process; its CPU comes off the same two cores as the server, so absolute
numbers are lower bounds and the ratios to the floor are what count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PORT = 8765
# Scenarios with a latency target (p95 under this many ms), measured with
# one client as well as under load.
LATENCY_TARGETS = {
    "search common word": 50,
    "search rare word": 50,
    "similar ideas": 30,
    "reviewer queue": 100,
    "HR report, largest department": 100,
}


@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        data = sorted(self.latencies)
        return 1000 * data[min(len(data) - 1, int(p / 100 * len(data)))]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self) -> dict[str, float]:
        return {
            "rps": round(self.rps, 1),
            "p50": round(self.pct(50), 1),
            "p95": round(self.pct(95), 1),
            "p99": round(self.pct(99), 1),
            "errors": self.errors,
            "requests": self.requests,
        }


async def _one(method: str, path: str, token: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    request = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n"
        f"Accept: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    writer.write(request.encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data[:5] == b"HTTP/" else 0
    return status, data


Request = tuple[str, str, str]  # method, path, token


async def _drive(make: Callable[[int, int], Request], users: int, seconds: float, name: str) -> Result:
    result = Result(name)
    deadline = time.perf_counter() + seconds

    async def user(index: int) -> None:
        n = 0
        while time.perf_counter() < deadline:
            method, path, token = make(index, n)
            n += 1
            started = time.perf_counter()
            try:
                status, _body = await _one(method, path, token)
            except OSError:
                status = 0
            result.latencies.append(time.perf_counter() - started)
            result.requests += 1
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if not 200 <= status < 300:
                result.errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(users)))
    result.seconds = time.perf_counter() - started
    return result


def run(make: Callable[[int, int], Request], users: int, seconds: float, name: str) -> Result:
    asyncio.run(_drive(make, users, 1.0, name))  # warm-up, not counted
    return asyncio.run(_drive(make, users, seconds, name))


def token(user_id: int) -> str:
    import hashlib

    return hashlib.md5(f"bench{user_id}".encode()).hexdigest()  # noqa: S324 - the generator's known tokens


def rss_kb(pids: list[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]))
        except OSError:
            out.append(0)
    return out


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--only", default="", help="scenario names separated by ;")
    parser.add_argument("--out", default=str(ROOT / "docs"))
    args = parser.parse_args()

    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    db = psycopg.connect(args.database, autocommit=True)
    scale, loaded_at, load_seconds = db.execute("SELECT scale, loaded_at, seconds FROM bench_loaded").fetchone()
    people = db.execute("SELECT max(id) FROM accounts_user").fetchone()[0]
    counts = {
        t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in [
            "accounts_user",
            "ideas_idea",
            "ideas_vote",
            "ideas_comment",
            "ideas_ideaevent",
            "onboarding_assignment",
            "newsletter_subscriber",
        ]
    }
    open_ideas = [
        r[0]
        for r in db.execute(
            "SELECT id FROM ideas_idea WHERE status IN ('accepted', 'submitted', 'in_review', 'piloting') "
            "ORDER BY id DESC LIMIT 5000"
        )
    ]
    all_ids = [
        r[0] for r in db.execute("SELECT id FROM ideas_idea WHERE status <> 'draft' ORDER BY random() LIMIT 5000")
    ]
    hot = open_ideas[0]
    hot_author = db.execute("SELECT author_id FROM ideas_idea WHERE id = %s", (hot,)).fetchone()[0]
    hot_voters = [u for u in range(1000, 1000 + 70) if u != hot_author][:64]
    campaign = db.execute(
        "SELECT campaign_id FROM ideas_idea WHERE campaign_id IS NOT NULL AND status = 'accepted' "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    # The 125,001st newest visible idea: where page 5,000 of 25 starts.
    deep = db.execute(
        "SELECT created_at, id FROM ideas_idea WHERE status <> 'draft' ORDER BY created_at DESC, id DESC "
        "OFFSET 124999 LIMIT 1"
    ).fetchone()
    deep_after = f"{deep[0].isoformat()},{deep[1]}"
    from base64 import urlsafe_b64encode

    deep_cursor = urlsafe_b64encode(f"{deep[0].isoformat()}|{deep[1]}".encode()).decode().rstrip("=")
    db.close()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": args.database,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnop"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "STATIC_MANIFEST": "false",
    }
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "ideaportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open("/tmp/bench-gunicorn.log", "w"),  # noqa: SIM115
    )
    try:
        for _ in range(100):
            try:
                asyncio.run(_one("GET", "/healthz", ""))
                break
            except OSError:
                time.sleep(0.2)
        pids = worker_pids(gunicorn.pid)
        results = scenarios(args, people, open_ideas, all_ids, hot, hot_voters, campaign, deep_after, deep_cursor, pids)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
    results["meta"] = {
        "scale": scale,
        "loaded_at": loaded_at.isoformat(),
        "load_seconds": round(load_seconds),
        "counts": counts,
        "seconds": args.seconds,
        "users": args.users,
        "workers": args.workers,
        "load_avg": os.getloadavg(),
        "cpus": os.cpu_count(),
        "started_at": started_at,
        "finished_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    out = Path(args.out)
    (out / "benchmarks.json").write_text(json.dumps(results, indent=1, default=str))
    from bench import report

    report.write(results, out)


def scenarios(args, people, open_ideas, all_ids, hot, hot_voters, campaign, deep_after, deep_cursor, pids):
    rng = random.Random(6)
    reader = lambda i, n: token(5000 + i * 37 + n % 500)  # noqa: E731 - ordinary employees
    reviewer, hr, editor = token(7), token(205), token(212)
    api, floor = "/api/v1", "/bench/floor"
    get = lambda path, tok=None: lambda i, n: ("GET", path, tok or reader(i, n))  # noqa: E731
    spread_users = list(range(20_000, 20_000 + 4096))

    def vote_hot(base: str) -> Callable[[int, int], Request]:
        return lambda i, n: ("POST" if n % 2 == 0 else "DELETE", f"{base}/ideas/{hot}/vote/", token(hot_voters[i]))

    def vote_spread(base: str) -> Callable[[int, int], Request]:
        def make(i: int, n: int) -> Request:
            idea = open_ideas[(i * 7919 + n // 2 * 31) % len(open_ideas)]
            return ("POST" if n % 2 == 0 else "DELETE", f"{base}/ideas/{idea}/vote/", token(spread_users[i]))

        return make

    def detail(base: str) -> Callable[[int, int], Request]:
        return lambda i, n: ("GET", f"{base}/ideas/{rng.choice(all_ids)}/", reader(i, n))

    similar_text = quote("customer claims phone wait online member")
    table: list[tuple[str, Callable, Callable, int]] = [
        ("list newest", get(f"{api}/ideas/"), get(f"{floor}/ideas/"), args.users),
        ("list most voted", get(f"{api}/ideas/?ordering=votes"), get(f"{floor}/ideas/?ordering=votes"), args.users),
        ("list trending", get(f"{api}/ideas/?ordering=trending"), get(f"{floor}/ideas/?ordering=trending"), args.users),
        (
            "list status+campaign",
            get(f"{api}/ideas/?status=accepted&campaign={campaign}"),
            get(f"{floor}/ideas/?status=accepted&campaign={campaign}"),
            args.users,
        ),
        (
            "list page 5,000 (cursor)",
            get(f"{api}/ideas/?cursor={deep_cursor}"),
            get(f"{floor}/ideas/?after={quote(deep_after)}"),
            args.users,
        ),
        ("list page 5,000 (?page=)", get(f"{api}/ideas/?page=5000"), get(f"{floor}/ideas/?offset=124975"), args.users),
        ("search common word", get(f"{api}/ideas/?q=customer"), get(f"{floor}/ideas/?q=customer"), args.users),
        ("search rare word", get(f"{api}/ideas/?q=zephyrine"), get(f"{floor}/ideas/?q=zephyrine"), args.users),
        (
            "similar ideas",
            get(f"{api}/ideas/similar/?text={similar_text}"),
            get(f"{floor}/ideas/similar/?text={similar_text}"),
            args.users,
        ),
        ("idea detail", detail(api), detail(floor), args.users),
        ("vote hot idea (64 users)", vote_hot(api), vote_hot(floor), 64),
        ("vote spread ideas (64 users)", vote_spread(api), vote_spread(floor), 64),
        (
            "reviewer queue",
            get(f"{api}/ideas/review-queue/", reviewer),
            get(f"{floor}/ideas/review-queue/", reviewer),
            args.users,
        ),
        (
            "HR report, largest department",
            get(f"{api}/onboarding/reports/modules/?department=1", hr),
            get(f"{floor}/hr-report/?department=1", hr),
            args.users,
        ),
        ("my training", get(f"{api}/onboarding/assignments/?mine=true"), get(f"{floor}/my-training/"), args.users),
        (
            "digest build (weekly)",
            get(f"{api}/newsletter/editor/preview/?frequency=weekly", editor),
            get(f"{floor}/digest/", editor),
            2,
        ),
    ]
    only = {s.strip() for s in args.only.split(";") if s.strip()}
    table = [row for row in table if not only or row[0] in only]
    out: dict = {"scenarios": [], "rss_boot_kb": rss_kb(pids)}
    # Every worker serves every endpoint once before memory is first read:
    # what a worker loads on its first requests (URLconfs, serializers,
    # templates, the schema) is start-up, not growth over the run.
    for _name, product, _floor, users in table:
        asyncio.run(_drive(product, users, 0.5, "warm-up"))
    out["rss_start_kb"] = rss_kb(pids)
    for name, product, floor_make, users in table:
        p = run(product, users, args.seconds, name)
        f = run(floor_make, users, args.seconds, name)
        print(f"{name:34} product {p.row()}  floor {f.row()}  statuses {p.statuses}", flush=True)
        out["scenarios"].append(
            {
                "name": name,
                "users": users,
                "product": p.row(),
                "floor": f.row(),
                "statuses": {str(k): v for k, v in p.statuses.items()},
            }
        )
        if name in LATENCY_TARGETS:
            # What one person waits for on a server that is not saturated:
            # at 8 clients on 2 cores each request also queues behind others.
            single_p = run(product, 1, args.seconds / 2, name)
            single_f = run(floor_make, 1, args.seconds / 2, name)
            out["scenarios"][-1]["single"] = {"product": single_p.row(), "floor": single_f.row()}
            print(f"{'':34} one client: product {single_p.row()}  floor {single_f.row()}", flush=True)
        if name.startswith("vote"):
            out["scenarios"][-1]["consistency"] = vote_consistency(args.database, hot)
    out["rss_end_kb"] = rss_kb(pids)
    return out


def vote_consistency(dsn: str, hot: int) -> dict:
    with psycopg.connect(dsn) as db:
        row = db.execute(
            "SELECT i.vote_count, (SELECT count(*) FROM ideas_vote v WHERE v.idea_id = i.id) FROM ideas_idea i "
            "WHERE i.id = %s",
            (hot,),
        ).fetchone()
        drift = db.execute(
            "SELECT count(*) FROM ideas_idea i WHERE i.status IN ('accepted', 'submitted', 'in_review', 'piloting') "
            "AND i.id > (SELECT max(id) - 200000 FROM ideas_idea) AND i.vote_count <> "
            "(SELECT count(*) FROM ideas_vote v WHERE v.idea_id = i.id)"
        ).fetchone()[0]
    return {"hot_vote_count": row[0], "hot_vote_rows": row[1], "ideas_with_drift": drift}


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
