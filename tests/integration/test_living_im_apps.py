"""Living messages end to end through the worker on the destinations that edit or thread besides
Discord, on SQLite and PostgreSQL: a merge request's lifetime (opened, approved, merged) posted to
``/hooks/gitlab`` is one card sent then updated twice in a Feishu chat (a chat URL, delivered
through the Feishu app by `ChatSender`), one ``chat.postMessage`` then two ``chat.update`` in a
Slack channel (a Slack app destination, through the instance's Slack app), one Telegram message
edited twice, and one Google Chat thread of three messages (thread mode); the last state carries
the history line."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox, token_digest
from hookcast.platforms.feishu import chat_urls
from hookcast.store.feishu_chats import FeishuChat
from tests.fakes.feishu_open_platform import FakeFeishuOpenPlatform
from tests.fakes.platform_server import FakePlatformServer
from tests.fakes.platforms.slack import FakeSlack
from tests.fakes.platforms.telegram import chats
from tests.integration.helpers import create_project, create_webhook, settled
from tests.integration.test_living_messages import post_mr
from tests.integration.test_pipeline_changes import pipeline_body
from tests.integration.test_pipeline_changes import send as send_pipeline

CHAT = "oc_living0001"
CHANNEL = "C0LIVING01"
BOT_TOKEN = "xoxb-1111-2222-livingsecret"
HISTORY = "opened by Ann → approved by Bob → merged by Cy"
LIFETIME = (("open", "Ann"), ("approved", "Bob"), ("merge", "Cy"))


def shown(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


async def lifetime(client: httpx.AsyncClient, project_id: int, token: str) -> None:
    """The merge request's three events, posted at once (the later ones wait for the first)."""
    for action, actor in LIFETIME:
        await post_mr(client, token, action, actor)
    rows = await settled(client, project_id, 3)
    assert [row["state"] for row in rows] == ["delivered"] * 3, rows


async def put_app(client: httpx.AsyncClient, platform: str, credentials: dict[str, str], base: str) -> None:
    saved = await client.put(
        f"/api/v1/im-apps/{platform}", json={"credentials": credentials, "api_base_url": base}
    )
    assert saved.status_code == 200, saved.text


