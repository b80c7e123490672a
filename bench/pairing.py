"""How good and how fast is the pairing engine, next to a random shuffle and exact matchings?

    python bench/pairing.py [--quick] [--seed N] [--baseline /path/to/other/checkout]

Generates rosters the way companies look (skewed division sizes, offices in several time
zones, interests, a few blocks, history made by earlier rounds) and prints one table:

* n = 200, 501 (odd: one trio), 1,000, each with a history made by the engine and an
  adversarial one made by a random shuffle: the engine, a random shuffle, and the exact
  maximum-weight matching on the complete graph by rustworkx (compiled; medians of 3) and by
  networkx (pure Python; one run, up to --networkx-up-to), all scored with the engine's own
  pair weights (bot/domain/pairing/weights.py), overall and on the soft tiers alone;
* 100,000 members with 8 rounds of history: engine time (median of 3, each in a fresh process,
  turn about with --baseline's engine when given), peak memory, cross-division share against
  the ceiling, repeats; and the whole `jembatan pair` process on that roster as JSON, with its
  peak RSS above the bare interpreter's;
* 26 consecutive weekly rounds of 400 people, each fed every earlier round;
* growth over 12 rounds of 500 people (8 and 12 divisions, two skews, three seeds): distinct
  cross-division colleagues per person and how many pairs of divisions met at least once.

--quick shrinks everything (exact only at 200, 20,000 members instead of 100,000, 8 weekly
rounds, one seed) so the whole run takes about a minute. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from functools import partial
from itertools import combinations
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import networkx as nx  # type: ignore[import-untyped]
import rustworkx as rx

from bot.domain.pairing import (
    CrossDivisionMode,
    FlatGroups,
    Member,
    PairingRequest,
    PastGroup,
    PastRound,
    make_groups,
)
from bot.domain.pairing.ceiling import cross_division_ceiling
from bot.domain.pairing.roster import Roster as Roster_
from bot.domain.pairing.roster import index_request
from bot.domain.pairing.weights import CROSS, Weights

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
ROUND_DAY = date(2026, 11, 9)

# Offices: zone, share of the company.
OFFICES = (
    ("Asia/Jakarta", 0.34),
    ("Asia/Singapore", 0.14),
    ("Asia/Kolkata", 0.08),
    ("Asia/Tokyo", 0.04),
    ("Australia/Sydney", 0.05),
    ("Europe/London", 0.10),
    ("Europe/Berlin", 0.08),
    ("America/New_York", 0.11),
    ("America/Los_Angeles", 0.06),
)
DIVISIONS = (
    "Engineering", "Sales", "Operations", "Customer Care", "Finance", "Marketing",
    "Product", "People", "Legal", "Data", "Design", "Security",
)  # fmt: skip
INTERESTS = tuple(f"interest-{i:02d}" for i in range(40))


@dataclass(frozen=True)
class Roster:
    members: list[Member]
    zones: dict[str, str]  # member id -> IANA zone (for the CLI's JSON)
    blocked: list[tuple[str, str]]


def make_roster(n: int, seed: int, divisions: int = len(DIVISIONS), skew: float = 1.6) -> Roster:
    """Division sizes fall off as a power law (skew 1.6: Engineering ~ 52 % of 12 divisions; skew 1.0:
    ~ 32 %); each division leans to some offices."""
    rng = random.Random(seed)
    names = DIVISIONS[:divisions]
    division_weights = [1 / (d + 1) ** skew for d in range(len(names))]
    office_lean = {
        d: [share * rng.uniform(0.2, 2.5) for _, share in OFFICES] for d in names
    }  # Engineering may sit mostly in Jakarta, Sales mostly abroad, ...
    offsets = {zone: _offset(zone) for zone, _ in OFFICES}
    popularity = [1 / (i + 1) ** 0.7 for i in range(len(INTERESTS))]
    members, zones = [], {}
    for i in range(n):
        division = rng.choices(names, division_weights)[0]
        zone = rng.choices([z for z, _ in OFFICES], office_lean[division])[0]
        likes = frozenset(rng.choices(INTERESTS, popularity, k=rng.choice((0, 1, 2, 2, 3, 4))))
        member_id = f"U{i:06d}"
        members.append(Member(member_id, division, offsets[zone], likes))
        zones[member_id] = zone
    ids = [m.id for m in members]
    blocked = [(a, b) for a, b in (rng.sample(ids, 2) for _ in range(max(1, n // 200)))]
    return Roster(members, zones, blocked)


def _offset(zone: str) -> int:
    delta = datetime.combine(ROUND_DAY, clock(12), tzinfo=ZoneInfo(zone)).utcoffset()
    assert delta is not None
    return int(delta.total_seconds() // 60)


# -- the baselines ---------------------------------------------------------------------------


def shuffle_groups(request: PairingRequest) -> list[list[str]]:
    """What most pairing bots do: shuffle, pair neighbours, reshuffle around blocked pairs."""
    rng = random.Random(request.seed)
    blocked = {frozenset(p) for p in request.blocked}
    ids = [m.id for m in request.members]
    for _ in range(100):
        rng.shuffle(ids)
        groups = [ids[i : i + 2] for i in range(0, len(ids) - 1, 2)]
        if len(ids) % 2:
            groups[-1].append(ids[-1])
        if not any(frozenset(p) in blocked for g in groups for p in combinations(g, 2)):
            break
    return groups


def _complete_graph(request: PairingRequest) -> tuple[Roster_, Weights, list[tuple[int, int, int]]]:
    roster = index_request(request)
    weights = Weights(roster, cross_division=request.cross_division is not CrossDivisionMode.OFF)
    n = roster.size
    edges = [
        (a, b, weights.pair(a, b)) for a, b in combinations(range(n), 2) if a * n + b not in roster.blocked
    ]
    return roster, weights, edges


def _with_odd_one(roster: Roster_, weights: Weights, matching: list[tuple[int, int]]) -> list[list[str]]:
    """A matching leaves the odd one out; seat them in the pair they add most to, as the engine does."""
    groups = [list(p) for p in matching]
    alone = set(range(roster.size)) - {i for p in matching for i in p}
    for u in sorted(alone):
        allowed = [g for g in groups if all(roster.key(u, x) not in roster.blocked for x in g)]
        if allowed:
            max(allowed, key=lambda g: sum(weights.pair(u, x) for x in g)).append(u)
    return [[roster.members[i].id for i in g] for g in groups]


def exact_pairs(request: PairingRequest) -> list[list[str]]:
    """networkx's exact maximum-weight matching on every allowed pair, with the engine's weights."""
    roster, weights, edges = _complete_graph(request)
    graph = nx.Graph()
    graph.add_weighted_edges_from(edges)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return _with_odd_one(roster, weights, list(matching))


def exact_pairs_rx(request: PairingRequest) -> list[list[str]]:
    """rustworkx's exact maximum-weight matching (the same optimum, compiled): the fair baseline."""
    roster, weights, edges = _complete_graph(request)
    graph = rx.PyGraph()
    graph.add_nodes_from(range(roster.size))
    graph.add_edges_from(edges)
    matching = rx.max_weight_matching(graph, max_cardinality=True, weight_fn=int)
    return _with_odd_one(roster, weights, list(matching))


