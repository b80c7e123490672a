"""What do the platform-spec checks in the fakes cost the adapter suites?

    python bench/spec_checks.py [--rounds 1] [pytest paths…]   (default: tests/adapters)

Runs the adapter suites in the same session with the checks on (timing every check) and off
(each check answers "no violation" at once), alternating, and prints the wall time of each run,
its CPU time (steadier than wall time on a shared machine), the time spent inside the checks,
how many requests were checked, and the ratios on/off.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run(mode: str, paths: list[str]) -> tuple[float, float, dict[str, float]]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        report = Path(out.name)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        "SPEC_CHECKS_MODE": mode,
        "SPEC_CHECKS_REPORT": str(report),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "_spec_checks_plugin"]
    started, cpu_before = time.perf_counter(), cpu()
    done = subprocess.run([*command, *paths], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed, cpu_used = time.perf_counter() - started, cpu() - cpu_before
    if done.returncode != 0:
        sys.exit(f"pytest failed ({mode}):\n{done.stdout[-3000:]}")
    stats = json.loads(report.read_text() or "{}")
    report.unlink()
    return elapsed, cpu_used, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("paths", nargs="*", default=["tests/adapters"])
    args = parser.parse_args()
    on: list[tuple[float, float]] = []
    off: list[tuple[float, float]] = []
    for round_number in range(args.rounds):
        # Alternate which goes first: a first run warms caches the second one finds.
        for mode in ("time", "off") if round_number % 2 == 0 else ("off", "time"):
            seconds, cpu_used, stats = run(mode, args.paths)
            if mode == "off":
                off.append((seconds, cpu_used))
                print(f"checks off: {seconds:6.1f} s wall, {cpu_used:5.1f} s CPU")
                continue
            on.append((seconds, cpu_used))
            each = 1000 * stats["seconds"] / max(stats["calls"], 1)
            print(
                f"checks on:  {seconds:6.1f} s wall, {cpu_used:5.1f} s CPU, {stats['seconds']:.2f} s inside "
                f"{int(stats['calls'])} checks ({each:.2f} ms each)"
            )
    wall = sum(w for w, _ in on) / sum(w for w, _ in off)
    cpu_ratio = sum(c for _, c in on) / sum(c for _, c in off)
    print(f"on/off: {wall:.2f}× wall, {cpu_ratio:.2f}× CPU ({' '.join(args.paths)})")


if __name__ == "__main__":
    main()
