"""Telegram end to end against its fake: the integration page and preview, the API's URL check, an
event into a chat's topic, the test button, hostile text, an oversized event, a chat that is gone.

The webhook's chat is a setting (``settings: {"chat_id": ...}``), which the API stores once the
webhook settings are one JSON column (the platform-settings change). Until that is merged the
tests that create a Telegram webhook through the API are strict expected failures: they turn into
failures the moment the API takes the settings, so the marker cannot outlive its reason.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.fakes.platforms.telegram import MIGRATED_CHAT, MISSING_CHAT, html_problem, length_after_entities
from tests.integration.helpers import create_project, create_webhook, eventually, settled
from tests.integration.ui_helpers import ui_client
from tests.markers import numbered_push

HOSTILE = '<b>evil</b> & <a href="https://evil.example">x</a> @all </i> &amp;'


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


async def telegram_webhook(
    client: httpx.AsyncClient, fake: FakePlatformServer, **settings: str
) -> tuple[FakeBot, str, dict[str, Any]]:
    """A project with a Telegram webhook on a new fake bot: the bot, the project's GitLab token
    and the webhook as the API shows it."""
    bot = fake.add_bot("telegram")
    project_id, token = await create_project(client)
    chat = {**bot.settings, **settings}
    webhook = await create_webhook(
        client, project_id, platform="telegram", url=bot.url, branches_to_be_notified="all", settings=chat
    )
    return bot, token, webhook


async def post_push(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> None:
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    answer = await client.post("/hooks/gitlab", json=body, headers=headers)
    assert answer.status_code == 202, answer.text


def texts(bot: FakeBot) -> list[str]:
    return [str(body["text"]) for _, body in bot.received]


async def test_the_integration_page_and_preview_show_telegram(database_url: str, tmp_path: Path) -> None:
    async with ui_client(database_url, tmp_path) as ui:
        await ui.sign_in()
        created = await ui.post("/ui/projects", {"name": "app"})
        found = re.search(r"/ui/projects/(\d+)/", created.text)
        assert created.status_code == 200 and found, created.text
        project = int(found.group(1))
        english = await ui.get(f"/ui/projects/{project}/integrations/telegram")
        chinese = await ui.get(f"/ui/projects/{project}/integrations/telegram?lang=zh_CN")
        assert english.status_code == 200 and chinese.status_code == 200
        assert "Chat ID" in english.text and "Topic ID" in english.text
        assert "聊天 ID" in chinese.text and "话题 ID" in chinese.text
        preview = await ui.get("/ui/preview?platform=telegram&kind=pipeline&language=zh_CN")
        assert preview.status_code == 200
        body = html.unescape(preview.text)
        assert '"parse_mode": "HTML"' in body and '"chat_id": -1001234567890' in body
        assert "流水线" in body


async def test_a_url_that_is_not_a_bot_url_is_refused_naming_the_fix(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("telegram")
    project_id, _ = await create_project(client)
    wrong = bot.url.replace("/sendMessage", "/getUpdates")
    answer = await client.post(
        f"/api/v1/projects/{project_id}/webhooks", json={"platform": "telegram", "url": wrong}
    )
    assert answer.status_code == 422
    assert "a Telegram bot URL looks like" in answer.text and bot.token not in answer.text


async def test_an_event_reaches_the_chats_topic_and_the_token_is_never_shown(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot, token, webhook = await telegram_webhook(client, fake, message_thread_id="7")
    project_id = int(webhook["project_id"])
    assert webhook["url"] == f"{fake.base_url}/bot***/sendMessage"
    await post_push(client, token, numbered_push(1))
    await eventually(lambda: len(bot.received) == 1, what="the message in the topic")
    body = bot.received[0][1]
    assert body["chat_id"] == int(bot.settings["chat_id"]) and body["message_thread_id"] == 7
    assert body["parse_mode"] == "HTML" and body["link_preview_options"] == {"is_disabled": True}
    assert "take 1" in body["text"]
    history = await settled(client, project_id)
    assert history[0]["state"] == "delivered"
    answers = [
        (await client.get(f"/api/v1/webhooks/{webhook['id']}")).text,
        (await client.get(f"/api/v1/projects/{project_id}/webhooks")).text,
        (await client.get(f"/api/v1/projects/{project_id}/deliveries")).text,
    ]
    assert all(bot.token not in text for text in answers)


async def test_the_test_button_posts_a_message(client: httpx.AsyncClient, fake: FakePlatformServer) -> None:
    bot, _, webhook = await telegram_webhook(client, fake)
    answer = (await client.post(f"/api/v1/webhooks/{webhook['id']}/test")).json()
    assert answer["ok"] is True and answer["outcome"] == "delivered", answer
    assert len(bot.received) == 1 and bot.token not in json.dumps(answer)


async def test_hostile_text_arrives_escaped(client: httpx.AsyncClient, fake: FakePlatformServer) -> None:
    bot, token, _ = await telegram_webhook(client, fake)
    push = numbered_push(2)
    push["commits"][0]["message"] = HOSTILE
    push["user_name"] = HOSTILE
    await post_push(client, token, push)
    await eventually(lambda: len(bot.received) == 1, what="the hostile message, accepted")
    (text,) = texts(bot)
    assert html_problem(text) is None and not bot.rejections
    assert "<b>evil</b>" not in text and '<a href="https://evil' not in text and "@all" not in text
    assert "&lt;b&gt;evil&lt;/b&gt;" in text


async def test_an_oversized_event_is_cut_to_fit(client: httpx.AsyncClient, fake: FakePlatformServer) -> None:
    bot, token, _ = await telegram_webhook(client, fake)
    push = numbered_push(3)
    push["commits"] = [
        {**push["commits"][0], "id": f"{n:040x}", "message": f"commit {n} " + "构建 & <x> 😀 " * 400}
        for n in range(20)
    ]
    push["total_commits_count"] = 20
    await post_push(client, token, push)
    await eventually(lambda: len(bot.received) == 1, what="the cut message, accepted")
    (text,) = texts(bot)
    assert length_after_entities(text) <= 4096 and "…" in text and not bot.rejections


@pytest.mark.parametrize(("chat", "words"), [(MISSING_CHAT, "chat not found"), (MIGRATED_CHAT, "-100400")])
async def test_a_chat_that_is_gone_pauses_the_webhook(
    client: httpx.AsyncClient, fake: FakePlatformServer, chat: int, words: str
) -> None:
    bot, token, webhook = await telegram_webhook(client, fake, chat_id=str(chat))
    await post_push(client, token, numbered_push(4))
    history = await settled(client, int(webhook["project_id"]))
    assert history[0]["state"] == "failed" and bot.requests == 1
    view = (await client.get(f"/api/v1/webhooks/{webhook['id']}")).json()
    assert view["paused_until"] is not None and words in str(view["pause_reason"])