# -- scoring any grouping the engine's way ----------------------------------------------------


@dataclass(frozen=True)
class Score:
    objective: int
    soft: int  # the objective without the cross-division tier
    pairs: int
    cross: int
    ceiling: int
    repeats: int

    @property
    def cross_share(self) -> float:
        return self.cross / self.pairs if self.pairs else 0.0

    @property
    def ceiling_share(self) -> float:
        return self.ceiling / self.pairs if self.pairs else 0.0


def score(request: PairingRequest, groups: Sequence[Sequence[str]]) -> Score:
    roster = index_request(request)
    weights = Weights(roster, cross_division=True)
    where = {m.id: i for i, m in enumerate(roster.members)}
    n = roster.size
    objective = pairs = cross = repeats = 0
    for group in groups:
        for x, y in combinations(sorted(where[m] for m in group), 2):
            pairs += 1
            objective += weights.pair(x, y)
            cross += roster.division[x] != roster.division[y]
            repeats += roster.grouped_before(x * n + y)
    placed = [where[m] for g in groups for m in g]
    ceiling = cross_division_ceiling([roster.division[i] for i in placed], [len(g) for g in groups])
    return Score(objective, objective - CROSS * cross, pairs, cross, ceiling, repeats)


# -- the table ----------------------------------------------------------------------------------