async def chat_url_of(client: httpx.AsyncClient, chat_id: str) -> str:
    """A chat the assistant bot is in, and the chat URL it would hand out for it."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    sessions: async_sessionmaker[AsyncSession] = runtime.sessions
    box: SecretBox = runtime.box
    token = chat_urls.new_token()
    now = utcnow()
    async with sessions.begin() as session:
        session.add(
            FeishuChat(
                platform="feishu",
                chat_id=chat_id,
                name="Backend",
                state="active",
                token_sealed=box.seal(token),
                token_digest=token_digest(token),
                created_at=now,
                updated_at=now,
            )
        )
    return chat_urls.chat_url("http://hookcast.test", token)


@pytest.fixture
async def feishu(client: httpx.AsyncClient) -> AsyncIterator[FakeFeishuOpenPlatform]:
    async with FakeFeishuOpenPlatform() as platform:
        platform.add_chat(CHAT, "ou_ann")
        await put_app(client, "feishu", dict(platform.credentials), platform.base_url)
        yield platform


@pytest.fixture
async def slack(client: httpx.AsyncClient) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(BOT_TOKEN) as platform:
        platform.add_channel(CHANNEL)
        await put_app(client, "slack", {"bot_token": BOT_TOKEN}, platform.base_url)
        yield platform


async def test_a_merge_request_is_one_feishu_card_in_a_chat_updated_twice(
    client: httpx.AsyncClient, feishu: FakeFeishuOpenPlatform
) -> None:
    url = await chat_url_of(client, CHAT)
    project_id, token = await create_project(client)
    hook = await create_webhook(client, project_id, platform="feishu", url=url, triggers=["merge_request"])
    assert hook["message_mode"] == "update", hook
    await lifetime(client, project_id, token)
    [card] = feishu.in_chat(CHAT)
    assert (feishu.updates, feishu.replies, feishu.refused) == (2, 0, [])
    assert "opened by" not in shown(card.card)  # the first card has no history yet
    assert HISTORY in shown(feishu.card_of(card.message_id))
    assert feishu.calls.problems == []


async def test_a_merge_request_is_one_slack_app_message_updated_twice(
    client: httpx.AsyncClient, slack: FakeSlack
) -> None:
    project_id, token = await create_project(client)
    url = f"https://slack.com/api/chat.postMessage?channel={CHANNEL}"
    hook = await create_webhook(client, project_id, platform="slack", url=url, triggers=["merge_request"])
    assert hook["message_mode"] == "update", hook
    await lifetime(client, project_id, token)
    [message] = slack.posted_in(CHANNEL)
    assert (slack.channel_posts, slack.updates, slack.replies) == (1, 2, 0)
    assert HISTORY in shown(message.body)
    assert slack.calls.problems == []
    rows = (await client.get(f"/api/v1/projects/{project_id}/deliveries")).json()
    assert all(BOT_TOKEN not in shown(row) for row in rows)


async def test_a_merge_request_is_one_telegram_message_edited_twice(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("telegram")
    project_id, token = await create_project(client)
    hook = await create_webhook(
        client,
        project_id,
        platform="telegram",
        url=bot.url,
        triggers=["merge_request"],
        settings=bot.settings,
    )
    assert hook["message_mode"] == "update", hook
    await lifetime(client, project_id, token)
    assert (bot.counts["posts"], bot.counts["edits"], bot.counts["replies"]) == (1, 2, 0)
    assert bot.rejections == [] and bot.violations == []
    [kept] = chats(bot).values()
    [message] = kept.values()
    assert HISTORY in str(message["text"])
    assert "opened by" not in str(bot.received[0][1]["text"])


async def test_a_merge_request_is_one_google_chat_thread_of_three_messages(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("google_chat")
    project_id, token = await create_project(client)
    hook = await create_webhook(
        client,
        project_id,
        platform="google_chat",
        url=bot.url,
        triggers=["merge_request"],
        message_mode="thread",
    )
    assert hook["message_mode"] == "thread", hook
    await lifetime(client, project_id, token)
    assert (bot.counts["posts"], bot.counts["threads"], bot.counts["replies"]) == (3, 1, 2)
    assert bot.rejections == [] and bot.violations == []
    bodies = [shown(body) for _, body in bot.received]
    keys = {body["thread"]["threadKey"] for _, body in bot.received}
    assert len(keys) == 1 and "gitlab-test" not in next(iter(keys))  # opaque, one per object
    assert "↳" not in bodies[0] and all("↳" in body for body in bodies[1:]), bodies


async def test_google_chat_follow_ups_are_not_threaded(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    """Only thread mode names the object's thread: follow-ups are messages of their own."""
    bot = fake.add_bot("google_chat")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="google_chat",
        url=bot.url,
        triggers=["merge_request"],
        message_mode="follow_up",
    )
    await lifetime(client, project_id, token)
    assert (bot.counts["posts"], bot.counts["threads"], bot.counts["replies"]) == (3, 3, 0)
    assert all("thread" not in body for _, body in bot.received)
    bodies = [shown(body) for _, body in bot.received]
    assert "↳" not in bodies[0] and all("↳" in body for body in bodies[1:]), bodies


