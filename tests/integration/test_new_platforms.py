"""Google Chat and Mattermost end to end: the API creates the webhook, a GitLab push is delivered
to the platform's fake (which checks what the platform checks), the "send test message" button
works, hostile text arrives neutralised, and an oversized event is cut to fit."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.fixtures import load_fixture
from tests.integration.helpers import create_project, create_webhook, eventually, settled

PLATFORMS = ["google_chat", "mattermost"]
HOSTILE = "<!channel> @all <users/all> <b>bold</b> [x](https://evil.example) <@U024BE7LH> **b** `c`"
# What hostile text must never become: a broadcast, a mention, a tag or a link, or markup in the
# platform's own syntax (HTML in Google Chat cards, markdown in Mattermost).
FORBIDDEN = ["<!channel>", "@all", "<users/all>", "<b>bold", "](https://evil", "<@U024BE7LH>"]
MARKUP = {"google_chat": ["<a href='https://evil", '<a href="https://evil'], "mattermost": ["**b**", "`c`"]}


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


def push(**changes: Any) -> bytes:
    body = json.loads(load_fixture("docs/push.json"))
    body.update(changes)
    return json.dumps(body).encode()


def headers(token: str) -> dict[str, str]:
    return {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"}


async def wire(
    client: httpx.AsyncClient, fake: FakePlatformServer, platform: str
) -> tuple[FakeBot, int, str]:
    bot = fake.add_bot(platform)
    project_id, token = await create_project(client)
    created = await create_webhook(
        client, project_id, platform=platform, url=bot.url, branches_to_be_notified="all"
    )
    assert created["platform"] == platform
    assert bot.token not in json.dumps(created), "the webhook's secret part is redacted in API answers"
    return bot, project_id, token


async def delivered(client: httpx.AsyncClient, bot: FakeBot, token: str, body: bytes) -> str:
    """The one message ``body`` made, as the fake received it (which found nothing to refuse)."""
    assert (await client.post("/hooks/gitlab", content=body, headers=headers(token))).status_code == 202
    await eventually(lambda: len(bot.received) == 1, what="the message")
    assert bot.rejections == [], "the fake refused nothing: shape, tags and limits are the platform's"
    return json.dumps(bot.received[0][1], ensure_ascii=False)


def card_text(platform: str, body: dict[str, Any]) -> str:
    return json.dumps(
        body["cardsV2"] if platform == "google_chat" else body["attachments"], ensure_ascii=False
    )


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_a_push_is_delivered_to_the_platform(
    client: httpx.AsyncClient, fake: FakePlatformServer, platform: str
) -> None:
    bot, project_id, token = await wire(client, fake, platform)
    answer = await client.post("/hooks/gitlab", content=push(), headers=headers(token))
    assert answer.status_code == 202, answer.text
    await eventually(lambda: len(bot.received) == 1, what="the message")
    assert bot.rejections == []
    body = bot.received[0][1]
    assert "Administrator" in card_text(platform, body) or "John Smith" in card_text(platform, body)
    history = await settled(client, project_id)
    assert history[0]["state"] == "delivered"
    assert history[0]["attempt_log"][0]["status_code"] == 200
    assert bot.token not in json.dumps(history), "the webhook's secret part is redacted in delivery records"


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_the_test_button_reports_the_platform_answer(
    client: httpx.AsyncClient, fake: FakePlatformServer, platform: str
) -> None:
    bot, project_id, _ = await wire(client, fake, platform)
    hook = (await client.get(f"/api/v1/projects/{project_id}/webhooks")).json()[0]
    ok = (await client.post(f"/api/v1/webhooks/{hook['id']}/test")).json()
    assert ok["ok"] is True and ok["status_code"] == 200, ok
    assert len(bot.received) == 1
    bot.script(["permanent"])
    refused = (await client.post(f"/api/v1/webhooks/{hook['id']}/test")).json()
    assert refused["ok"] is False and refused["outcome"] == "permanent", refused
    assert refused["status_code"] == 404
    assert bot.token not in json.dumps(refused)


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_hostile_text_arrives_neutralised(
    client: httpx.AsyncClient, fake: FakePlatformServer, platform: str
) -> None:
    bot, _, token = await wire(client, fake, platform)
    commits = json.loads(push())["commits"]
    for commit in commits:
        commit["message"] = commit["title"] = HOSTILE
        commit["author"]["name"] = HOSTILE
    sent = await delivered(client, bot, token, push(user_name=HOSTILE, commits=commits))
    for token_ in FORBIDDEN + MARKUP[platform]:
        assert token_ not in sent, token_


@pytest.mark.parametrize("platform", PLATFORMS)
async def test_an_oversized_event_is_cut_to_fit(
    client: httpx.AsyncClient, fake: FakePlatformServer, platform: str
) -> None:
    bot, _, token = await wire(client, fake, platform)
    commits = json.loads(push())["commits"]
    for number, commit in enumerate(commits * 10):
        commits.append(dict(commit, id=f"{number:040x}", message="构建 build 😀 " * 4000, title="题" * 3000))
    sent = await delivered(client, bot, token, push(commits=commits, total_commits_count=len(commits)))
    assert "…" in sent


async def test_a_mattermost_url_on_a_private_host_is_refused(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    path = f"/api/v1/projects/{project_id}/webhooks"
    for url in (
        "https://10.0.0.5/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw",
        "https://169.254.169.254/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw",
        "https://localhost/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw",
    ):
        answer = await client.post(path, json={"platform": "mattermost", "url": url})
        assert answer.status_code == 422, answer.text
        detail = answer.json()["detail"][0]
        assert detail["loc"] == ["body", "url"] and "public host" in detail["msg"]
        assert "xr3j5x3p4pfptjqy7bjqyc4uxw" not in answer.text
    public = await client.post(
        path,
        json={"platform": "mattermost", "url": "https://chat.example.org/hooks/xr3j5x3p4pfptjqy7bjqyc4uxw"},
    )
    assert public.status_code == 201, public.text
    assert public.json()["url"] == "https://chat.example.org/***"