class Table:
    HEAD = ("scenario", "method", "n", "time", "quality", "repeats", "cross share", "ceiling", "peak memory")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, *cells: str) -> None:
        self.rows.append(cells)
        progress("  " + " | ".join(cells))

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.HEAD) + " |", "|" + "|".join("---" for _ in self.HEAD) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def timed(run: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = run()
    return time.perf_counter() - started, value


def seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def history_by_engine(members: list[Member], blocked: list[tuple[str, str]], rounds: int) -> list[PastRound]:
    history: list[PastRound] = []
    for week in range(rounds):
        progress(f"  history round {week + 1}/{rounds} for {len(members):,} members")
        result = make_groups(PairingRequest(members, history=history, blocked=blocked, seed=1000 + week))
        when = ROUND_DAY - timedelta(weeks=rounds - week)
        history.append(PastRound(when, tuple(PastGroup(g.members) for g in result.groups)))
    return history


# -- scenarios ------------------------------------------------------------------------------------


def history_by_shuffle(members: list[Member], blocked: list[tuple[str, str]], rounds: int) -> list[PastRound]:
    """An adversarial history: made by a different heuristic, so it is not the engine's own habits."""
    history: list[PastRound] = []
    for week in range(rounds):
        groups = shuffle_groups(PairingRequest(members, blocked=blocked, seed=2000 + week))
        when = ROUND_DAY - timedelta(weeks=rounds - week)
        history.append(PastRound(when, tuple(PastGroup(tuple(g)) for g in groups)))
    return history


def median_of(runs: int, run: Callable[[], T]) -> tuple[float, T]:
    times, value = [], None
    for _ in range(runs):
        took, value = timed(run)
        times.append(took)
    assert value is not None
    return statistics.median(times), value


def against_exact(table: Table, sizes: Sequence[int], seed: int, networkx_up_to: int) -> None:
    for n in sizes:
        roster = make_roster(n, seed + n)
        for made_by, make_history in (("engine", history_by_engine), ("shuffle", history_by_shuffle)):
            progress(f"exact comparison, n = {n}, history by {made_by}")
            history = make_history(roster.members, roster.blocked, 4)
            request = PairingRequest(roster.members, history=history, blocked=roster.blocked, seed=seed)
            scenario = f"n={n}, 4 rounds history by {made_by}"
            rx_time, matched = median_of(3, partial(exact_pairs_rx, request))
            exact = score(request, matched)
            engine_time, result = median_of(3, partial(make_groups, request))
            shuffle_time, shuffled = median_of(3, partial(shuffle_groups, request))
            rows = [
                ("engine", engine_time, score(request, [g.members for g in result.groups])),
                ("random shuffle", shuffle_time, score(request, shuffled)),
            ]
            for name, took, s in rows:
                quality = (
                    f"{pct(s.objective / exact.objective)} of exact (soft tiers {pct(s.soft / exact.soft)})"
                    if s.objective > 0
                    else "below zero (repeats)"
                )
                ratio = rx_time / took
                faster = (
                    f" ({ratio:,.0f}× rustworkx's speed)"
                    if ratio >= 10
                    else f" ({ratio:.2f}× rustworkx's speed)"
                )
                faster = faster if name == "engine" else ""
                table.add(
                    scenario, name, f"{n:,}", seconds(took) + faster, quality, str(s.repeats),
                    pct(s.cross_share), pct(s.ceiling_share), "",
                )  # fmt: skip
            table.add(
                scenario, "exact (rustworkx)", f"{n:,}", seconds(rx_time), "100 %", str(exact.repeats),
                pct(exact.cross_share), pct(exact.ceiling_share), "",
            )  # fmt: skip
            if n <= networkx_up_to:
                nx_time, nx_matched = timed(partial(exact_pairs, request))
                same = score(request, nx_matched).objective == exact.objective
                table.add(
                    scenario, "exact (networkx, one run)", f"{n:,}", seconds(nx_time),
                    "100 % (same optimum)" if same else "differs from rustworkx", str(exact.repeats),
                    pct(exact.cross_share), pct(exact.ceiling_share), "",
                )  # fmt: skip


_TIME_ONE_RUN = """
import pickle, sys, time
from bot.domain.pairing import make_groups
with open(sys.argv[1], "rb") as f:
    request = pickle.load(f)
started, cpu = time.perf_counter(), time.process_time()
result = make_groups(request)
took, cpu = time.perf_counter() - started, time.process_time() - cpu
print(took, cpu, result.metrics.repeats, result.metrics.cross_division_pairs)
"""


def engine_in_subprocess(code_root: Path, request_file: Path) -> tuple[float, float, str]:
    """One timed `make_groups` in a fresh process that imports the engine from `code_root`:
    (wall seconds, CPU seconds of that process, "repeats crossings"). On a shared host the CPU
    time is the steadier of the two: other processes' load shows up in wall time only."""
    done = subprocess.run(
        [sys.executable, "-c", _TIME_ONE_RUN, str(request_file)],
        # One BLAS thread, as every `jembatan` process sets before numpy is imported (adapters/cli.py)
        env={**os.environ, "PYTHONPATH": str(code_root), "OPENBLAS_NUM_THREADS": "1"},
        cwd=code_root,
        capture_output=True,
        text=True,
        check=True,
    )
    took, cpu, *quality = done.stdout.split()
    return float(took), float(cpu), " ".join(quality)


def as_positions(request: PairingRequest) -> PairingRequest:
    """The same request with each past round as positions in the member list (FlatGroups), the
    way `jembatan pair` hands history to the engine."""
    members = list(request.members)
    where = {m.id: i for i, m in enumerate(members)}
    history = [
        PastRound(r.date, FlatGroups(members, array("i", [where[u] for g in r.groups for u in g.members])))
        for r in request.history
    ]
    return replace(request, members=members, history=history)


def at_scale(table: Table, n: int, seed: int, baseline: Path | None) -> tuple[Roster, list[PastRound]]:
    progress(f"{n:,} members with 8 rounds of history")
    roster = make_roster(n, seed)
    history = history_by_engine(roster.members, roster.blocked, 8)
    request = PairingRequest(roster.members, history=history, blocked=roster.blocked, seed=seed)
    scenario = f"{n:,} members, 8 rounds history"
    runs: dict[str, list[tuple[float, float, str]]] = {"positions": [], "ids": [], "baseline": []}
    with tempfile.TemporaryDirectory() as folder:
        by_ids, by_positions = Path(folder) / "ids.pickle", Path(folder) / "positions.pickle"
        with by_ids.open("wb") as f:
            pickle.dump(request, f)
        with by_positions.open("wb") as f:
            pickle.dump(as_positions(request), f)
        progress(
            "  timing the engine, each run in a fresh process"
            + (", turn about with the baseline" if baseline else "")
        )
        for _ in range(3):
            runs["positions"].append(engine_in_subprocess(ROOT, by_positions))
            runs["ids"].append(engine_in_subprocess(ROOT, by_ids))
            if baseline is not None:
                runs["baseline"].append(engine_in_subprocess(baseline, by_ids))
    progress("  measuring peak memory (tracemalloc, in this process)")
    tracemalloc.start()
    result = make_groups(request)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    m = result.metrics
    wall = {k: statistics.median(t for t, _, _ in v) for k, v in runs.items() if v}
    cpu = {k: statistics.median(c for _, c, _ in v) for k, v in runs.items() if v}

    def versus(k: str) -> str:
        if "baseline" not in wall:
            return f"; CPU {cpu[k]:.2f} s"
        return (
            f", {wall[k] / wall['baseline']:.2f}× the baseline's; "
            f"CPU {cpu[k]:.2f} s, {cpu[k] / cpu['baseline']:.2f}×"
        )

    for k, method in (("positions", "engine (history as positions)"), ("ids", "engine (history as ids)")):
        repeats, cross = runs[k][-1][2].split()
        table.add(
            scenario, method, f"{n:,}", f"{seconds(wall[k])} (median of 3{versus(k)})",
            f"{100 * (m.ceiling - int(cross)) / m.pairs:.3f} pp below ceiling", repeats,
            pct(int(cross) / m.pairs), pct(m.ceiling / m.pairs),
            f"{peak / 2**20:.0f} MiB (engine, tracemalloc)" if k == "ids" else "",
        )  # fmt: skip
    if baseline is not None:
        repeats, cross = runs["baseline"][-1][2].split()
        table.add(
            scenario, f"baseline engine ({baseline}, history as ids)", f"{n:,}",
            f"{seconds(wall['baseline'])} (median of 3; CPU {cpu['baseline']:.2f} s)",
            f"{100 * (m.ceiling - int(cross)) / m.pairs:.3f} pp below ceiling", repeats,
            pct(int(cross) / m.pairs), pct(m.ceiling / m.pairs), "",
        )  # fmt: skip
    took, shuffled = median_of(3, partial(shuffle_groups, request))
    s = score(request, shuffled)
    table.add(
        scenario, "random shuffle", f"{n:,}", seconds(took),
        f"{100 * (s.ceiling - s.cross) / s.pairs:.3f} pp below ceiling", str(s.repeats),
        pct(s.cross_share), pct(s.ceiling_share), "",
    )  # fmt: skip
    return roster, history


def whole_command(
    table: Table, roster: Roster, history: list[PastRound], seed: int, baseline: Path | None
) -> None:
    n = len(roster.members)
    progress(f"`python -m bot.pair_cli` on {n:,} members as JSON")
    document = {
        "date": ROUND_DAY.isoformat(),
        "members": [
            {
                "id": m.id,
                "division": m.division,
                "timezone": roster.zones[m.id],
                "interests": sorted(m.interests),
            }
            for m in roster.members
        ],
        "history": [
            {"date": r.date.isoformat(), "groups": [list(g.members) for g in r.groups]} for r in history
        ],
        "blocked": [list(p) for p in roster.blocked],
    }
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "roster.json", Path(folder) / "groups.json"
        source.write_text(json.dumps(document), encoding="utf-8")
        size = source.stat().st_size
        arguments = [str(source), "--out", str(target), "--seed", str(seed)]
        # The baseline writes a file of its own: the metrics read below must be this checkout's.
        others = [str(source), "--out", str(Path(folder) / "baseline.json"), "--seed", str(seed)]
        ours: list[tuple[float, int]] = []
        theirs: list[tuple[float, int]] = []
        for _ in range(3):
            ours.append(_cli_in_subprocess(ROOT, arguments))
            if baseline is not None:
                theirs.append(_cli_in_subprocess(baseline, others))
        out = json.loads(target.read_text(encoding="utf-8"))["metrics"]
    interpreter = _cli_in_subprocess(ROOT, None)[1]
    took = statistics.median(t for t, _ in ours)
    peak = max(p for _, p in ours)
    versus = f", {took / statistics.median(t for t, _ in theirs):.2f}× the baseline's" if theirs else ""
    table.add(
        f"{n:,} members, 8 rounds history", "whole `jembatan pair` process", f"{n:,}",
        f"{seconds(took)} (median of 3{versus}; JSON in {size / 2**20:.0f} MB)",
        f"engine part {out['seconds']:.2f} s", str(out["repeats"]),
        pct(out["cross_division"] / max(1, out["pairs"])), pct(out["ceiling"] / max(1, out["pairs"])),
        f"{peak / 2**20:.0f} MiB peak RSS, {(peak - interpreter) / n / 1024:.2f} KiB per member "
        f"above the interpreter's {interpreter / 2**20:.0f} MiB",
    )  # fmt: skip
    if theirs:
        table.add(
            f"{n:,} members, 8 rounds history", f"baseline `jembatan pair` ({baseline})", f"{n:,}",
            f"{seconds(statistics.median(t for t, _ in theirs))} (median of 3)", "", "", "", "",
            f"{max(p for _, p in theirs) / 2**20:.0f} MiB peak RSS",
        )  # fmt: skip


_RUN_CLI = """
import runpy, sys
if len(sys.argv) > 1:
    sys.argv = ["jembatan pair", *sys.argv[1:]]
    try:
        runpy.run_module("bot.pair_cli", run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        if stop.code:
            raise
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (big) parent across fork and exec
with open("/proc/self/status") as status:
    peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
print("peak", peak, file=sys.stderr)
"""


def _cli_in_subprocess(code_root: Path, arguments: list[str] | None) -> tuple[float, int]:
    """(seconds, peak RSS in bytes) of `jembatan pair` with these arguments in a fresh process;
    with None, just the interpreter starting (the memory every process pays anyway)."""
    command = [sys.executable, "-c", _RUN_CLI, *(arguments or [])]
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    run = partial(
        subprocess.run, command, cwd=code_root, env=env, capture_output=True, text=True, check=False
    )
    took, done = timed(run)
    if done.returncode != 0:
        raise SystemExit(f"pair_cli failed: {done.stderr.strip()}")
    peak = int(done.stderr.strip().splitlines()[-1].split()[1]) * 1024  # kilobytes on Linux
    return took, peak


def weekly(table: Table, n: int, weeks: int, seed: int) -> None:
    progress(f"{weeks} consecutive weekly rounds of {n}")
    roster = make_roster(n, seed)
    for name in ("engine", "random shuffle"):
        history: list[PastRound] = []
        times, repeats, gaps, shares, ceilings = [], 0, [], [], []
        for week in range(weeks):
            request = PairingRequest(
                roster.members, history=history, blocked=roster.blocked, seed=seed + week
            )
            if name == "engine":
                took, result = timed(partial(make_groups, request))
                groups = [list(g.members) for g in result.groups]
            else:
                took, groups = timed(partial(shuffle_groups, request))
            s = score(request, groups)
            times.append(took)
            repeats += s.repeats
            gaps.append(s.ceiling - s.cross)
            shares.append(s.cross_share)
            ceilings.append(s.ceiling_share)
            history.append(
                PastRound(ROUND_DAY + timedelta(weeks=week), tuple(PastGroup(tuple(g)) for g in groups))
            )
        table.add(
            f"{weeks} weekly rounds of {n}", name, f"{n:,}", f"{seconds(statistics.mean(times))} per round",
            f"worst round {max(gaps)} pairs below ceiling", str(repeats), pct(statistics.mean(shares)),
            pct(statistics.mean(ceilings)), "",
        )  # fmt: skip


def growth(table: Table, n: int, weeks: int, seed: int, divisions: int, seeds: int, skew: float) -> None:
    """Distinct cross-division colleagues per person, and division pairs that met at least once.

    "can meet": every pair of divisions, except when one division holds half or more of an even
    roster in pairs: then every other person must pair with one of its members to reach the
    ceiling, and only pairs with that division can meet without giving up a crossing pair (and
    when it holds nearly half, only (n - 2 × largest) / 2 pairs a round are free to meet others).
    """
    for s in range(seed, seed + seeds):
        progress(f"growth: {weeks} rounds of {n}, {divisions} divisions (skew {skew}), seed {s}")
        roster = make_roster(n, s, divisions, skew)
        division = {m.id: m.division for m in roster.members}
        sizes = Counter(m.division for m in roster.members)
        d = len(sizes)
        largest = max(sizes.values())
        possible = d * (d - 1) // 2
        if n % 2 == 0 and 2 * largest >= n:
            possible = d - 1
        elif n % 2 == 0:  # rounds x pairs outside the largest division bound the rest
            possible = min(possible, d - 1 + weeks * (n - 2 * largest) // 2)
        for name in ("engine", "random shuffle"):
            history: list[PastRound] = []
            met: dict[str, set[str]] = {m.id: set() for m in roster.members}
            bridges: set[frozenset[str | None]] = set()
            repeats, gaps = 0, []
            for week in range(weeks):
                request = PairingRequest(
                    roster.members, history=history, blocked=roster.blocked, seed=s + week
                )
                groups = (
                    [list(g.members) for g in make_groups(request).groups]
                    if name == "engine"
                    else shuffle_groups(request)
                )
                scored = score(request, groups)
                repeats += scored.repeats
                gaps.append(scored.ceiling - scored.cross)
                for g in groups:
                    for a, b in combinations(g, 2):
                        if division[a] != division[b]:
                            met[a].add(b)
                            met[b].add(a)
                            bridges.add(frozenset((division[a], division[b])))
                history.append(
                    PastRound(ROUND_DAY + timedelta(weeks=week), tuple(PastGroup(tuple(g)) for g in groups))
                )
            per_person = statistics.mean(len(v) for v in met.values())
            table.add(
                f"growth: {weeks} rounds of {n}, {divisions} divisions (skew {skew}), seed {s}", name,
                f"{n:,}", "", f"{per_person:.2f} distinct cross-division colleagues per person; "
                f"division pairs met: {len(bridges)} of {d * (d - 1) // 2} ({possible} can meet)",
                str(repeats), "", f"worst round {max(gaps)} pairs below", "",
            )  # fmt: skip


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a fast check")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. the main branch) whose engine and `jembatan pair` are timed "
        "turn about with this one's at scale, each in a fresh process",
    )
    parser.add_argument(
        "--networkx-up-to", type=int, default=501, help="largest n networkx is run at (it is slow)"
    )
    args = parser.parse_args(argv)
    table = Table()
    started = time.perf_counter()
    against_exact(table, (200,) if args.quick else (200, 501, 1000), args.seed, args.networkx_up_to)
    roster, history = at_scale(table, 20_000 if args.quick else 100_000, args.seed, args.baseline)
    whole_command(table, roster, history, args.seed, args.baseline)
    weekly(table, 400, 8 if args.quick else 26, args.seed)
    for skew in (1.3, 1.6):
        for divisions in (8, 12):
            growth(table, 500, 12, args.seed, divisions, 1 if args.quick else 3, skew)
    print(table.markdown())
    whole = time.perf_counter() - started
    mode = " (--quick)" if args.quick else ""
    print(f"\npython {sys.version.split()[0]}, {datetime.now():%Y-%m-%d}, whole run {whole:.0f} s{mode}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
