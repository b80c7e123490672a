"""How long `jembatan` takes to start: `--help` and `pair` on a 10-member roster, beside bare
`python -c pass` and `python -m bot.pair_cli` (the pairing alone) measured in the same run.

    python bench/startup.py [--runs 20]

Prints the median and fastest wall time of each, in seconds, and each one's ratio to the bare
interpreter's start.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Each command once per pass, passes repeated: a busy spell slows all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    divisions = ("Sales", "Finance", "Legal", "Operations")
    roster = {"members": [{"id": f"U{i}", "division": divisions[i % 4]} for i in range(10)]}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.json"
        path.write_text(json.dumps(roster))
        py = sys.executable
        commands = {
            "python -c pass": [py, "-c", "pass"],
            "python -m bot.pair_cli roster": [py, "-m", "bot.pair_cli", str(path)],
            "jembatan --help": [py, "-m", "adapters.cli", "--help"],
            "jembatan pair roster": [py, "-m", "adapters.cli", "pair", str(path)],
        }
        results = timed(commands, runs)
    bare = statistics.median(results["python -c pass"])
    print(f"{'command':32} {'median':>8} {'fastest':>8} {'× bare':>7}   ({runs} runs each)")
    for name, times in results.items():
        median = statistics.median(times)
        print(f"{name:32} {median:8.3f} {min(times):8.3f} {median / bare:7.1f}")


if __name__ == "__main__":
    main()
