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


def overview(scenarios: list[dict[str, Any]], path: Path) -> None:
    """Every scenario at a glance: throughput and p95 of the portal beside
    its floor (log scales: the scenarios span three orders of magnitude)."""
    names = [s["name"] for s in scenarios][::-1]
    rows = scenarios[::-1]
    y = range(len(rows))
    height = 0.38
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.42 * len(rows) + 1.4), sharey=True)
    for axis, key, label in (
        (left, "rps", "requests/s (higher is better)"),
        (right, "p95", "p95 ms (lower is better)"),
    ):
        portal = [max(r["product"][key], 0.1) for r in rows]
        floor = [max(r["floor"][key], 0.1) for r in rows]
        axis.barh([i + height / 2 for i in y], portal, height, label="portal", color="#1f77b4")
        axis.barh([i - height / 2 for i in y], floor, height, label="floor (raw SQL + orjson)", color="#999999")
        axis.set_xscale("log")
        axis.set_xlabel(label)
        for i, value in enumerate(portal):
            axis.text(value, i + height / 2, f" {value:.0f}", va="center", fontsize=7)
    left.set_yticks(list(y), names, fontsize=8)
    right.legend(fontsize=8, loc="lower right")
    fig.suptitle("Portal vs floor, every scenario (8 concurrent clients; votes 64)")
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
            loaded = by[name]["product"]["p95"]
            one = by[name].get("single", {}).get("product", {}).get("p95", loaded)
            check(
                f"{name}: p95 < {limit} ms (one client)",
                one < limit,
                f"{one:.1f} ms with one client; {loaded:.1f} ms at {by[name]['users']} concurrent clients",
            )
    if "vote hot idea (64 users)" in by and "vote spread ideas (64 users)" in by:
        h, sp = by["vote hot idea (64 users)"], by["vote spread ideas (64 users)"]
        ratio = h["product"]["rps"] / sp["product"]["rps"] if sp["product"]["rps"] else 0
        c = h.get("consistency", {})
        drift = sp.get("consistency", {}).get("ideas_with_drift")
        lost = c.get("hot_vote_count") != c.get("hot_vote_rows") or h["product"]["errors"] or drift
        check(
            "hot-idea votes ≥0.5× spread votes, nothing lost",
            ratio >= 0.5 and not lost,
            f"{ratio:.2f}×; hot idea's counter {c.get('hot_vote_count')} = its {c.get('hot_vote_rows')} vote rows; "
            f"{drift} open ideas whose counter differs from their rows; {h['product']['errors']} errors",
        )
    rss0, rss1 = results.get("rss_start_kb", []), results.get("rss_end_kb", [])
    if rss0 and rss1:
        grew = max(b - a for a, b in zip(rss0, rss1, strict=False)) // 1024
        check("gunicorn worker RSS flat over the run (grows < 10 MB)", grew < 10, f"largest growth {grew} MB")
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
        f"Run {meta.get('started_at', '?')} to {meta.get('finished_at', '?')} on {meta.get('cpus', '?')} cores.",
        "",
        "![Every scenario, portal beside its floor](benchmarks/overview.png)",
        "",
        "| scenario | clients | portal req/s | floor req/s | ratio | portal p50 / p95 / p99 ms "
        "| floor p50 / p95 / p99 ms | portal non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in results["scenarios"]:
        p, f = s["product"], s["floor"]
        ratio = f"{p['rps'] / f['rps']:.2f}" if f["rps"] else "-"
        body.append(
            f"| {s['name']} | {s['users']} | {p['rps']:.0f} | {f['rps']:.0f} | {ratio} "
            f"| {p['p50']:.1f} / {p['p95']:.1f} / {p['p99']:.1f} "
            f"| {f['p50']:.1f} / {f['p95']:.1f} / {f['p99']:.1f} | {p['errors']} |"
        )
        if "single" in s:
            sp, sf = s["single"]["product"], s["single"]["floor"]
            body.append(
                f"| {s['name']}, one client | 1 | {sp['rps']:.0f} | {sf['rps']:.0f} "
                f"| {sp['rps'] / sf['rps']:.2f} | {sp['p50']:.1f} / {sp['p95']:.1f} / {sp['p99']:.1f} "
                f"| {sf['p50']:.1f} / {sf['p95']:.1f} / {sf['p99']:.1f} | {sp['errors']} |"
                if sf["rps"]
                else f"| {s['name']}, one client | 1 | {sp['rps']:.0f} | 0 | - | {sp['p95']:.1f} | - | - |"
            )
    body += ["", "### Targets", "", "| target | verdict | measured |", "| --- | --- | --- |", *verdicts(results)]
    rss0, rss1 = results["rss_start_kb"], results["rss_end_kb"]
    boot = results.get("rss_boot_kb", [])
    body += [
        "",
        "### Memory",
        "",
        "gunicorn worker RSS at the start (after one warm-up pass over every endpoint) → end of the run: "
        + ", ".join(f"{a // 1024} MB → {b // 1024} MB" for a, b in zip(rss0, rss1, strict=False))
        + (f"; right after boot, before any request: {', '.join(f'{b // 1024} MB' for b in boot)}." if boot else "."),
        "",
        "### Charts",
        "",
    ]
    overview(results["scenarios"], charts / "overview.png")
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
