"""hookcast's container image, built here and run as users run it.

The image is built from this checkout by ``scripts/image.sh build local`` (on a Debian base made
locally once per machine, since no registry is reachable here) or reused when its inputs are
unchanged. Then, on the host's network with fake chat bots on 127.0.0.1:

- ``serve`` (the default command) on SQLite in a named volume: ready, healthy by the image's own
  HEALTHCHECK, not root; a GitLab push becomes a Feishu card; SIGTERM while a send is in flight
  reaches hookcast through PID 1 (tini), the send finishes and nothing is left ``sending``.
- the same image as ``migrate``, ``api`` and ``worker`` on PostgreSQL, as compose.yaml runs it.

Its own marker: ``pytest -m container`` or ``make image-test`` runs it alone; ``make test`` runs it
with the rest. A podman that cannot run here is reported as unavailable (a failure under CI=true).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from cryptography.fernet import Fernet

from tests.conftest import fresh_postgres_database
from tests.container.podman import ROOT, USER_ID, Container, Volume, build_image, podman
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually
from tests.markers import numbered_push, numbers_in
from tests.system.cluster import free_port

# A cold machine makes the base and builds the image first (minutes); later runs reuse both.
pytestmark = [pytest.mark.container, pytest.mark.timeout(1500)]

ADMIN_TOKEN = "container-admin-token-0123456789"
GRACE_SECONDS = 20
HOLD_SECONDS = 3  # the bot holds its answer to the message in flight at SIGTERM this long
STOPPED_BY_SIGTERM = (0, 128 + 15)  # uvicorn re-raises the signal once shut down; tini passes it on


@pytest.fixture(scope="module")
def image() -> str:
    return build_image()


@pytest.fixture
async def chat() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


def settings(**more: str) -> dict[str, str]:
    return {
        "HOOKCAST_ADMIN_TOKEN": ADMIN_TOKEN,
        "HOOKCAST_EXTRA_ALLOWED_HOSTS": "127.0.0.1",  # the fake bots
        "HOOKCAST_POLL_INTERVAL": "0.5",
        "HOOKCAST_SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
        "HOOKCAST_LOG_JSON": "false",
        **more,
    }


@contextlib.contextmanager
def removed_afterwards() -> Iterator[list[Container | Volume]]:
    made: list[Container | Volume] = []
    try:
        yield made
    finally:
        for thing in made:  # containers before the volumes they use
            thing.remove()


async def start(made: list[Container | Volume], image: str, *command: str, **kwargs: object) -> Container:
    container = await asyncio.to_thread(Container, image, command, **kwargs)  # type: ignore[arg-type]
    made.insert(0, container)
    return container


async def wait_ready(container: Container, base: str, timeout: float = 120) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient(base_url=base) as http:
        while True:
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/readyz")).status_code == 200:
                    return
            if not await asyncio.to_thread(container.running):
                raise AssertionError(f"the container exited:\n{container.logs()}")
            if loop.time() > deadline:
                raise AssertionError(f"{base}/readyz never answered 200:\n{container.logs()}")
            await asyncio.sleep(0.3)


def admin(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})


async def push(http: httpx.AsyncClient, token: str, n: int) -> None:
    answer = await http.post(
        "/hooks/gitlab",
        json=numbered_push(n),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"},
    )
    assert answer.status_code == 202, answer.text


async def first_card_then_one_in_flight(base: str, bot: FakeBot) -> None:
    """A project and a Feishu webhook through the API; push 0 arrives as a card; push 1's send is
    held by the bot when this returns."""
    async with admin(base) as http:
        project_id, token = await create_project(http)
        await create_webhook(http, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
        await push(http, token, 0)
        await eventually(lambda: len(bot.received) >= 1, timeout=60, what="the first card")
        card = bot.received[0][1]
        assert card["msg_type"] == "interactive" and numbers_in([card]) == [0], card
        bot.script([f"slow:{HOLD_SECONDS}"])
        await push(http, token, 1)
        await eventually(lambda: bot.requests >= 2, timeout=60, what="the second send to be in flight")


# Run inside the image: the checksum of every .py file of the installed hookcast.
INSTALLED_SOURCES = """
import hashlib, json, pathlib, hookcast
top = pathlib.Path(hookcast.__file__).parent
print(json.dumps({p.relative_to(top).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted(top.rglob("*.py"))}))
"""


def test_the_image_holds_this_checkouts_hookcast(image: str) -> None:
    """A build cache that missed a change would leave an older hookcast in a new tag (podman's
    does not look into RUN --mount binds: the Containerfile copies the wheels' checksums first)."""
    shown = podman("run", "--rm", "--entrypoint", "python3", image, "-c", INSTALLED_SOURCES)
    installed = json.loads(shown.stdout)
    top = ROOT / "src" / "hookcast"
    here = {
        p.relative_to(top).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in top.rglob("*.py")
    }
    assert installed == here


def arrived(bot: FakeBot) -> list[int]:
    return numbers_in(body for _, body in bot.received)


async def test_serve_on_sqlite_delivers_a_card_and_stops_on_sigterm_leaving_nothing_sending(
    image: str, chat: FakePlatformServer
) -> None:
    bot = chat.add_bot("feishu")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with removed_afterwards() as made:
        volume = await asyncio.to_thread(Volume)
        made.append(volume)
        container = await start(made, image, env=settings(HOOKCAST_PORT=str(port)), volume=volume.name)
        await wait_ready(container, base)

        health = await asyncio.to_thread(podman, "healthcheck", "run", container.name, check=False)
        assert health.returncode == 0, f"the image's HEALTHCHECK failed: {health.stdout}{health.stderr}"
        user = await asyncio.to_thread(podman, "exec", container.name, "id", "-u")
        assert user.stdout.strip() == str(USER_ID), "runs as the image's user, not root"
        init = await asyncio.to_thread(podman, "exec", container.name, "cat", "/proc/1/cmdline")
        assert init.stdout.split("\0")[:3] == ["/usr/local/bin/tini", "--", "hookcast"], init.stdout

        await first_card_then_one_in_flight(base, bot)
        code = await asyncio.to_thread(container.terminate, GRACE_SECONDS + 30)
        assert code in STOPPED_BY_SIGTERM, f"exit status {code}:\n{container.logs()}"
        assert "Application shutdown complete" in container.logs()
        assert arrived(bot) == [0, 1], "the send in flight at SIGTERM finished"

        database = volume.path() / "hookcast.db"
        assert database.stat().st_uid == USER_ID, "the data in the volume belongs to the image's user"
        with contextlib.closing(sqlite3.connect(database)) as db:
            states = [state for (state,) in db.execute("SELECT state FROM deliveries ORDER BY id")]
        assert states == ["delivered", "delivered"], "nothing left sending"


@pytest.mark.postgres
async def test_the_same_image_runs_migrate_api_and_worker_on_postgresql(
    image: str, chat: FakePlatformServer
) -> None:
    """As compose.yaml runs it: a one-off ``migrate``, then ``api`` and ``worker`` sharing the
    database and the secret key (each in its own container, each with its own data volume)."""
    bot = chat.add_bot("feishu")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with fresh_postgres_database() as url:
        env = settings(HOOKCAST_DATABASE_URL=url, HOOKCAST_SECRET_KEY=Fernet.generate_key().decode())
        with removed_afterwards() as made:
            options = [item for key, value in env.items() for item in ("--env", f"{key}={value}")]
            migrated = await asyncio.to_thread(
                podman, "run", "--rm", "--network", "host", *options, image, "migrate"
            )
            assert "migrations applied" in migrated.stderr

            api = await start(made, image, "api", env=env | {"HOOKCAST_PORT": str(port)}, volume=None)
            worker = await start(made, image, "worker", env=env, volume=None)
            await wait_ready(api, base)
            await first_card_then_one_in_flight(base, bot)

            code = await asyncio.to_thread(worker.terminate, GRACE_SECONDS + 30)
            assert code == 0, f"worker exit status {code}:\n{worker.logs()}"
            assert arrived(bot) == [0, 1], "the send in flight at SIGTERM finished"
            code = await asyncio.to_thread(api.terminate, 60)
            assert code in STOPPED_BY_SIGTERM, f"api exit status {code}:\n{api.logs()}"

        connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            states = [
                row["state"] for row in await connection.fetch("SELECT state FROM deliveries ORDER BY id")
            ]
        finally:
            await connection.close()
        assert states == ["delivered", "delivered"], "nothing left sending"
