"""Real processes on PostgreSQL (and Redis): several ``hookcast api`` and ``hookcast worker``
processes share the work, keep every platform's rate limit between them, and lose nothing when
killed with SIGKILL mid-load."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis.asyncio

from tests.conftest import REDIS_URL, fresh_postgres_database, unavailable
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.markers import numbered_push, numbers_in
from tests.system.cluster import ADMIN_TOKEN, Cluster, free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
async def redis_url() -> str:
    client = redis.asyncio.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as exc:
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    finally:
        await client.aclose()
    return REDIS_URL


@pytest.fixture
async def cluster(tmp_path: Path, redis_url: str) -> AsyncIterator[Cluster]:
    async with fresh_postgres_database() as database_url:
        processes = Cluster(
            tmp_path,
            database_url,
            redis_url=redis_url,
            # Killed workers are found gone by their pid (delivery/claims.py), so the lease is only
            # the last resort; a short one made a starved but living worker lose its rows.
            lease_seconds="30",
            poll_interval="0.5",
            retry_schedule="0,0.5,1,2,4,8",
            cool_down_seconds="1",
        )
        processes.migrate()
        try:
            yield processes
        finally:
            processes.stop()
            await _flush_limits(redis_url)


async def _flush_limits(url: str) -> None:
    client = redis.asyncio.from_url(url)
    try:
        keys = [k async for k in client.scan_iter("hookcast-*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def chat() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


class RemoteBots:
    """Fake Feishu bots served by a process of their own, so that the arrival times they count
    are not skewed by this process's load generator."""

    def __init__(self, count: int, workdir: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fakes.platform_server",
                "--port",
                str(self.port),
                "--bots",
                str(count),
            ],
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert self.process.stdout is not None
        self.urls = [json.loads(self.process.stdout.readline())["url"] for _ in range(count)]

    async def received(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{self.port}/__received") as a:
            result: dict[str, Any] = await a.json()
            return result

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def remote_bots(tmp_path: Path) -> Iterator[RemoteBots]:
    bots = RemoteBots(20, tmp_path)
    try:
        yield bots
    finally:
        bots.stop()


async def configure(base: str, bot_urls: list[str]) -> list[str]:
    """One project per Feishu bot; returns the projects' GitLab tokens."""
    tokens = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as http:
        for i, url in enumerate(bot_urls):
            async with http.post(f"{base}/api/v1/projects", json={"name": f"p{i}"}) as answer:
                project = await answer.json()
            tokens.append(project["gitlab_token"])
            webhook = {"platform": "feishu", "url": url, "branches_to_be_notified": "all"}
            async with http.post(f"{base}/api/v1/projects/{project['id']}/webhooks", json=webhook) as answer:
                assert answer.status == 201, await answer.text()
    return tokens


async def post(
    http: aiohttp.ClientSession, bases: list[str], tokens: list[str], numbers: range, accepted: set[int]
) -> None:
    """Post numbered pushes round-robin; ``accepted`` collects those answered 202."""
    semaphore = asyncio.Semaphore(32)
    base_cycle = itertools.cycle(bases)

    async def one(n: int) -> None:
        headers = {"X-Gitlab-Token": tokens[n % len(tokens)], "X-Gitlab-Event": "Push Hook"}
        async with semaphore:
            try:
                async with http.post(
                    f"{next(base_cycle)}/hooks/gitlab", json=numbered_push(n), headers=headers
                ) as a:
                    if a.status == 202:
                        accepted.add(n)
            except aiohttp.ClientError:
                pass  # a killed API process: not answered, not promised

    await asyncio.gather(*(one(n) for n in numbers))


def delivered(bots: list[FakeBot]) -> Counter[int]:
    return Counter(numbers_in(body for bot in bots for _, body in bot.received))


async def wait_for_all(bots: list[FakeBot], wanted: set[int], cluster: Cluster, timeout: float = 120) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not wanted <= set(delivered(bots)):
        if loop.time() > deadline:
            missing = sorted(wanted - set(delivered(bots)))
            raise AssertionError(
                f"{len(missing)} accepted events never delivered, e.g. {missing[:10]}\n{cluster.logs()}"
            )
        await asyncio.sleep(0.2)


async def test_two_apis_and_three_workers_deliver_exactly_once_within_limits(
    cluster: Cluster, remote_bots: RemoteBots
) -> None:
    bases = [await cluster.start_api(), await cluster.start_api()]
    for _ in range(3):
        cluster.start_worker()
    tokens = await configure(bases[0], remote_bots.urls)
    accepted: set[int] = set()
    async with aiohttp.ClientSession() as http:
        await post(http, bases, tokens, range(5000), accepted)
    assert len(accepted) == 5000
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while True:
        received = await remote_bots.received()
        counts = Counter(numbers_in(body for bot in received.values() for body in bot["bodies"]))
        if set(counts) >= accepted:
            break
        assert loop.time() < deadline, (
            f"{len(accepted - set(counts))} events never delivered\n{cluster.logs()}"
        )
        await asyncio.sleep(0.5)
    assert [n for n, c in counts.items() if c > 1] == [], "no event delivered twice"
    violations = [v for bot in received.values() for v in bot["violations"]]
    assert violations == [], "every bot's 5/s and 100/min held across processes"
    assert sum(len(bot["bodies"]) for bot in received.values()) < 5000, "the backlog went out as digests"


async def test_nothing_accepted_is_lost_when_processes_are_killed(
    cluster: Cluster, chat: FakePlatformServer
) -> None:
    bots = [chat.add_bot("feishu") for _ in range(10)]
    api = await cluster.start_api()
    cluster.start_worker()
    tokens = await configure(api, [bot.url for bot in bots])
    accepted: set[int] = set()
    async with aiohttp.ClientSession() as http:
        load = asyncio.create_task(post(http, [api], tokens, range(0, 600), accepted))
        await asyncio.sleep(0.5)
        cluster.kill_workers()  # 1. the worker, mid-load
        cluster.start_worker()
        await load
        port = int(api.rsplit(":", 1)[1])
        load = asyncio.create_task(post(http, [api], tokens, range(600, 1200), accepted))
        await asyncio.sleep(0.3)
        cluster.kill_api(api)  # 2. the API process, mid-load
        await load
        api = await cluster.start_api(port)
        load = asyncio.create_task(post(http, [api], tokens, range(1200, 1800), accepted))
        await asyncio.sleep(0.3)
        cluster.kill_api(api)  # 3. both at once
        cluster.kill_workers()
        await load
        await cluster.start_api(port)
        cluster.start_worker()
    assert len(accepted) > 400, "a good part of the load was answered"
    await wait_for_all(bots, accepted, cluster)
    counts = delivered(bots)
    duplicates = [n for n, c in counts.items() if c > 1]
    # Only deliveries in flight at a worker kill may go twice: at most one claim batch each time.
    assert len(duplicates) <= 2 * 200, duplicates
