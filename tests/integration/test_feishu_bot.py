"""The Feishu assistant bot end to end, on SQLite and PostgreSQL, against a fake open platform:
the URL check, refused requests, the welcome card, get_webhook for a member (private URL, short
group reply) and for a stranger, a re-sent event handled once, the chat URL used as a project's
Feishu webhook (a GitLab push arrives in the chat through the app), unbind, and the bot removed."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.fakes.feishu_open_platform import FakeFeishuOpenPlatform, encrypt
from tests.fixtures import load_fixture
from tests.integration.helpers import create_project, create_webhook, deliveries, eventually

CHAT = "oc_backend0001"
ANN, BOB, STRANGER = "ou_ann", "ou_bob", "ou_stranger"
CHAT_URL = re.compile(r"http://hookcast\.test/feishu/chats/fc[0-9a-f]{48}")
PUSH = load_fixture("docs/push.json")


@pytest.fixture
async def feishu(client: httpx.AsyncClient) -> AsyncIterator[FakeFeishuOpenPlatform]:
    async with FakeFeishuOpenPlatform() as platform:
        platform.add_chat(CHAT, ANN, BOB)
        saved = await client.put(
            "/api/v1/im-apps/feishu",
            json={"credentials": dict(platform.credentials), "api_base_url": platform.base_url},
        )
        assert saved.status_code == 200, saved.text
        keys = await client.put(
            "/api/v1/feishu-bot/feishu/keys",
            json={"verification_token": platform.verification_token, "encrypt_key": platform.encrypt_key},
        )
        assert keys.status_code == 200, keys.text
        assert keys.json() == {"platform": "feishu", "verification_token_set": True, "encrypt_key_set": True}
        yield platform


def urls_in(text: str) -> list[str]:
    return CHAT_URL.findall(text)


async def get_url(client: httpx.AsyncClient, feishu: FakeFeishuOpenPlatform, asker: str) -> str:
    before = len(feishu.to_person(asker))
    answer = await feishu.push(client, feishu.message_event(CHAT, asker, "get_webhook"))
    assert answer.status_code == 200, answer.text
    await eventually(lambda: len(feishu.to_person(asker)) > before, what="the private message")
    [url] = urls_in(feishu.to_person(asker)[-1].text)
    return url


async def test_the_url_check_is_answered_and_bad_requests_are_refused(
    client: httpx.AsyncClient, feishu: FakeFeishuOpenPlatform
) -> None:
    check = {"challenge": "ch-42", "token": feishu.verification_token, "type": "url_verification"}
    answer = await feishu.push(client, check)
    assert answer.status_code == 200 and answer.json() == {"challenge": "ch-42"}

    wrong_token = feishu.envelope("im.chat.member.bot.added_v1", {"chat_id": CHAT})
    wrong_token["header"]["token"] = "not-the-token"
    assert (await feishu.push(client, wrong_token)).status_code == 401

    body, headers = feishu.wire(feishu.envelope("im.chat.member.bot.added_v1", {"chat_id": CHAT}))
    headers["X-Lark-Signature"] = "0" * 64
    assert (await client.post("/hooks/feishu/events", content=body, headers=headers)).status_code == 401

    other_key = json.dumps({"encrypt": encrypt("another-key", json.dumps(check).encode())}).encode()
    assert (await client.post("/hooks/feishu/events", content=other_key)).status_code == 400

    plain = json.dumps(feishu.envelope("im.chat.member.bot.added_v1", {"chat_id": CHAT})).encode()
    assert (await client.post("/hooks/feishu/events", content=plain)).status_code == 401

    unset = await feishu.push(client, check, path="/hooks/lark/events")
    # No Lark keys: nothing listens there (a stranger's push is not a server error to alert on).
    assert unset.status_code == 404, "no Lark keys are set"
    assert "Verification Token is not set" in unset.json()["detail"]
    assert feishu.messages == []


async def test_the_whole_flow(client: httpx.AsyncClient, feishu: FakeFeishuOpenPlatform) -> None:
    # 1. The bot joins the chat and greets it, in both languages (the chat's is not known).
    assert (await feishu.bot_added(client, CHAT, "Backend team", ANN)).status_code == 200
    await eventually(lambda: len(feishu.in_chat(CHAT)) == 1, what="the welcome card")
    welcome = feishu.in_chat(CHAT)[0].text
    assert "Hello, I am the hookcast assistant" in welcome and "你好，我是 hookcast 小助手" in welcome
    assert "http://hookcast.test/guide/feishu" in welcome
    guide = await client.get("/guide/feishu?lang=zh_CN")
    assert guide.status_code == 200 and "get_webhook" in guide.text and "flow.svg" in guide.text
    picture = await client.get("/guide/feishu/images/flow.svg")
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/svg+xml")

    # 2. A member asks for the URL: it comes privately; the chat gets a short note mentioning her.
    event = feishu.message_event(CHAT, ANN, "get_webhook", event_id="evt-get-1")
    assert (await feishu.push(client, event)).json() == {"status": "accepted"}
    await eventually(lambda: len(feishu.to_person(ANN)) == 1, what="the private URL")
    [url] = urls_in(feishu.to_person(ANN)[0].text)
    await eventually(lambda: len(feishu.in_chat(CHAT)) == 2, what="the group note")
    note = feishu.in_chat(CHAT)[1].text
    assert "in a private message" in note and f"<at id={ANN}></at>" in note and not urls_in(note)

    # Feishu re-sends the same event: handled once.
    assert (await feishu.push(client, event)).json() == {"status": "duplicate"}
    # Asking again (a new event) returns the same URL.
    assert await get_url(client, feishu, BOB) == url

    # 3. A stranger, privately naming the chat, is refused politely.
    stranger = feishu.message_event(
        STRANGER, STRANGER, f"get_webhook {CHAT}", chat_type="p2p", mention_bot=False
    )
    stranger["event"]["message"]["chat_id"] = "oc_p2p_stranger"
    assert (await feishu.push(client, stranger)).status_code == 200
    await eventually(lambda: len(feishu.to_person(STRANGER)) == 1, what="the refusal")
    refusal = feishu.to_person(STRANGER)[0].text
    assert "Only members of this chat" in refusal and not urls_in(refusal)

    # 4. The URL is a project's Feishu webhook: a GitLab push arrives in the chat through the app.
    project_id, token = await create_project(client)
    webhook = await create_webhook(client, project_id, platform="feishu", url=url, language="zh_CN")
    assert str(webhook["url"]).endswith("/feishu/chats/***"), (
        "the chat token is hidden like any webhook secret"
    )
    pushed = await client.post(
        "/hooks/gitlab",
        content=PUSH,
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"},
    )
    assert pushed.status_code == 202, pushed.text
    await eventually(lambda: len(feishu.in_chat(CHAT)) == 3, what="the push in the chat")
    card = feishu.in_chat(CHAT)[2].card
    assert card["header"]["template"] == "green"
    for _ in range(400):
        rows = await deliveries(client, project_id)
        if [r["state"] for r in rows] == ["delivered"]:
            break
        await asyncio.sleep(0.03)
    assert [r["state"] for r in rows] == ["delivered"]

    def test_messages() -> list[str]:
        return [m.text for m in feishu.in_chat(CHAT) if "hookcast" in m.text and "测试" in m.text]

    assert test_messages() == []
    tested = (await client.post(f"/api/v1/webhooks/{webhook['id']}/test")).json()
    assert tested["ok"] is True, "Send test message also goes through the app into the chat"
    await eventually(lambda: len(test_messages()) == 1, what="the test message in the chat")
    assert feishu.calls.problems == []

    # 5. The bot is removed: the webhook is paused with the reason; added back, it resumes.
    await feishu.bot_removed(client, CHAT, "Backend team", ANN)
    state = await _webhook_eventually(
        client, int(str(webhook["id"])), lambda w: w["pause_reason"] is not None
    )
    assert "removed from the chat" in state["pause_reason"] and "Backend team" in state["pause_reason"]
    feishu.add_chat(CHAT, ANN, BOB)
    await feishu.bot_added(client, CHAT, "Backend team", ANN)
    await _webhook_eventually(client, int(str(webhook["id"])), lambda w: w["pause_reason"] is None)

    # 6. unbind revokes the URL: the webhook is paused; get_webhook then hands out a new URL.
    await feishu.push(client, feishu.message_event(CHAT, BOB, "UNBIND"))
    state = await _webhook_eventually(
        client, int(str(webhook["id"])), lambda w: w["pause_reason"] is not None
    )
    assert "revoked" in state["pause_reason"]
    await eventually(lambda: any("revoked" in m.text for m in feishu.in_chat(CHAT)), what="the unbind reply")
    assert await get_url(client, feishu, ANN) != url


async def test_a_message_without_a_command_gets_help_and_chatter_is_ignored(
    client: httpx.AsyncClient, feishu: FakeFeishuOpenPlatform
) -> None:
    await feishu.push(client, feishu.message_event(CHAT, ANN, "what can you do?"))
    await eventually(lambda: len(feishu.in_chat(CHAT)) == 1, what="the help card")
    assert "get_webhook" in feishu.in_chat(CHAT)[0].text and "unbind" in feishu.in_chat(CHAT)[0].text
    await feishu.push(client, feishu.message_event(CHAT, ANN, "lunch at noon?", mention_bot=False))
    await feishu.push(client, feishu.message_event(CHAT, BOB, "Help", mention_bot=False))
    await eventually(lambda: len(feishu.in_chat(CHAT)) == 2, what="help, asked without a mention")
    assert len(feishu.in_chat(CHAT)) == 2


async def _webhook_eventually(
    client: httpx.AsyncClient, webhook_id: int, check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for _ in range(400):
        state = (await client.get(f"/api/v1/webhooks/{webhook_id}")).json()
        if check(state):
            return state
        await asyncio.sleep(0.03)
    raise AssertionError(f"the webhook never reached the expected state: {state}")
