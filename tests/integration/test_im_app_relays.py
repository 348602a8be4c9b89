"""Living messages through the IM apps, on SQLite and PostgreSQL, through `Courier.deliver` as the
worker sends them: a Feishu chat URL's card is posted as a shared card, updated in place and
replied to through the app (`ChatSender`), and a Slack app destination's message is posted,
updated and answered in its thread through the instance's Slack app (`AppRelay`). A message that
can no longer be reached is told apart (`edit_refused`) from other failures; a missing app or a
channel the bot is not in pauses the webhook; no token reaches the record."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.crypto import SecretBox, token_digest
from hookcast.delivery.app_relay import AppRelay
from hookcast.delivery.courier import Courier, Exchange
from hookcast.delivery.egress import instance_policy
from hookcast.delivery.sender import Sender
from hookcast.directmessages import MessengerPool
from hookcast.feishubot.chat_sender import ChatSender
from hookcast.living import MessageMode
from hookcast.messages.digest import render_test_message
from hookcast.messages.model import Message
from hookcast.platforms import get_platform
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpRequest,
    Permanent,
    Platform,
    PlatformName,
    RetryAfter,
    WebhookTarget,
)
from hookcast.platforms.feishu import chat_urls
from hookcast.store.directory import ImAppRow
from hookcast.store.feishu_chats import FeishuChat
from tests.fakes.feishu_open_platform import FakeFeishuOpenPlatform
from tests.fakes.platforms.slack import FakeSlack

CHAT = "oc_backend0001"
CHANNEL = "C0123ABCD9"
BOT_TOKEN = "xoxb-1111-2222-relaysecret"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
FEISHU = get_platform(PlatformName.FEISHU)
SLACK = get_platform(PlatformName.SLACK)


def message(title: str) -> Message:
    return replace(render_test_message("en", "relays", "hookcast"), title=title)


@dataclass
class Relays:
    courier: Courier
    sessions: async_sessionmaker[AsyncSession]
    box: SecretBox

    async def add_app(self, platform: PlatformName, credentials: dict[str, str], base_url: str) -> None:
        async with self.sessions.begin() as session:
            session.add(
                ImAppRow(
                    platform=platform.value,
                    credentials_sealed=self.box.seal(json.dumps(credentials)),
                    public_fields={},
                    api_base_url=base_url,
                    enabled=True,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )

    async def add_chat(self, chat_id: str) -> str:
        """A chat the bot is in, and its chat URL."""
        token = chat_urls.new_token()
        async with self.sessions.begin() as session:
            session.add(
                FeishuChat(
                    platform="feishu",
                    chat_id=chat_id,
                    name="Backend",
                    state="active",
                    token_sealed=self.box.seal(token),
                    token_digest=token_digest(token),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        return chat_urls.chat_url("http://hookcast.test", token)

    async def deliver(self, platform: Platform, url: str, request: HttpRequest) -> Exchange:
        return await self.courier.deliver(platform, WebhookTarget(url), request)


@pytest.fixture
async def relays(store: async_sessionmaker[AsyncSession]) -> AsyncIterator[Relays]:
    from cryptography.fernet import Fernet

    box = SecretBox([Fernet.generate_key()])
    async with Sender(5.0, policy=instance_policy(("127.0.0.1",))) as sender:
        messengers = MessengerPool(box, sender.session)
        courier = Courier(sender, ChatSender(store, messengers), AppRelay(store, messengers))
        yield Relays(courier, store, box)


def ctx(key: str) -> EncodeContext:
    return EncodeContext(1_700_000_000.0, key)


def recorded(exchange: Exchange) -> str:
    return " ".join([exchange.request_url, exchange.request_body, exchange.answer, exchange.error or ""])


# --- Feishu / Lark chat URLs ----------------------------------------------------------------


@pytest.fixture
async def feishu(relays: Relays) -> AsyncIterator[FakeFeishuOpenPlatform]:
    async with FakeFeishuOpenPlatform() as platform:
        platform.add_chat(CHAT, "ou_ann")
        await relays.add_app(PlatformName.FEISHU, dict(platform.credentials), platform.base_url)
        yield platform


async def test_a_chat_urls_card_is_posted_shared_then_updated_in_place_and_replied_to(
    relays: Relays, feishu: FakeFeishuOpenPlatform
) -> None:
    url = await relays.add_chat(CHAT)
    target = WebhookTarget(url)
    assert FEISHU.message_modes(url)[0] is MessageMode.UPDATE

    posted = await relays.deliver(FEISHU, url, FEISHU.encode_post(message("opened"), target, ctx("e1")))
    assert isinstance(posted.outcome, Delivered), posted
    assert posted.response is not None
    ref = FEISHU.posted_ref(posted.response)
    assert ref == feishu.in_chat(CHAT)[0].message_id and ref.startswith("om_")
    assert feishu.card_of(ref)["config"]["update_multi"] is True

    edited = await relays.deliver(FEISHU, url, FEISHU.encode_edit(message("merged"), target, ctx("e2"), ref))
    assert isinstance(edited.outcome, Delivered), edited
    assert feishu.updates == 1 and len(feishu.in_chat(CHAT)) == 1, "updated, not posted again"
    assert feishu.card_of(ref)["header"]["title"]["content"] == "merged"
    assert edited.response is not None and not FEISHU.edit_refused(edited.response)

    replied = await relays.deliver(
        FEISHU, url, FEISHU.encode_reply(message("↳ noted"), target, ctx("e3"), ref)
    )
    assert isinstance(replied.outcome, Delivered), replied
    [_, reply] = feishu.in_chat(CHAT)
    assert reply.reply_to == ref and reply.in_thread and feishu.replies == 1
    assert replied.response is not None and FEISHU.posted_ref(replied.response) == reply.message_id
    assert feishu.calls.problems == []

    token = url.rsplit("/", 1)[1]
    for exchange in (posted, edited, replied):
        assert token not in recorded(exchange) and exchange.request_url.endswith("/feishu/chats/***")


@pytest.mark.parametrize(
    ("spoil", "code"),
    [("recall", 230011), ("age", 230031), ("another_app", 230012), ("unknown", 230001)],
)
async def test_a_card_that_can_no_longer_be_reached_is_refused_and_told_apart(
    relays: Relays, feishu: FakeFeishuOpenPlatform, spoil: str, code: int
) -> None:
    url = await relays.add_chat(CHAT)
    target = WebhookTarget(url)
    posted = await relays.deliver(FEISHU, url, FEISHU.encode_post(message("opened"), target, ctx("e1")))
    assert posted.response is not None
    ref = FEISHU.posted_ref(posted.response)
    if spoil == "recall":
        feishu.recall(ref)
    elif spoil == "age":
        feishu.age(ref, 15)
    elif spoil == "another_app":
        ref = feishu.sent_by_another_app("om_someone_else")
    else:
        ref = "om_never_sent"
    for encode in (FEISHU.encode_edit, FEISHU.encode_reply):
        answer = await relays.deliver(FEISHU, url, encode(message("merged"), target, ctx("e2"), ref))
        assert isinstance(answer.outcome, Permanent) and not answer.outcome.pause, answer
        assert answer.response is not None and FEISHU.edit_refused(answer.response), answer.answer
    assert feishu.refused == [code, code] and feishu.updates == 0 and feishu.replies == 0


async def test_a_card_not_sent_shared_cannot_be_updated_and_that_is_no_refusal(
    relays: Relays, feishu: FakeFeishuOpenPlatform
) -> None:
    """The open platform's check that the card was sent with update_multi: a card hookcast
    posted before it declared it fails the update, and is not mistaken for a recalled one."""
    url = await relays.add_chat(CHAT)
    target = WebhookTarget(url)
    posted = await relays.deliver(FEISHU, url, FEISHU.encode_post(message("opened"), target, ctx("e1")))
    assert posted.response is not None
    ref = FEISHU.posted_ref(posted.response)
    feishu.sent_cards[ref].shared = False
    answer = await relays.deliver(FEISHU, url, FEISHU.encode_edit(message("merged"), target, ctx("e2"), ref))
    assert isinstance(answer.outcome, Permanent) and answer.response is not None
    assert not FEISHU.edit_refused(answer.response) and feishu.refused == [230099]


async def test_a_message_id_that_is_not_one_never_reaches_the_open_platform(
    relays: Relays, feishu: FakeFeishuOpenPlatform
) -> None:
    url = await relays.add_chat(CHAT)
    target = WebhookTarget(url)
    before = feishu.calls.sends
    for ref in ("om_1/../../contact", "om_1?x=1", "", "ou_ann"):
        request = FEISHU.encode_edit(message("merged"), target, ctx("e"), ref)
        answer = await relays.deliver(FEISHU, url, request)
        assert isinstance(answer.outcome, Permanent) and answer.response is None, ref
    edit_by_post = replace(FEISHU.encode_edit(message("merged"), target, ctx("e"), "om_1"), method="POST")
    answer = await relays.deliver(FEISHU, url, edit_by_post)
    assert isinstance(answer.outcome, Permanent) and answer.response is None
    assert feishu.calls.sends == before


async def test_an_update_the_open_platform_throttles_is_retried(
    relays: Relays, feishu: FakeFeishuOpenPlatform
) -> None:
    url = await relays.add_chat(CHAT)
    target = WebhookTarget(url)
    posted = await relays.deliver(FEISHU, url, FEISHU.encode_post(message("opened"), target, ctx("e1")))
    assert posted.response is not None
    feishu.script("rate_limit")
    ref = FEISHU.posted_ref(posted.response)
    answer = await relays.deliver(FEISHU, url, FEISHU.encode_edit(message("merged"), target, ctx("e2"), ref))
    assert isinstance(answer.outcome, RetryAfter) and answer.outcome.throttled, answer


# --- Slack app destinations -----------------------------------------------------------------

SLACK_URL = f"https://slack.com/api/chat.postMessage?channel={CHANNEL}"


@pytest.fixture
async def slack(relays: Relays) -> AsyncIterator[FakeSlack]:
    async with FakeSlack(BOT_TOKEN) as platform:
        platform.add_channel(CHANNEL)
        await relays.add_app(PlatformName.SLACK, {"bot_token": BOT_TOKEN}, platform.base_url)
        yield platform


async def test_a_slack_channel_message_is_posted_updated_and_answered_in_its_thread(
    relays: Relays, slack: FakeSlack
) -> None:
    target = WebhookTarget(SLACK_URL)
    assert SLACK.message_modes(SLACK_URL)[0] is MessageMode.UPDATE

    posted = await relays.deliver(SLACK, SLACK_URL, SLACK.encode_post(message("opened"), target, ctx("e1")))
    assert isinstance(posted.outcome, Delivered), posted
    assert posted.response is not None
    ts = SLACK.posted_ref(posted.response)
    [first] = slack.posted_in(CHANNEL)
    assert ts == first.ts and first.body["attachments"][0]["blocks"][0]["text"]["text"] == "opened"

    edited = await relays.deliver(
        SLACK, SLACK_URL, SLACK.encode_edit(message("merged"), target, ctx("e2"), ts)
    )
    assert isinstance(edited.outcome, Delivered), edited
    assert slack.updates == 1 and slack.channel_posts == 1, "updated, not posted again"
    assert first.body["attachments"][0]["blocks"][0]["text"]["text"] == "merged"

    replied = await relays.deliver(
        SLACK, SLACK_URL, SLACK.encode_reply(message("↳ noted"), target, ctx("e3"), ts)
    )
    assert isinstance(replied.outcome, Delivered), replied
    [_, reply] = slack.posted_in(CHANNEL)
    assert reply.thread_ts == ts and slack.replies == 1
    assert replied.response is not None and SLACK.posted_ref(replied.response) == reply.ts
    assert slack.calls.problems == []

    assert posted.request_url == SLACK_URL == replied.request_url, "no secret in it: shown whole"
    assert edited.request_url == "https://slack.com/api/chat.update"
    for exchange in (posted, edited, replied):
        assert BOT_TOKEN not in recorded(exchange), recorded(exchange)
        assert (
            f'"channel": "{CHANNEL}"' in exchange.request_body
            or f'"channel":"{CHANNEL}"' in exchange.request_body
        )


@pytest.mark.parametrize("spoil", ["deleted", "someone_elses", "edit_window_closed"])
async def test_a_slack_message_that_can_no_longer_be_edited_is_refused_and_told_apart(
    relays: Relays, slack: FakeSlack, spoil: str
) -> None:
    target = WebhookTarget(SLACK_URL)
    posted = await relays.deliver(SLACK, SLACK_URL, SLACK.encode_post(message("opened"), target, ctx("e1")))
    assert posted.response is not None
    ts = SLACK.posted_ref(posted.response)
    if spoil == "deleted":
        slack.in_channels[ts].deleted = True
    elif spoil == "someone_elses":
        ts = slack.someone_elses(CHANNEL)
    else:
        slack.in_channels[ts].edit_window_closed = True
    answer = await relays.deliver(
        SLACK, SLACK_URL, SLACK.encode_edit(message("merged"), target, ctx("e2"), ts)
    )
    assert isinstance(answer.outcome, Permanent) and not answer.outcome.pause, answer
    assert answer.response is not None and SLACK.edit_refused(answer.response), answer.answer
    assert slack.updates == 0


async def test_a_channel_the_bot_is_not_in_pauses_the_webhook_with_the_fix(
    relays: Relays, slack: FakeSlack
) -> None:
    slack.add_channel(CHANNEL, bot_in_it=False)
    target = WebhookTarget(SLACK_URL)
    answer = await relays.deliver(SLACK, SLACK_URL, SLACK.encode_post(message("opened"), target, ctx("e1")))
    assert isinstance(answer.outcome, Permanent) and answer.outcome.pause, answer
    assert "not_in_channel" in answer.outcome.reason and "/invite" in answer.outcome.reason
    assert answer.response is not None and not SLACK.edit_refused(answer.response)


async def test_a_rate_limited_update_is_retried_after_what_slack_said(
    relays: Relays, slack: FakeSlack
) -> None:
    target = WebhookTarget(SLACK_URL)
    posted = await relays.deliver(SLACK, SLACK_URL, SLACK.encode_post(message("opened"), target, ctx("e1")))
    assert posted.response is not None
    slack.script("rate_limit")
    ts = SLACK.posted_ref(posted.response)
    answer = await relays.deliver(
        SLACK, SLACK_URL, SLACK.encode_edit(message("merged"), target, ctx("e2"), ts)
    )
    assert isinstance(answer.outcome, RetryAfter) and answer.outcome.throttled, answer
    assert answer.outcome.seconds == 3.0


async def test_without_a_slack_app_an_app_destination_pauses_with_a_clear_reason(relays: Relays) -> None:
    target = WebhookTarget(SLACK_URL)
    answer = await relays.deliver(SLACK, SLACK_URL, SLACK.encode_post(message("opened"), target, ctx("e1")))
    assert isinstance(answer.outcome, Permanent) and answer.outcome.pause, answer
    assert "no slack IM app is set up" in answer.outcome.reason


async def test_a_wrong_bot_token_pauses_and_never_shows_the_token(relays: Relays) -> None:
    async with FakeSlack("xoxb-the-right-one-0000") as slack:
        slack.add_channel(CHANNEL)
        await relays.add_app(PlatformName.SLACK, {"bot_token": BOT_TOKEN}, slack.base_url)
        target = WebhookTarget(SLACK_URL)
        answer = await relays.deliver(
            SLACK, SLACK_URL, SLACK.encode_post(message("opened"), target, ctx("e1"))
        )
    assert isinstance(answer.outcome, Permanent) and answer.outcome.pause, answer
    assert "invalid_auth" in answer.outcome.reason and BOT_TOKEN not in recorded(answer)