async def test_a_failure_edits_the_card_and_replies_once_in_its_thread(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    """An edit notifies nobody: a pipeline that fails after waiting for a manual job edits its
    message and says so in a reply to it; the delivery is one, delivered, and the attempt
    records the reply."""
    bot = fake.add_bot("telegram")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="telegram",
        url=bot.url,
        triggers=["pipeline"],
        branches_to_be_notified="all",
        settings=bot.settings,
    )
    await send_pipeline(client, token, pipeline_body(90, "manual"))
    await settled(client, project_id, 1)
    assert (bot.counts["posts"], bot.counts["edits"], bot.counts["replies"]) == (1, 0, 0)
    await send_pipeline(client, token, pipeline_body(90, "failed"))
    rows = await settled(client, project_id, 2)
    assert [row["state"] for row in rows] == ["delivered"] * 2, rows
    assert (bot.counts["posts"], bot.counts["edits"], bot.counts["replies"]) == (2, 1, 1)
    assert bot.rejections == [] and bot.violations == []
    [kept] = chats(bot).values()
    card, reply = kept[1], kept[2]
    assert "failed" in str(card["text"]) and "→" in str(card["text"])  # the card, with its history
    reply_body = bot.received[-1][1]
    assert reply_body["reply_parameters"]["message_id"] == 1
    assert "↳" in str(reply["text"]) and "↳" not in str(card["text"])
    assert len(str(reply["text"])) < len(str(card["text"]))  # compact
    failed = max(rows, key=lambda row: row["id"])
    attempts = failed["attempt_log"]
    assert len(attempts) == 1 and "thread reply: delivered" in attempts[0]["response_excerpt"], attempts
    # A later success edits again, without a reply.
    await send_pipeline(client, token, pipeline_body(90, "success"))
    await settled(client, project_id, 3)
    assert (bot.counts["posts"], bot.counts["edits"], bot.counts["replies"]) == (2, 2, 1)


@pytest.mark.parametrize("reply", ["lands", "throttled"])
async def test_a_slack_failure_replies_in_the_thread_and_a_lost_reply_fails_nothing(
    client: httpx.AsyncClient, slack: FakeSlack, reply: str
) -> None:
    """The edit decides the delivery: a reply that Slack throttles is not retried (that would
    edit the card again for nothing); the attempt says what became of it."""
    project_id, token = await create_project(client)
    url = f"https://slack.com/api/chat.postMessage?channel={CHANNEL}"
    await create_webhook(
        client, project_id, platform="slack", url=url, triggers=["pipeline"], branches_to_be_notified="all"
    )
    await send_pipeline(client, token, pipeline_body(91, "manual"))
    await settled(client, project_id, 1)
    if reply == "throttled":
        slack.script("pass", "rate_limit")  # the edit passes, the reply is throttled
    await send_pipeline(client, token, pipeline_body(91, "failed"))
    rows = await settled(client, project_id, 2)
    assert [row["state"] for row in rows] == ["delivered"] * 2, rows
    [attempt] = max(rows, key=lambda row: row["id"])["attempt_log"]
    [card, *replies] = slack.posted_in(CHANNEL)
    assert slack.updates == 1 and "→" in shown(card.body)
    if reply == "lands":
        assert [r.thread_ts for r in replies] == [card.ts] and slack.replies == 1
        assert "↳" in shown(replies[0].body) and "↳" not in shown(card.body)
        assert "thread reply: delivered" in attempt["response_excerpt"]
    else:
        assert replies == [] and slack.replies == 0
        assert "thread reply not delivered" in attempt["response_excerpt"], attempt
        assert attempt["outcome"] == "delivered" and BOT_TOKEN not in shown(attempt)


async def test_a_feishu_chat_failure_updates_the_card_and_replies_in_its_thread(
    client: httpx.AsyncClient, feishu: FakeFeishuOpenPlatform
) -> None:
    url = await chat_url_of(client, CHAT)
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="feishu", url=url, triggers=["pipeline"], branches_to_be_notified="all"
    )
    await send_pipeline(client, token, pipeline_body(92, "manual"))
    await settled(client, project_id, 1)
    await send_pipeline(client, token, pipeline_body(92, "failed"))
    rows = await settled(client, project_id, 2)
    assert [row["state"] for row in rows] == ["delivered"] * 2, rows
    [card, reply] = feishu.in_chat(CHAT)
    assert (feishu.updates, feishu.replies, feishu.refused) == (1, 1, [])
    assert reply.reply_to == card.message_id and reply.in_thread
    assert "→" in shown(feishu.card_of(card.message_id)) and "↳" in reply.text
