"""What the IM apps send for living messages is what the platforms accept: every rendered
fixture event, encoded for a Slack app destination (post, chat.update, thread reply) and for a
Feishu chat URL (shared card, update, reply), is taken by the fake platform's checks (Slack's
block rules and errors; the open platform's update_multi, 30 KB, sender checks). And the bot
token never leaves the relay, even when the Web API echoes it back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from cryptography.fernet import Fernet
from tests.fakes.feishu_open_platform import FakeFeishuOpenPlatform
from tests.fakes.platforms.slack import FakeSlack
from tests.golden.cases import events

from hookcast.crypto import SecretBox
from hookcast.delivery.app_relay import AppRelay
from hookcast.delivery.egress import guarded_session, instance_policy
from hookcast.directmessages import MessengerPool, build
from hookcast.feishubot.client import BotApi
from hookcast.messages.model import LANGUAGES
from hookcast.messages.render import render
from hookcast.platforms import get_platform
from hookcast.platforms.base import Delivered, EncodeContext, Permanent, PlatformName, WebhookTarget
from hookcast.platforms.feishu import chat_urls
from hookcast.store.directory import ImAppRow

CHANNEL = "C0123ABCD9"
SLACK_URL = f"https://slack.com/api/chat.postMessage?channel={CHANNEL}"
TOKEN = "xoxb-0000-1111-contract"
CTX = EncodeContext(1_700_000_000.0, "contract")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with guarded_session(instance_policy(("127.0.0.1",)), timeout=aiohttp.ClientTimeout(5)) as session:
        yield session


def messages() -> list[tuple[str, Any]]:
    return [(name, render(event, language)) for name, event in events().items() for language in LANGUAGES]


async def test_every_fixture_is_posted_updated_and_answered_in_a_slack_channel(
    http: aiohttp.ClientSession,
) -> None:
    slack = get_platform(PlatformName.SLACK)
    target = WebhookTarget(SLACK_URL)
    async with FakeSlack(TOKEN) as fake:
        fake.add_channel(CHANNEL)
        app = build(PlatformName.SLACK, {"bot_token": TOKEN}, http, fake.base_url)
        for name, message in messages():
            answer, outcome = await app.relay(slack.encode_post(message, target, CTX))
            assert isinstance(outcome, Delivered) and answer is not None, (name, outcome)
            ts = str(answer.data["ts"])
            for encode in (slack.encode_edit, slack.encode_reply):
                answer, outcome = await app.relay(encode(message, target, CTX, ts))
                assert isinstance(outcome, Delivered), (name, encode.__name__, outcome)
    assert fake.calls.problems == []
    assert fake.updates == len(messages()) and fake.replies == len(messages())


async def test_every_fixture_is_a_shared_card_the_open_platform_updates_and_answers(
    http: aiohttp.ClientSession,
) -> None:
    feishu = get_platform(PlatformName.FEISHU)
    target = WebhookTarget(chat_urls.chat_url("https://hookcast.example.com", "fc" + "1" * 48))
    async with FakeFeishuOpenPlatform() as fake:
        fake.add_chat("oc_1")
        api = BotApi(build(PlatformName.FEISHU, dict(fake.credentials), http, fake.base_url))
        for name, message in messages():
            card = json.loads(feishu.encode_post(message, target, CTX).body)["card"]
            answer, outcome = await api.send_card("chat_id", "oc_1", card)
            assert isinstance(outcome, Delivered) and answer is not None, (name, outcome)
            message_id = str(answer.data["data"]["message_id"])
            edited = json.loads(feishu.encode_edit(message, target, CTX, message_id).body)["card"]
            _, outcome = await api.update_card(message_id, edited)
            assert isinstance(outcome, Delivered), (name, outcome)
            replied = json.loads(feishu.encode_reply(message, target, CTX, message_id).body)["card"]
            _, outcome = await api.reply_card(message_id, replied, in_thread=True)
            assert isinstance(outcome, Delivered), (name, outcome)
    assert fake.calls.problems == [] and fake.refused == []
    assert fake.updates == len(messages()) and fake.replies == len(messages())


async def echo_token(request: web.Request) -> web.Response:
    """A Web API that throws the caller's token back in its error and headers."""
    said = request.headers.get("Authorization", "")
    return web.json_response({"ok": False, "error": said, "warning": said}, headers={"X-Said": said})


async def test_an_api_echoing_the_bot_token_gets_it_into_no_reason_nor_answer(tmp_path: Any) -> None:
    from hookcast.store import migrate
    from hookcast.store.db import create_engine, session_factory

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo_token)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'relay.db'}")
    try:
        await migrate.upgrade(engine)
        sessions = session_factory(engine)
        box = SecretBox([Fernet.generate_key()])
        from hookcast.clock import utcnow

        async with sessions.begin() as session:
            now = utcnow()
            sealed = box.seal(json.dumps({"bot_token": TOKEN}))
            session.add(
                ImAppRow(
                    platform="slack",
                    credentials_sealed=sealed,
                    public_fields={},
                    api_base_url=f"http://127.0.0.1:{port}",
                    enabled=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        slack = get_platform(PlatformName.SLACK)
        message = render(next(iter(events().values())), "en")
        async with guarded_session(instance_policy(("127.0.0.1",)), timeout=aiohttp.ClientTimeout(5)) as http:
            relay = AppRelay(sessions, MessengerPool(box, http))
            response, outcome = await relay.send(
                slack.encode_post(message, WebhookTarget(SLACK_URL), CTX), PlatformName.SLACK
            )
    finally:
        await engine.dispose()
        await runner.cleanup()
    assert isinstance(outcome, Permanent) and response is not None
    shown = outcome.reason + response.body.decode()
    assert "Bearer" in shown and TOKEN not in shown, shown
