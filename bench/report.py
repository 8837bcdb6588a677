"""Write docs/benchmarks.md and one PNG per scenario from a suite run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

START = "<!-- bench:start -->"
END = "<!-- bench:end -->"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def chart(s: dict[str, Any], path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 2.6))
    p, f = s["product"], s["floor"]
    left.barh(["floor", "portal"], [f["rps"], p["rps"]], color=["#999999", "#1f77b4"])
    left.set_xlabel("requests/s (higher is better)")
    for i, v in enumerate([f["rps"], p["rps"]]):
        left.text(v, i, f" {v:.0f}", va="center")
    x = range(3)
    width = 0.38
    right.bar([i - width / 2 for i in x], [p["p50"], p["p95"], p["p99"]], width, label="portal", color="#1f77b4")
    right.bar([i + width / 2 for i in x], [f["p50"], f["p95"], f["p99"]], width, label="floor", color="#999999")
    right.set_xticks(list(x), ["p50", "p95", "p99"])
    right.set_ylabel("ms (lower is better)")
    right.legend(fontsize=8)
    fig.suptitle(f"{s['name']} ({s['users']} concurrent)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def verdicts(results: dict[str, Any]) -> list[str]:
    by = {s["name"]: s for s in results["scenarios"]}
    lines = []

    def check(label: str, ok: bool, detail: str) -> None:
        lines.append(f"| {label} | {'met' if ok else '**missed**'} | {detail} |")

    for s in results["scenarios"]:
        if s["name"].startswith("list") and "?page=" not in s["name"]:
            p, f = s["product"], s["floor"]
            r_rps = p["rps"] / f["rps"] if f["rps"] else 0
            r_p95 = p["p95"] / f["p95"] if f["p95"] else 0
            check(
                f"{s['name']}: ≥0.6× floor req/s, p95 ≤2× floor",
                r_rps >= 0.6 and r_p95 <= 2,
                f"{r_rps:.2f}× req/s, {r_p95:.2f}× p95",
            )
    if "list page 5,000 (cursor)" in by and "list newest" in by:
        deep, first = by["list page 5,000 (cursor)"]["product"]["p95"], by["list newest"]["product"]["p95"]
        check("page 5,000 p95 ≤1.5× page 1 p95", deep <= 1.5 * first, f"{deep:.1f} ms vs {first:.1f} ms")
    for name, limit in [
        ("search common word", 50),
        ("search rare word", 50),
        ("similar ideas", 30),
        ("HR report, largest department", 100),
        ("reviewer queue", 100),
    ]:
        if name in by:
            v = by[name]["product"]["p95"]
            check(f"{name}: p95 < {limit} ms", v < limit, f"{v:.1f} ms")
    if "vote hot idea (64 users)" in by and "vote spread ideas (64 users)" in by:
        h, sp = by["vote hot idea (64 users)"], by["vote spread ideas (64 users)"]
        ratio = h["product"]["rps"] / sp["product"]["rps"] if sp["product"]["rps"] else 0
        c = h.get("consistency", {})
        lost = c.get("hot_vote_count") != c.get("hot_vote_rows") or h["product"]["errors"]
        check(
            "hot-idea votes ≥0.5× spread votes, nothing lost",
            ratio >= 0.5 and not lost,
            f"{ratio:.2f}×; counter {c.get('hot_vote_count')} = rows {c.get('hot_vote_rows')}; "
            f"{h['product']['errors']} errors",
        )
    return lines


def write(results: dict[str, Any], out: Path) -> None:
    charts = out / "benchmarks"
    charts.mkdir(exist_ok=True)
    meta = results["meta"]
    body = [START, "", f"## Portal at scale (`make bench`): scale {meta['scale']}", ""]
    counts = ", ".join(f"{k} {v:,}" for k, v in meta["counts"].items())
    body += [
        f"Data: {counts} (loaded in {meta['load_seconds']} s by `bench/load.py`).",
        f"Load: {meta['users']} concurrent clients per scenario unless named, {meta['seconds']} s each after "
        f"a 1 s warm-up, gunicorn with {meta['workers']} sync workers, production settings (DEBUG off) plus "
        f"the floor URLconf (`bench.settings`), load average at the end {meta['load_avg'][0]:.1f}.",
        "Each floor answers the same rows with one raw SQL query (token resolved inside it) and orjson "
        "(`bench/floors.py`).",
        "",
        "| scenario | portal req/s | floor req/s | portal p50 / p95 / p99 ms | floor p50 / p95 / p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in results["scenarios"]:
        p, f = s["product"], s["floor"]
        body.append(
            f"| {s['name']} | {p['rps']:.0f} | {f['rps']:.0f} | {p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f} "
            f"| {f['p50']:.1f} / {f['p95']:.1f} / {f['p99']:.1f} | {p['errors']} |"
        )
    body += ["", "### Targets", "", "| target | verdict | measured |", "| --- | --- | --- |", *verdicts(results)]
    rss0, rss1 = results["rss_start_kb"], results["rss_end_kb"]
    body += [
        "",
        "### Memory",
        "",
        "gunicorn worker RSS at start → end of the run: "
        + ", ".join(f"{a // 1024} MB → {b // 1024} MB" for a, b in zip(rss0, rss1, strict=False)),
        "",
        "### Charts",
        "",
    ]
    for s in results["scenarios"]:
        name = f"{_slug(s['name'])}.png"
        chart(s, charts / name)
        body.append(f"![{s['name']}](benchmarks/{name})")
    body += ["", END]
    path = out / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = "\n".join(body)
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
