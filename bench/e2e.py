"""End-to-end benchmark: GitLab push events in, Feishu cards out, through real processes.

Starts hookcast (``serve`` on SQLite by default; or ``--database postgresql --api N --workers M``),
a fake bot process and this load process. Posts N push events at a given concurrency (or at a fixed
offered rate), then the same events to a naive relay (bench/naive_relay.py: no database, no
routing, no retries) on the same bots, one after the other, and prints for both and their ratio:
accepted and delivered events/s, POST -> 202 and POST -> bot latency (p50 / p99), idle and peak
RSS, the CPU (user + system) each process spent per event sent, and the loopback limit measured in
the same run (this process posting card-sized bodies straight to the fake bot). Both systems run
in the same run on the same load: read the ratios and the CPU per event, not the absolutes.

    .venv/bin/python bench/e2e.py --events 5000 --concurrency 64 --bots 50     # closed loop
    .venv/bin/python bench/e2e.py --events 3000 --rate 100 --bots 200          # open loop, 100/s
    .venv/bin/python bench/e2e.py --database postgresql --api 2 --workers 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import psutil

from hookcast.samples import get_sample

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN = "bench-admin-token-0123456789"


def push_template() -> dict[str, Any]:
    """GitLab's documented push body, from the samples that ship with hookcast."""
    template: dict[str, Any] = json.loads(get_sample("push").body())
    return template


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_http(url: str, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Processes:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        handle = log.open("wb")
        proc = subprocess.Popen(args, env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=log.parent)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    name = f"hookcast_bench_{uuid.uuid4().hex[:8]}"
    server = os.environ.get("HOOKCAST_TEST_PG", "postgres@127.0.0.1:5432")

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(f"postgresql://{server}/postgres")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://{server}/{name}"
    finally:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def push_body(template: dict[str, object], n: int) -> bytes:
    body = json.loads(json.dumps(template))
    commits = body["commits"]
    assert isinstance(commits, list)
    commits[0]["message"] = f"benchmark{n}x load test commit"
    return json.dumps(body).encode()


async def setup_projects(base: str, bots: int, bot_port: int) -> list[str]:
    """One project and one Feishu webhook per bot, a few at a time (1,000 bots take seconds)."""
    headers = {"Authorization": f"Bearer {ADMIN}"}
    tokens = [""] * bots
    semaphore = asyncio.Semaphore(8)
    async with aiohttp.ClientSession(headers=headers) as http:

        async def one(i: int) -> None:
            async with semaphore:
                async with http.post(f"{base}/api/v1/projects", json={"name": f"bench-{i}"}) as answer:
                    project = await answer.json()
                tokens[i] = project["gitlab_token"]
                webhook = {
                    "platform": "feishu",
                    "url": bot_url(bot_port, i),
                    "branches_to_be_notified": "all",
                }
                url = f"{base}/api/v1/projects/{project['id']}/webhooks"
                async with http.post(url, json=webhook) as answer:
                    assert answer.status == 201, await answer.text()

        await asyncio.gather(*(one(i) for i in range(bots)))
    return tokens


def bot_url(bot_port: int, i: int) -> str:
    return f"http://127.0.0.1:{bot_port}/open-apis/bot/v2/hook/bot{i}"


async def post_events(
    bases: list[str], tokens: list[str], n: int, concurrency: int, rate: float
) -> tuple[dict[int, float], float, dict[int, float]]:
    """Closed loop (``rate`` 0): at most ``concurrency`` requests open at once, each sent when
    one is answered. Open loop: event i leaves at ``i / rate`` seconds whatever is still open, so a
    slow answer does not lower the offered rate."""
    template = push_template()
    bodies = [push_body(template, i) for i in range(n)]
    sent: dict[int, float] = {}
    answered: dict[int, float] = {}
    semaphore = asyncio.Semaphore(concurrency if not rate else n)
    connector = aiohttp.TCPConnector(limit=concurrency if not rate else 0)
    started = time.time()
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(i: int) -> None:
            if rate:
                delay = started + i / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            headers = {
                "X-Gitlab-Token": tokens[i % len(tokens)],
                "X-Gitlab-Event": "Push Hook",
                "X-Gitlab-Event-UUID": str(uuid.uuid4()),
                "Content-Type": "application/json",
            }
            async with semaphore:
                sent[i] = time.time()
                async with http.post(
                    f"{bases[i % len(bases)]}/hooks/gitlab", data=bodies[i], headers=headers
                ) as a:
                    if a.status != 202:
                        raise RuntimeError(f"event {i}: {a.status} {await a.text()}")
                answered[i] = time.time() - sent[i]

        await asyncio.gather(*(one(i) for i in range(n)))
    return sent, time.time() - started, answered


async def loopback_limit(bot_port: int, n: int, concurrency: int) -> float:
    """Card-sized bodies posted straight to the fake bot: the ceiling of this machine's loopback."""
    body = json.dumps({"msg_type": "interactive", "card": {"elements": ["x" * 1500]}}).encode()
    connector = aiohttp.TCPConnector(limit=concurrency)
    semaphore = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(i: int) -> None:
            async with semaphore:
                url = f"http://127.0.0.1:{bot_port}/open-apis/bot/v2/hook/loop{i % 20}"
                async with http.post(url, data=body) as answer:
                    await answer.read()

        started = time.time()
        await asyncio.gather(*(one(i) for i in range(n)))
        return n / (time.time() - started)


async def wait_delivered(bot_port: int, n: int, timeout: float) -> dict[int, float]:
    deadline = time.time() + timeout
    async with aiohttp.ClientSession() as http:
        while True:  # poll the cheap count; the arrival times are fetched once, at the end
            async with http.get(f"http://127.0.0.1:{bot_port}/__count") as answer:
                arrived = (await answer.json())["events"]
            if arrived >= n or time.time() > deadline:
                break
            await asyncio.sleep(0.2)
        async with http.get(f"http://127.0.0.1:{bot_port}/__arrivals") as answer:
            data = await answer.json()
        async with http.post(f"http://127.0.0.1:{bot_port}/__reset") as answer:
            await answer.read()
        return {int(k): float(v) for k, v in data["arrivals"].items()}


@dataclass
class Figures:
    """One system's run: what the load process saw and the fake bot received."""

    events: int
    delivered: int
    accepted_per_s: float
    delivered_per_s: float
    answer_ms: tuple[float, float]
    latency_ms: tuple[float, float]
    idle_rss: int
    peak_rss: int
    cpu_ms: dict[str, float]  # per process: CPU (user + system) ms per event sent, over the run


def cpu_seconds(handle: psutil.Process) -> float:
    times = handle.cpu_times()
    return float(times.user + times.system)


async def measure(
    bases: list[str],
    tokens: list[str],
    procs: dict[str, subprocess.Popen[bytes]],
    bot_port: int,
    args: argparse.Namespace,
) -> Figures:
    handles = {name: psutil.Process(p.pid) for name, p in procs.items()}
    cpu_before = {name: cpu_seconds(h) for name, h in handles.items()}
    idle_rss = peak_rss = sum(h.memory_info().rss for h in handles.values())  # set up, no event yet

    async def sample_rss() -> None:
        nonlocal peak_rss
        while True:
            rss = sum(h.memory_info().rss for h in handles.values() if h.is_running())
            peak_rss = max(peak_rss, rss)
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample_rss())
    sent, post_seconds, answered = await post_events(bases, tokens, args.events, args.concurrency, args.rate)
    arrivals = await wait_delivered(bot_port, args.events, timeout=120)
    sampler.cancel()
    cpu_ms = {name: (cpu_seconds(h) - cpu_before[name]) * 1000 / args.events for name, h in handles.items()}
    delivered = [i for i in sent if i in arrivals]
    latencies_ms = [(arrivals[i] - sent[i]) * 1000 for i in delivered] or [float("nan")]
    first, last = min(sent.values()), max(arrivals.values(), default=time.time())
    accept_ms = [v * 1000 for v in answered.values()]
    return Figures(
        events=args.events,
        delivered=len(delivered),
        accepted_per_s=args.events / post_seconds,
        delivered_per_s=len(delivered) / (last - first),
        answer_ms=(statistics.median(accept_ms), percentile(accept_ms, 0.99)),
        latency_ms=(statistics.median(latencies_ms), percentile(latencies_ms, 0.99)),
        idle_rss=idle_rss,
        peak_rss=peak_rss,
        cpu_ms=cpu_ms,
    )


