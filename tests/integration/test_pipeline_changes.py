"""Pipelines that say what changed, end to end: GitLab pipeline hooks in, cards out to the fake
Feishu, with hookcast remembering each ref's last result in the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hookcast.store.tables import PipelineResult
from tests.fakes.platform_server import FakePlatformServer
from tests.fakes.platforms.base import FakeBot
from tests.fixtures import load_fixture_json
from tests.integration.helpers import create_project, create_webhook, eventually

SAMPLE = load_fixture_json("docs/pipeline.json")


@pytest.fixture
async def feishu() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


def pipeline_body(pipeline_id: int, status: str, ref: str = "master", minute: int | None = None) -> bytes:
    payload: dict[str, Any] = copy.deepcopy(SAMPLE)
    attrs = payload["object_attributes"]
    attrs.update(
        id=pipeline_id,
        status=status,
        ref=ref,
        finished_at=f"2026-11-29 10:{minute if minute is not None else pipeline_id % 60:02d}:00 UTC",
    )
    attrs.pop("url", None)
    return json.dumps(payload).encode()


async def send(client: httpx.AsyncClient, token: str, body: bytes) -> None:
    headers = {
        "X-Gitlab-Token": token,
        "X-Gitlab-Event": "Pipeline Hook",
        "X-Gitlab-Event-UUID": str(uuid.uuid4()),
        "Content-Type": "application/json",
    }
    answer = await client.post("/hooks/gitlab", content=body, headers=headers)
    assert answer.status_code == 202, answer.text


def titles(bot: FakeBot) -> list[str]:
    return [str(card["card"]["header"]["title"]["content"]) for _, card in bot.received]


async def pipelines_webhook(
    client: httpx.AsyncClient, feishu: FakePlatformServer, **fields: Any
) -> tuple[FakeBot, str, int]:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="feishu",
        url=bot.url,
        triggers=["pipeline"],
        branches_to_be_notified="all",
        **fields,
    )
    return bot, token, project_id


async def received(bot: FakeBot, count: int) -> list[str]:
    await eventually(lambda: len(bot.received) >= count, what=f"{count} cards")
    return titles(bot)


async def test_a_pass_after_a_failure_says_fixed_and_a_second_failure_still_failing(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot, token, _ = await pipelines_webhook(client, feishu)
    await send(client, token, pipeline_body(40, "failed"))
    await received(bot, 1)
    await send(client, token, pipeline_body(41, "failed"))
    await received(bot, 2)
    await send(client, token, pipeline_body(42, "success"))
    await received(bot, 3)
    await send(client, token, pipeline_body(43, "success"))
    assert await received(bot, 4) == [
        "Pipeline #40 failed on master",
        "Still failing: Pipeline #41 failed on master",
        "Fixed: Pipeline #42 passed on master",
        "Pipeline #43 passed on master",
    ]
    fixed = bot.received[2][1]
    assert fixed["card"]["header"]["template"] == "green"


async def test_chinese_webhooks_say_fixed_in_chinese(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot, token, _ = await pipelines_webhook(client, feishu, language="zh_CN")
    await send(client, token, pipeline_body(50, "failed"))
    await received(bot, 1)
    await send(client, token, pipeline_body(51, "success"))
    assert (await received(bot, 2))[1] == "已修复：master 上的流水线 #51 已通过"


async def test_a_late_older_pipeline_neither_changes_nor_overwrites_the_ref(
    client: httpx.AsyncClient, feishu: FakePlatformServer, engine: AsyncEngine
) -> None:
    bot, token, project_id = await pipelines_webhook(client, feishu)
    await send(client, token, pipeline_body(62, "failed"))
    await received(bot, 1)
    await send(client, token, pipeline_body(63, "success"))
    await received(bot, 2)
    await send(client, token, pipeline_body(61, "failed"))  # finished long ago, delivered late
    await received(bot, 3)
    await send(client, token, pipeline_body(64, "failed"))
    assert await received(bot, 4) == [
        "Pipeline #62 failed on master",
        "Fixed: Pipeline #63 passed on master",
        "Pipeline #61 failed on master",
        "Pipeline #64 failed on master",  # broken again after #63's pass, not "still failing"
    ]
    async with engine.connect() as connection:
        rows = (
            await connection.execute(select(PipelineResult).where(PipelineResult.project_id == project_id))
        ).all()
    assert [(r.ref, r.pipeline_id, r.status, r.previous_status) for r in rows] == [
        ("refs/heads/master", 64, "failed", "success")
    ]


async def test_a_retried_pipeline_that_passes_later_is_fixed(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot, token, _ = await pipelines_webhook(client, feishu)
    await send(client, token, pipeline_body(70, "failed", minute=1))
    await received(bot, 1)
    await send(client, token, pipeline_body(70, "success", minute=9))  # its failed job retried
    await received(bot, 2)
    await send(client, token, pipeline_body(70, "success", minute=9))  # the same hook again
    assert await received(bot, 3) == [
        "Pipeline #70 failed on master",
        "Fixed: Pipeline #70 passed on master",
        "Pipeline #70 passed on master",
    ]


async def test_each_ref_keeps_its_own_result(client: httpx.AsyncClient, feishu: FakePlatformServer) -> None:
    bot, token, _ = await pipelines_webhook(client, feishu)
    await send(client, token, pipeline_body(80, "failed", ref="feature"))
    await received(bot, 1)
    await send(client, token, pipeline_body(81, "success", ref="master"))
    await received(bot, 2)
    await send(client, token, pipeline_body(82, "success", ref="feature"))
    assert await received(bot, 3) == [
        "Pipeline #80 failed on feature",
        "Pipeline #81 passed on master",
        "Fixed: Pipeline #82 passed on feature",
    ]


async def test_canceled_pipelines_are_not_remembered(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot, token, _ = await pipelines_webhook(client, feishu)
    await send(client, token, pipeline_body(90, "failed"))
    await received(bot, 1)
    await send(client, token, pipeline_body(91, "canceled"))
    await received(bot, 2)
    await send(client, token, pipeline_body(92, "success"))
    assert (await received(bot, 3))[2] == "Fixed: Pipeline #92 passed on master"


async def test_a_broken_and_fixed_webhook_gets_the_first_failure_and_the_fix_only(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    changes, token, project_id = await pipelines_webhook(
        client, feishu, pipelines_to_be_notified="broken_and_fixed"
    )
    every = feishu.add_bot("feishu")
    await create_webhook(
        client,
        project_id,
        platform="feishu",
        url=every.url,
        triggers=["pipeline"],
        branches_to_be_notified="all",
    )
    for pipeline_id, status in (
        (100, "success"),
        (101, "failed"),
        (102, "failed"),
        (103, "success"),
        (104, "success"),
    ):
        await send(client, token, pipeline_body(pipeline_id, status))
        await received(every, pipeline_id - 99)
    await send(client, token, pipeline_body(105, "failed"))
    await received(every, 6)
    assert titles(changes) == [
        "Pipeline #101 failed on master",
        "Fixed: Pipeline #103 passed on master",
        "Pipeline #105 failed on master",
    ]


async def test_the_api_takes_the_pipeline_filter_and_gitlabs_boolean(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/0f3c8a52-pipelines"
    legacy = await create_webhook(
        client, project_id, platform="feishu", url=url, notify_only_broken_pipelines=True
    )
    assert legacy["pipelines_to_be_notified"] == "broken" and legacy["notify_only_broken_pipelines"] is True
    plain = await create_webhook(client, project_id, platform="feishu", url=url + "2")
    assert plain["pipelines_to_be_notified"] == "all" and plain["notify_only_broken_pipelines"] is False
    path = f"/api/v1/webhooks/{legacy['id']}"

    async def patched(**fields: object) -> dict[str, Any]:
        answer = await client.patch(path, json=fields)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    assert (await patched(pipelines_to_be_notified="broken_and_fixed"))[
        "notify_only_broken_pipelines"
    ] is False
    kept = await patched(notify_only_broken_pipelines=False)  # "not only broken": still broken and fixed
    assert kept["pipelines_to_be_notified"] == "broken_and_fixed"
    assert (await patched(notify_only_broken_pipelines=True))["pipelines_to_be_notified"] == "broken"
    assert (await patched(notify_only_broken_pipelines=False))["pipelines_to_be_notified"] == "all"
    assert (await patched(active=True))["pipelines_to_be_notified"] == "all"
    refused = await client.patch(path, json={"pipelines_to_be_notified": "sometimes"})
    assert refused.status_code == 422
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert schema["PipelineFilter"]["enum"] == ["all", "broken_and_fixed", "broken"]


async def test_pipelines_arriving_together_leave_the_newest_remembered(
    client: httpx.AsyncClient, feishu: FakePlatformServer, engine: AsyncEngine
) -> None:
    _, token, project_id = await pipelines_webhook(client, feishu)
    statuses = {pipeline_id: ("failed" if pipeline_id % 3 else "success") for pipeline_id in range(200, 212)}
    order = [205, 211, 200, 203, 209, 201, 210, 202, 207, 204, 206, 208]  # one batch or several
    await asyncio.gather(*(send(client, token, pipeline_body(i, statuses[i])) for i in order))  # all stored
    async with engine.connect() as connection:
        row = (
            await connection.execute(select(PipelineResult).where(PipelineResult.project_id == project_id))
        ).one()
    assert (row.pipeline_id, row.status) == (211, statuses[211])


@pytest.mark.parametrize("pipeline_id", [2**63, -5, "31a", 0])
async def test_a_pipeline_id_hookcast_cannot_order_is_sent_plainly(
    client: httpx.AsyncClient, feishu: FakePlatformServer, pipeline_id: object
) -> None:
    bot, token, _ = await pipelines_webhook(client, feishu)
    await send(client, token, pipeline_body(40, "failed"))
    await received(bot, 1)
    payload = json.loads(pipeline_body(41, "failed"))
    payload["object_attributes"]["id"] = pipeline_id
    await send(client, token, json.dumps(payload).encode())
    assert not (await received(bot, 2))[1].startswith("Still failing")
