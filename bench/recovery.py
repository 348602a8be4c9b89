"""Crash recovery and graceful stop of ``hookcast serve`` (SQLite), measured with real processes.

A Feishu-like bot runs in this process and can hold its answer to the next request. Each round:

- crash: the bot holds a send, hookcast is killed (SIGKILL) and started again. Printed: seconds
  from the kill until the new process answers ``/readyz``, and until the held message (and the
  rest) reached the bot. The lease is 60 s: figures well below it come from the take-over.
- stop: SIGTERM while the bot holds a send for ``--hold`` seconds, and SIGTERM with nothing in
  flight. Printed: seconds from the signal until the process is gone.

    .venv/bin/python bench/recovery.py
    .venv/bin/python bench/recovery.py --rounds 5 --hold 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

BIN = Path(sys.executable).parent
ADMIN = "bench-admin-token-0123456789"
MARKER = re.compile(rb"benchmark(\d+)x")
EVENTS = 5
LEASE_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Bot:
    """Answers like a Feishu bot; holds the next request when told; notes when events arrive."""

    hold_next: float = 0.0
    arrivals: list[tuple[float, int]] = field(default_factory=list)
    requests: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.requests += 1
        hold, self.hold_next = self.hold_next, 0.0
        if hold:
            await asyncio.sleep(hold)
        now = time.monotonic()
        self.arrivals.extend((now, int(n)) for n in MARKER.findall(body))
        return web.json_response({"code": 0, "msg": "success", "data": {}})

    def first_arrival(self, number: int, after: float) -> float | None:
        return next((t for t, n in self.arrivals if n == number and t >= after), None)


def alert(n: int) -> dict[str, object]:
    """A small Alertmanager group, one per ``n``."""
    return {
        "version": "4",
        "groupKey": f"bench-{n}-{time.time_ns()}",
        "status": "firing",
        "receiver": "bench",
        "groupLabels": {"alertname": f"benchmark{n}x"},
        "commonLabels": {"alertname": f"benchmark{n}x", "severity": "warning"},
        "commonAnnotations": {"summary": f"benchmark{n}x recovery"},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": f"benchmark{n}x"},
                "annotations": {},
                "startsAt": "2026-01-01T00:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": f"{n:016x}",
            }
        ],
    }


class Hookcast:
    """One ``hookcast serve`` on a SQLite file, started again at will."""

    def __init__(self, workdir: Path, grace: float) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "HOOKCAST_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'hookcast.db'}",
            "HOOKCAST_ADMIN_TOKEN": ADMIN,
            "HOOKCAST_DATA_DIR": str(workdir),
            "HOOKCAST_EXTRA_ALLOWED_HOSTS": "127.0.0.1",
            "HOOKCAST_LOG_LEVEL": "WARNING",
            "HOOKCAST_LEASE_SECONDS": str(LEASE_SECONDS),
            "HOOKCAST_SHUTDOWN_GRACE_SECONDS": str(grace),
            "HOOKCAST_ENFORCE_RATE_LIMITS": "false",
        }
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self, http: aiohttp.ClientSession) -> None:
        log = (self.workdir / "hookcast.log").open("ab")
        self.process = subprocess.Popen(
            [str(BIN / "hookcast"), "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.workdir,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                async with http.get(f"{self.base}/readyz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.02)
        raise RuntimeError(f"hookcast did not come up; see {self.workdir / 'hookcast.log'}")

    async def signal(self, signum: signal.Signals) -> float:
        """Send ``signum``; seconds until the process is gone."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signum)
        await asyncio.to_thread(self.process.wait, 120)
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


async def configure(http: aiohttp.ClientSession, base: str, bot_url: str) -> str:
    """A project with one Feishu webhook pointing at the bot; returns the project's token."""
    headers = {"Authorization": f"Bearer {ADMIN}"}
    async with http.post(f"{base}/api/v1/projects", json={"name": "bench"}, headers=headers) as answer:
        project = await answer.json()
    webhook = {"platform": "feishu", "url": bot_url}
    async with http.post(
        f"{base}/api/v1/projects/{project['id']}/webhooks", json=webhook, headers=headers
    ) as answer:
        assert answer.status == 201, await answer.text()
    return str(project["gitlab_token"])