def start_relay(
    procs: Processes, env: dict[str, str], workdir: Path, bots: int, bot_port: int
) -> tuple[str, list[str], subprocess.Popen[bytes]]:
    """The naive relay (bench/naive_relay.py) with one token per bot."""
    tokens = [f"relay-token-{i}" for i in range(bots)]
    config = workdir / "relay-bots.json"
    config.write_text(json.dumps({token: bot_url(bot_port, i) for i, token in enumerate(tokens)}))
    port = free_port()
    relay = procs.start(
        [sys.executable, str(ROOT / "bench" / "naive_relay.py"), "--port", str(port), "--bots", str(config)],
        env,
        workdir / "relay.log",
    )
    base = f"http://127.0.0.1:{port}"
    wait_http(f"{base}/healthz")
    return base, tokens, relay


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="open loop: offered events/s (0: closed loop, at most --concurrency open)",
    )
    parser.add_argument("--bots", type=int, default=20, help="one project and webhook each (up to 1,000)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--api", type=int, default=0, help="hookcast api processes (0: one 'serve')")
    parser.add_argument("--workers", type=int, default=0, help="hookcast worker processes")
    parser.add_argument(
        "--keep", action="store_true", help="keep the work folder (database, logs) and say where"
    )
    args = parser.parse_args()

    procs = Processes()
    workdir = Path(tempfile.mkdtemp(prefix="hookcast-bench-"))
    bot_port = free_port()
    with contextlib.ExitStack() as stack:
        if args.keep:
            stack.callback(print, f"e2e: the work folder (database, logs) is kept in {workdir}")
        else:
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        stack.callback(procs.stop)
        if args.database == "postgresql":
            database_url = stack.enter_context(postgres_database())
        else:
            database_url = f"sqlite+aiosqlite:///{workdir / 'hookcast.db'}"
        env = {
            **os.environ,
            "HOOKCAST_DATABASE_URL": database_url,
            "HOOKCAST_ADMIN_TOKEN": ADMIN,
            "HOOKCAST_SECRET_KEY": "",
            "HOOKCAST_DATA_DIR": str(workdir),
            "HOOKCAST_EXTRA_ALLOWED_HOSTS": "127.0.0.1",
            "HOOKCAST_ENFORCE_RATE_LIMITS": "false",
            "HOOKCAST_LOG_LEVEL": "WARNING",
            # This checkout's code, whichever checkout the shared environment was installed from.
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]),
        }
        env.pop("HOOKCAST_SECRET_KEY")
        procs.start(
            [sys.executable, str(ROOT / "bench" / "fake_bot.py"), "--port", str(bot_port)],
            env,
            workdir / "bot.log",
        )
        hookcast = str(BIN / "hookcast")
        bases: list[str] = []
        server_procs: dict[str, subprocess.Popen[bytes]] = {}
        # Migrate first, as a deployment does once: several processes then start on the same
        # database, and the idle RSS is that of any later start (Alembic is not imported then).
        subprocess.run([hookcast, "migrate"], env=env, check=True, cwd=workdir, capture_output=True)
        if args.api == 0:
            port = free_port()
            server_procs["serve"] = procs.start(
                [hookcast, "serve", "--port", str(port)], env, workdir / "serve.log"
            )
            bases.append(f"http://127.0.0.1:{port}")
        else:
            for i in range(args.api):
                port = free_port()
                server_procs[f"api{i}"] = procs.start(
                    [hookcast, "api", "--port", str(port)], env, workdir / f"api{i}.log"
                )
                bases.append(f"http://127.0.0.1:{port}")
            for i in range(args.workers):
                server_procs[f"worker{i}"] = procs.start(
                    [hookcast, "worker"], env, workdir / f"worker{i}.log"
                )
        for base in bases:
            wait_http(f"{base}/healthz")
        wait_http(f"http://127.0.0.1:{bot_port}/__arrivals")

        relay_base, relay_tokens, relay = start_relay(procs, env, workdir, args.bots, bot_port)

        async def run() -> tuple[Figures, Figures, float]:
            tokens = await setup_projects(bases[0], args.bots, bot_port)
            limit = await loopback_limit(bot_port, min(args.events, 5000), args.concurrency)
            async with (
                aiohttp.ClientSession() as http,
                http.post(f"http://127.0.0.1:{bot_port}/__reset") as answer,
            ):
                await answer.read()
            ours = await measure(bases, tokens, server_procs, bot_port, args)
            theirs = await measure([relay_base], relay_tokens, {"relay": relay}, bot_port, args)
            return ours, theirs, limit

        ours, theirs, limit = asyncio.run(run())

    topology = "serve" if args.api == 0 else f"{args.api} api + {args.workers} worker"
    offered = (
        f"open loop, {args.rate:g}/s offered" if args.rate else f"closed loop, concurrency {args.concurrency}"
    )
    print(f"e2e: {args.events} push events, {args.bots} bots, {offered}; load {os.getloadavg()[0]:.2f}")
    print(f"  {'':22}{'hookcast':>12}{'naive relay':>14}{'ratio':>8}")
    print(f"  {'':22}{args.database + ' ' + topology:>12}{'(no DB)':>14}")

    def row(label: str, a: float, b: float, unit: str, fmt: str = ".0f") -> None:
        ratio = a / b if b else float("nan")
        print(f"  {label:22}{a:>12{fmt}}{b:>14{fmt}}{ratio:>8.2f}  {unit}")

    row("accepted", ours.accepted_per_s, theirs.accepted_per_s, "events/s")
    row("delivered", ours.delivered_per_s, theirs.delivered_per_s, "events/s")
    print(f"  {'delivered / sent':22}{ours.delivered:>12}{theirs.delivered:>14}   of {args.events}")
    row("answer p50", ours.answer_ms[0], theirs.answer_ms[0], "ms (POST -> 202)", ".1f")
    row("answer p99", ours.answer_ms[1], theirs.answer_ms[1], "ms", ".1f")
    row("latency p50", ours.latency_ms[0], theirs.latency_ms[0], "ms (POST -> bot)", ".1f")
    row("latency p99", ours.latency_ms[1], theirs.latency_ms[1], "ms", ".1f")
    row("idle RSS", ours.idle_rss / 2**20, theirs.idle_rss / 2**20, "MiB (before the load)")
    row("peak RSS", ours.peak_rss / 2**20, theirs.peak_rss / 2**20, "MiB")
    row("CPU per event", sum(ours.cpu_ms.values()), sum(theirs.cpu_ms.values()), "ms (all processes)", ".2f")
    each = ", ".join(f"{name} {ms:.2f}" for name, ms in ours.cpu_ms.items())
    print(f"  {'':22}hookcast by process: {each} ms")
    print(f"  loopback limit: {limit:.0f} requests/s (load process -> fake bot, same concurrency)")


if __name__ == "__main__":
    main()
