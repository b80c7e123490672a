"""What do the platform-spec checks in the fakes cost the adapter suites?

    python bench/spec_checks.py [--rounds 1] [pytest paths…]   (default: tests/adapters)

Runs the adapter suites in the same session with the checks on (timing every check) and off
(each check answers "no violation" at once), alternating, and prints the wall time of each run,
the time spent inside the checks, how many requests were checked, and the ratio on/off.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(mode: str, paths: list[str]) -> tuple[float, dict[str, float]]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        report = Path(out.name)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        "SPEC_CHECKS_MODE": mode,
        "SPEC_CHECKS_REPORT": str(report),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "_spec_checks_plugin"]
    started = time.perf_counter()
    done = subprocess.run([*command, *paths], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"pytest failed ({mode}):\n{done.stdout[-3000:]}")
    stats = json.loads(report.read_text() or "{}")
    report.unlink()
    return elapsed, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("paths", nargs="*", default=["tests/adapters"])
    args = parser.parse_args()
    on: list[float] = []
    off: list[float] = []
    for _ in range(args.rounds):
        seconds, stats = run("time", args.paths)
        on.append(seconds)
        print(
            f"checks on:  {seconds:6.1f} s wall, {stats['seconds']:.2f} s inside "
            f"{int(stats['calls'])} checks ({1000 * stats['seconds'] / max(stats['calls'], 1):.2f} ms each)"
        )
        seconds, _ = run("off", args.paths)
        off.append(seconds)
        print(f"checks off: {seconds:6.1f} s wall")
    print(f"on/off: {sum(on) / sum(off):.2f}× ({' '.join(args.paths)})")


if __name__ == "__main__":
    main()