async def post_alerts(http: aiohttp.ClientSession, base: str, token: str, numbers: range) -> None:
    for n in numbers:
        async with http.post(
            f"{base}/hooks/alertmanager", json=alert(n), headers={"Authorization": f"Bearer {token}"}
        ) as answer:
            assert answer.status == 202, await answer.text()


async def wait_until(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await asyncio.sleep(0.01)


@dataclass
class Figures:
    kill_to_ready: list[float] = field(default_factory=list)
    kill_to_held_delivered: list[float] = field(default_factory=list)
    ready_to_all_delivered: list[float] = field(default_factory=list)
    stop_with_send_in_flight: list[float] = field(default_factory=list)
    stop_idle: list[float] = field(default_factory=list)


async def one_round(
    http: aiohttp.ClientSession, bot: Bot, bot_url: str, hold: float, figures: Figures
) -> None:
    with tempfile.TemporaryDirectory(prefix="hookcast-recovery-") as tmp:
        hookcast = Hookcast(Path(tmp), grace=hold + 10)
        try:
            await hookcast.start(http)
            token = await configure(http, hookcast.base, bot_url)

            # crash: SIGKILL while the first message is held by the bot
            bot.hold_next = 30.0
            asked = bot.requests
            await post_alerts(http, hookcast.base, token, range(0, EVENTS))
            await wait_until(lambda: bot.requests > asked, 30)
            killed = time.monotonic()
            await hookcast.signal(signal.SIGKILL)
            await hookcast.start(http)
            ready = time.monotonic()
            await wait_until(lambda: all(bot.first_arrival(n, killed) for n in range(EVENTS)), 120)
            held = bot.first_arrival(0, killed)
            last = max(t for n in range(EVENTS) if (t := bot.first_arrival(n, killed)) is not None)
            assert held is not None
            figures.kill_to_ready.append(ready - killed)
            figures.kill_to_held_delivered.append(held - killed)
            figures.ready_to_all_delivered.append(last - ready)

            # stop: SIGTERM while a send is held for ``hold`` seconds, then with nothing in flight
            bot.hold_next = hold
            asked = bot.requests
            await post_alerts(http, hookcast.base, token, range(EVENTS, EVENTS + 1))
            await wait_until(lambda: bot.requests > asked, 30)
            figures.stop_with_send_in_flight.append(await hookcast.signal(signal.SIGTERM))
            await hookcast.start(http)
            await asyncio.sleep(1)
            figures.stop_idle.append(await hookcast.signal(signal.SIGTERM))
        finally:
            hookcast.stop()


def show(name: str, values: list[float]) -> None:
    print(
        f"{name:<44} median {statistics.median(values):6.2f} s   "
        f"min {min(values):6.2f}   max {max(values):6.2f}   (n={len(values)})"
    )


async def main(args: argparse.Namespace) -> None:
    bot = Bot()
    app = web.Application()
    app.router.add_post("/open-apis/bot/v2/hook/{token}", bot.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    bot_url = f"http://127.0.0.1:{port}/open-apis/bot/v2/hook/bench"
    figures = Figures()
    try:
        async with aiohttp.ClientSession() as http:
            for number in range(1, args.rounds + 1):
                await one_round(http, bot, bot_url, args.hold, figures)
                print(f"round {number} done", file=sys.stderr)
    finally:
        await runner.cleanup()
    print(f"hookcast serve on SQLite, lease {LEASE_SECONDS} s, {args.rounds} rounds")
    show("SIGKILL -> restarted process ready", figures.kill_to_ready)
    show("SIGKILL -> held message delivered", figures.kill_to_held_delivered)
    show("ready -> all held messages delivered", figures.ready_to_all_delivered)
    show(f"SIGTERM -> exit, a send held {args.hold:g} s", figures.stop_with_send_in_flight)
    show("SIGTERM -> exit, nothing in flight", figures.stop_idle)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--hold", type=float, default=2.0, help="seconds the bot holds the send at SIGTERM")
    asyncio.run(main(parser.parse_args()))
