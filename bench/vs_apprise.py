"""hookcast's delivery path against Apprise, sending the same N messages to the same fake endpoint.

hookcast: N push events are accepted first (no worker running), then one worker process delivers
them: claim, render, encode, send, classify, record — timed from the first message the fake bot
receives to the last (the process's start-up is not delivery).

Apprise (installed here only for this benchmark): the same number of messages through
``Apprise.notify`` to ``json://`` URLs of the same fake bot, from a pool of threads as wide as
hookcast's bot count (Apprise's own parallelism is per message, across its URLs).

Both print messages/s and the CPU (user + system) spent per message while sending: the worker
process's, and this process's while its threads run Apprise.

    .venv/bin/python bench/vs_apprise.py --messages 3000 --bots 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.e2e import ADMIN, free_port, push_body, push_template, setup_projects, wait_http  # noqa: E402

BIN = Path(sys.executable).parent


def ensure_apprise() -> None:
    try:
        import apprise  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "apprise==2.2.0"], check=True)


def requests_seen(bot_port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{bot_port}/__count") as answer:
        return int(json.load(answer)["requests"])


async def queue_events(base: str, tokens: list[str], n: int) -> None:
    template = push_template()
    semaphore = asyncio.Semaphore(32)
    async with aiohttp.ClientSession() as http:

        async def one(i: int) -> None:
            headers = {"X-Gitlab-Token": tokens[i % len(tokens)], "X-Gitlab-Event": "Push Hook"}
            async with (
                semaphore,
                http.post(f"{base}/hooks/gitlab", data=push_body(template, i), headers=headers) as a,
            ):
                assert a.status == 202

        await asyncio.gather(*(one(i) for i in range(n)))


@dataclass(frozen=True)
class Run:
    """Messages per second, and the CPU (user + system) spent per message while sending them."""

    per_second: float
    cpu_ms: float


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def hookcast_rate(n: int, bots: int, bot_port: int, workdir: Path) -> Run:
    env = {
        **os.environ,
        "HOOKCAST_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'hookcast.db'}",
        "HOOKCAST_ADMIN_TOKEN": ADMIN,
        "HOOKCAST_DATA_DIR": str(workdir),
        "HOOKCAST_EXTRA_ALLOWED_HOSTS": "127.0.0.1",
        "HOOKCAST_ENFORCE_RATE_LIMITS": "false",
        "HOOKCAST_LOG_LEVEL": "WARNING",
    }
    port = free_port()
    api = subprocess.Popen(
        [str(BIN / "hookcast"), "api", "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        tokens = asyncio.run(setup_projects(f"http://127.0.0.1:{port}", bots, bot_port))
        asyncio.run(queue_events(f"http://127.0.0.1:{port}", tokens, n))
    finally:
        api.terminate()
        api.wait()
    before = requests_seen(bot_port)
    launched = time.time()
    worker = subprocess.Popen(
        [str(BIN / "hookcast"), "worker"],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The clock starts at the first message out, not at the process start: Python's imports
        # and the database checks (about a second) are not delivery, and Apprise's are not timed.
        watched = psutil.Process(worker.pid)
        while requests_seen(bot_port) == before:
            time.sleep(0.005)
        started, cpu_started = time.time(), cpu_seconds(watched)
        while requests_seen(bot_port) - before < n:
            if time.time() - launched > 300:
                raise RuntimeError("hookcast did not deliver everything in 5 minutes")
            time.sleep(0.02)
        elapsed, cpu = time.time() - started, cpu_seconds(watched) - cpu_started
        return Run((n - 1) / elapsed, 1000 * cpu / (n - 1))
    finally:
        worker.terminate()
        worker.wait()


def apprise_rate(n: int, bots: int, bot_port: int) -> Run:
    import apprise

    senders = []
    for i in range(bots):
        sender = apprise.Apprise()
        sender.add(f"json://127.0.0.1:{bot_port}/json/bot{i}")
        senders.append(sender)
    before = requests_seen(bot_port)
    this_process = psutil.Process()
    started, cpu_started = time.time(), cpu_seconds(this_process)

    def send(i: int) -> None:
        ok = senders[i % bots].notify(
            title="John Smith pushed 4 commits to master", body=f"benchmark{i}x commit"
        )
        assert ok

    with ThreadPoolExecutor(max_workers=bots) as pool:
        list(pool.map(send, range(n)))
    elapsed, cpu = time.time() - started, cpu_seconds(this_process) - cpu_started
    assert requests_seen(bot_port) - before == n
    return Run(n / elapsed, 1000 * cpu / n)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--bots", type=int, default=20)
    args = parser.parse_args()
    ensure_apprise()
    bot_port = free_port()
    bot = subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_bot.py"), "--port", str(bot_port)])
    try:
        wait_http(f"http://127.0.0.1:{bot_port}/__arrivals")
        with tempfile.TemporaryDirectory(prefix="hookcast-vs-apprise-") as workdir:
            ours = hookcast_rate(args.messages, args.bots, bot_port, Path(workdir))
        theirs = apprise_rate(args.messages, args.bots, bot_port)
    finally:
        bot.terminate()
        bot.wait()
    print(f"{args.messages} messages to {args.bots} bots on one fake endpoint")
    print(f"{'':21}{'messages/s':>11}{'CPU/message':>13}")
    rows = [
        ("hookcast delivery", ours, "one worker, every attempt recorded"),
        ("Apprise notify", theirs, f"{args.bots} threads"),
    ]
    for label, run, how in rows:
        print(f"  {label + ':':19}{run.per_second:9.0f}{run.cpu_ms:10.2f} ms  ({how})")
    speed, thrift = ours.per_second / theirs.per_second, theirs.cpu_ms / ours.cpu_ms
    print(f"  {'ratio:':19}{speed:8.1f}x{thrift:10.1f}x less CPU per message")


if __name__ == "__main__":
    main()
