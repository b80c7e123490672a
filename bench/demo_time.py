"""How long does the README's first command take, and how much of it is the machine?

    python bench/demo_time.py [--runs 3] [--members 60] [--rounds 4] [--baseline PATH]

Runs `jembatan demo --members 60 --rounds 4` as a fresh process each time and prints the
wall-clock time, the CPU it used (user + sys, from the child's rusage) and the load average
when it ran. Wall time on a shared machine mostly measures the other tenants; CPU time is
what the demo itself costs. The same run times a bare start-up (`import` of the demo, no
work) as the baseline, so the ratio demo / start-up can be compared across machines.
With --baseline PATH it also times the demo from another checkout (e.g. an older commit
unpacked with `git archive`), alternating the two so both see the same load.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def _timed(argv: list[str], source: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = os.environ | {"PYTHONPATH": str(source)}
    subprocess.run(argv, cwd=source, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _line(label: str, samples: list[tuple[float, float]]) -> str:
    walls, cpus = [w for w, _ in samples], [c for _, c in samples]
    return (
        f"{label:<28} wall median {statistics.median(walls):5.1f} s"
        f" (min {min(walls):.1f}, max {max(walls):.1f})  CPU median {statistics.median(cpus):4.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--baseline", type=Path, help="another checkout to time the same way")
    args = parser.parse_args()
    demo = [sys.executable, "-m", "adapters.cli", "demo", "--members", str(args.members)]
    demo += ["--rounds", str(args.rounds)]
    start_up = [sys.executable, "-c", "import adapters.console.demo"]
    sources = {"this checkout": HERE} | ({"baseline": args.baseline} if args.baseline else {})
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sources}
    bare: list[tuple[float, float]] = []
    loads = []
    for _ in range(args.runs):
        for name, source in sources.items():
            loads.append(os.getloadavg()[0])
            results[name].append(_timed(demo, source))
        bare.append(_timed(start_up, HERE))
    print(f"jembatan demo --members {args.members} --rounds {args.rounds}, {args.runs} runs each")
    print(f"load average (1 min) while running: {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} CPUs")
    for name, samples in results.items():
        print(_line(name, samples))
    print(_line("start-up only (import)", bare))
    own = statistics.median(c for _, c in results["this checkout"])
    print(f"demo CPU / start-up CPU: {own / statistics.median(c for _, c in bare):.1f}×")
    if args.baseline:
        ratio = statistics.median(w for w, _ in results["baseline"]) / statistics.median(
            w for w, _ in results["this checkout"]
        )
        print(f"baseline wall / this wall: {ratio:.2f}×")


if __name__ == "__main__":
    main()
