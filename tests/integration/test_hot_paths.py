"""The shortcuts on the busy paths keep their promises: the hooks' fast lane answers as the
documented routes do, events accepted in-process reach the worker without a read-back (and
others are read back), and a backlog over the in-flight cap is drained without waiting for the
polling fallback. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookcast.delivery import claimer as claimer_module
from hookcast.delivery import worker as worker_module
from tests.conftest import make_settings, running_client
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually, settled
from tests.markers import numbered_push, numbers_in


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


def markers(bot: FakeBot) -> list[int]:
    return numbers_in(body for _, body in bot.received)


async def post_pushes(client: httpx.AsyncClient, token: str, numbers: range) -> None:
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    answers = await asyncio.gather(
        *(client.post("/hooks/gitlab", json=numbered_push(n), headers=headers) for n in numbers)
    )
    assert [a.status_code for a in answers] == [202] * len(numbers)


async def test_the_hooks_are_still_documented_and_other_methods_reach_the_router(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "post" in paths["/hooks/gitlab"] and "post" in paths["/hooks/alertmanager"]
    parameters = {p["name"].lower() for p in paths["/hooks/gitlab"]["post"]["parameters"]}
    assert {"x-gitlab-token", "x-gitlab-event", "x-gitlab-event-uuid"} <= parameters
    assert (await client.get("/hooks/gitlab")).status_code == 405


async def test_the_fast_lane_answers_accepted_duplicate_and_refusals(client: httpx.AsyncClient) -> None:
    _, token = await create_project(client)
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "u-1"}
    first = await client.post("/hooks/gitlab", json=numbered_push(1), headers=headers)
    assert first.status_code == 202
    assert first.headers["content-type"] == "application/json"
    body = first.json()
    assert body == {"status": "accepted", "event_id": body["event_id"], "deliveries": 0, "reason": None}
    again = await client.post("/hooks/gitlab", json=numbered_push(1), headers=headers)
    assert again.json()["status"] == "duplicate" and again.json()["event_id"] == body["event_id"]
    wrong = await client.post("/hooks/gitlab", json=numbered_push(1), headers={"X-Gitlab-Token": "nope"})
    assert wrong.status_code == 401 and wrong.json() == {"detail": "unknown or missing token"}
    alert = await client.post(
        "/hooks/alertmanager", content=b"{not json", headers={"Authorization": f"Bearer {token}"}
    )
    assert alert.status_code == 400


async def test_events_accepted_here_are_handed_over_and_others_read_back(
    client: httpx.AsyncClient, fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_back: list[set[int]] = []
    load_events = claimer_module._load_events

    async def counting(session: Any, ids: set[int]) -> Any:
        read_back.append(set(ids))
        return await load_events(session, ids)

    monkeypatch.setattr(claimer_module, "_load_events", counting)
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await post_pushes(client, token, range(5))
    history = await settled(client, project_id, count=5)
    assert sorted(markers(bot)) == list(range(5))
    assert read_back == [], "events accepted by this process were not read back from the database"

    resent = await client.post(f"/api/v1/deliveries/{history[0]['id']}/resend")
    assert resent.status_code == 202
    await eventually(lambda: len(bot.received) == 6, what="the resent card")
    assert read_back == [{history[0]["event_id"]}], "a resend's event is read back"
    assert len(markers(bot)) == 6 and set(markers(bot)) == set(range(5))


async def test_a_backlog_over_the_in_flight_cap_drains_without_the_polling_fallback(
    database_url: str, tmp_path: Path, fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "MAX_IN_FLIGHT", 8)
    # The fallback poll would come only after 60 s: everything must go out on wake-ups alone.
    settings = make_settings(database_url, tmp_path, poll_interval=60.0, claim_batch=4)
    async with running_client(settings) as client:
        bots = [fake.add_bot("feishu") for _ in range(3)]
        tokens = []
        for bot in bots:
            project_id, token = await create_project(client, name=f"p{len(tokens)}")
            await create_webhook(
                client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all"
            )
            tokens.append(token)
        await asyncio.gather(*(post_pushes(client, t, range(20)) for t in tokens))
        await eventually(
            lambda: all(sorted(set(markers(bot))) == list(range(20)) for bot in bots),
            timeout=40,
            what="all 60 events, each bot holding more than the in-flight cap",
        )
