"""Paired timing: the commands given on stdin, one a line, run in turn A B C … A B C …

    printf '%s\n' "python3 -c pass" "escg actions" "PYTHONPATH=/tmp/old escg actions" | RUNS=9 python3 bench/pair.py

Each command runs once untimed, then RUNS times (default 9) interleaved with the others,
through a shell, its output thrown away. Printed: each command's median and its ratio to
the first command's (put the floor, `python3 -c pass`, first). Interleaving is what makes
two trees comparable on a shared machine: whatever else the machine does falls on both.
To compare trees, extract each (`git archive COMMIT escg templates | tar -x -C /tmp/old`)
and run from a folder outside the checkout, so PYTHONPATH picks the tree.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time


def main() -> None:
    runs = int(os.environ.get("RUNS", "9"))
    commands = [line.strip() for line in sys.stdin if line.strip()]
    if not commands:
        sys.exit("pair.py: give the commands on stdin, one a line")
    times: dict[str, list[float]] = {command: [] for command in commands}
    for command in commands:  # warm up: caches, bytecode, the index
        subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(runs):
        for command in commands:
            started = time.perf_counter()
            subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[command].append(time.perf_counter() - started)
    floor = statistics.median(times[commands[0]])
    for command in commands:
        median = statistics.median(times[command])
        print(f"{median * 1000:9.1f} ms {median / floor:7.2f}x  {command}")


if __name__ == "__main__":
    main()
