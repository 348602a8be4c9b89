"""How long the ``hookcast`` command takes to answer: each command is run N times as a fresh
subprocess (as a person or a script runs it) and the min / median wall time is printed, with the
CPU time (user + system) the process used: on a busy machine the wall time mostly measures the
other processes, the CPU time much less so.

The instance is a temporary data directory with a migrated SQLite database, so that
``projects list`` measures start-up plus one query, not the first migration.

    .venv/bin/python bench/cli_start.py
    .venv/bin/python bench/cli_start.py --runs 20 --command "--help" --command "projects list --json"
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOOKCAST = str(Path(sys.executable).parent / "hookcast")
DEFAULT_COMMANDS = ("--help", "--version", "info", "projects list")


def environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKCAST_")}
    env.update(
        HOOKCAST_DATA_DIR=str(data_dir),
        HOOKCAST_ADMIN_TOKEN="bench-admin-token-0123456789",
        HOOKCAST_LOG_LEVEL="WARNING",
    )
    return env


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(
    args: list[str], env: dict[str, str], cwd: Path, runs: int
) -> tuple[list[float], list[float], int]:
    """Wall times and CPU times of ``runs`` runs, and the exit status of the last one."""
    walls, cpus = [], []
    status = 0
    for _ in range(runs):
        cpu_before = children_cpu()
        started = time.perf_counter()
        done = subprocess.run([HOOKCAST, *args], env=env, cwd=cwd, capture_output=True, check=False)
        walls.append(time.perf_counter() - started)
        cpus.append(children_cpu() - cpu_before)
        status = done.returncode
    return walls, cpus, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="runs per command")
    parser.add_argument(
        "--command", action="append", help="a hookcast command line (repeatable); default: a usual set"
    )
    options = parser.parse_args()
    commands = options.command or list(DEFAULT_COMMANDS)
    with tempfile.TemporaryDirectory(prefix="hookcast-cli-bench-") as tmp:
        data_dir = Path(tmp)
        env = environment(data_dir)
        subprocess.run([HOOKCAST, "migrate"], env=env, cwd=data_dir, capture_output=True, check=True)
        print(f"hookcast CLI start-up, {options.runs} runs each (wall time of a fresh process)")
        print(f"{'command':<28} {'wall min':>9} {'median':>8} {'cpu min':>9} {'median':>8}  exit")
        for command in commands:
            walls, cpus, status = time_command(shlex.split(command), env, data_dir, options.runs)
            print(
                f"{'hookcast ' + command:<28} {min(walls):>8.3f}s {statistics.median(walls):>7.3f}s"
                f" {min(cpus):>8.3f}s {statistics.median(cpus):>7.3f}s  {status}"
            )


if __name__ == "__main__":
    main()
