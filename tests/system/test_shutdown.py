"""Stopping and crashing mid-send, with real processes and a fake bot that holds its answer.

- SIGTERM while a send is in flight: the process lets it finish (within
  ``HOOKCAST_SHUTDOWN_GRACE_SECONDS``), records it, gives the rest back and exits; after a
  restart the bot has every message exactly once, in order.
- A send that outlasts the grace is cut off and given back: it goes out again (the one
  at-least-once window), and nothing waits for a lease.
- SIGKILL mid-send: the restarted process takes the dead one's rows back at once instead of
  waiting for their lease (60 s here).

On SQLite with ``hookcast serve``, and on PostgreSQL with ``hookcast api`` and ``hookcast worker``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_postgres_database
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, deliveries, eventually
from tests.markers import numbered_push, numbers_in
from tests.system.cluster import ADMIN_TOKEN, Cluster, free_port

EVENTS = 5
HOLD_SECONDS = 3  # the bot holds its answer to the first message this long
GRACE_SECONDS = 10
LEASE_SECONDS = 60  # a test that had to wait for a lease would time out first
# How a process that stopped on SIGTERM exits: ``worker`` with 0; ``serve`` (uvicorn) raises the
# signal again once it has shut down, as a shell expects.
STOPPED = (0, -signal.SIGTERM)


class Deployment:
    """hookcast on one database: ``serve`` on SQLite, or ``api`` and ``worker`` on PostgreSQL.
    ``sender`` is the process that delivers."""

    def __init__(self, cluster: Cluster, split: bool) -> None:
        self.cluster = cluster
        self.split = split
        self.port = free_port()
        self.base = ""
        self.sender: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        if self.split:
            if not self.base:
                self.base = await self.cluster.start_api(self.port)
            self.sender = self.cluster.start_worker()
        else:
            self.base, self.sender = await self.cluster.start_serve(self.port)

    async def signal_sender(self, signum: signal.Signals) -> int:
        """Send ``signum`` to the delivering process; its exit code once it is gone."""
        assert self.sender is not None
        self.sender.send_signal(signum)
        try:
            return await asyncio.to_thread(self.sender.wait, GRACE_SECONDS + 30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"hookcast did not stop\n{self.cluster.logs()}") from None

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="serve-on-sqlite"),
        pytest.param("postgresql", id="worker-on-postgresql", marks=pytest.mark.postgres),
    ]
)
async def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Deployment]:
    settings = {
        "lease_seconds": str(LEASE_SECONDS),
        "shutdown_grace_seconds": str(GRACE_SECONDS),
        "poll_interval": "0.5",
        "enforce_rate_limits": "false",  # one message per request: the order is plain to see
    }
    async with contextlib.AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}"
        else:
            url = await stack.enter_async_context(fresh_postgres_database())
        cluster = Cluster(tmp_path, url, **settings)
        stack.callback(cluster.stop)
        yield Deployment(cluster, split=request.param == "postgresql")


@pytest.fixture
async def chat() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


async def start_with_one_send_in_flight(deployment: Deployment, bot: FakeBot, hold: float) -> int:
    """hookcast running, EVENTS pushes accepted for one webhook, the first one's send held by the
    bot. Returns the project id."""
    bot.script([f"slow:{hold}"])
    await deployment.start()
    async with deployment.client() as http:
        project_id, token = await create_project(http)
        await create_webhook(http, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
        for n in range(EVENTS):
            answer = await http.post(
                "/hooks/gitlab",
                json=numbered_push(n),
                headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"},
            )
            assert answer.status_code == 202, answer.text
    await eventually(lambda: bot.requests >= 1, timeout=30, what="the first send to be in flight")
    return project_id


async def all_delivered(deployment: Deployment, project_id: int, timeout: float) -> list[dict[str, object]]:
    """Every delivery of the project once it is ``delivered`` (fails after ``timeout`` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with deployment.client() as http:
        while True:
            rows = await deliveries(http, project_id)
            if len(rows) == EVENTS and all(row["state"] == "delivered" for row in rows):
                return rows
            if loop.time() > deadline:
                states = sorted((int(str(row["id"])), str(row["state"])) for row in rows)
                raise AssertionError(f"not all delivered: {states}\n{deployment.cluster.logs()}")
            await asyncio.sleep(0.2)


def arrived(bot: FakeBot) -> list[int]:
    return numbers_in(body for _, body in bot.received)


def first_arrivals(numbers: list[int]) -> list[int]:
    return list(dict.fromkeys(numbers))


async def test_sigterm_lets_the_send_in_flight_finish_and_a_restart_sends_the_rest_once_in_order(
    deployment: Deployment, chat: FakePlatformServer
) -> None:
    bot = chat.add_bot("feishu")
    project_id = await start_with_one_send_in_flight(deployment, bot, HOLD_SECONDS)

    assert await deployment.signal_sender(signal.SIGTERM) in STOPPED
    assert arrived(bot) == [0], "the send in flight finished before the process left; no other began"

    await deployment.start()
    rows = await all_delivered(deployment, project_id, timeout=30)
    assert arrived(bot) == list(range(EVENTS)), "each message exactly once, in order"
    assert [row["attempts"] for row in rows] == [1] * EVENTS, "given back untouched, sent once"


async def test_a_send_outlasting_the_grace_is_cut_off_and_given_back(
    deployment: Deployment, chat: FakePlatformServer
) -> None:
    deployment.cluster.env["HOOKCAST_SHUTDOWN_GRACE_SECONDS"] = "1"
    bot = chat.add_bot("feishu")
    project_id = await start_with_one_send_in_flight(deployment, bot, hold=8)

    assert await deployment.signal_sender(signal.SIGTERM) in STOPPED

    await deployment.start()
    rows = await all_delivered(deployment, project_id, timeout=30)
    numbers = arrived(bot)
    assert first_arrivals(numbers) == list(range(EVENTS)), "in order"
    counts = Counter(numbers)
    assert [counts[n] for n in range(1, EVENTS)] == [1] * (EVENTS - 1), "only the cut-off one may repeat"
    assert [row["attempts"] for row in rows] == [1] * EVENTS, "the cut-off attempt was not counted"


async def test_after_sigkill_a_restart_takes_the_dead_processs_deliveries_back_before_the_lease(
    deployment: Deployment, chat: FakePlatformServer
) -> None:
    bot = chat.add_bot("feishu")
    project_id = await start_with_one_send_in_flight(deployment, bot, HOLD_SECONDS)

    await deployment.signal_sender(signal.SIGKILL)
    await deployment.start()
    # A third of the lease: the old behaviour (wait for the lease) cannot pass this.
    await all_delivered(deployment, project_id, timeout=LEASE_SECONDS / 3)
    numbers = arrived(bot)
    assert first_arrivals(numbers) == list(range(EVENTS)), "in order"
    counts = Counter(numbers)
    assert [counts[n] for n in range(1, EVENTS)] == [1] * (EVENTS - 1), "only the one in flight may repeat"
