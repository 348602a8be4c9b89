"""The assistant bot's use cases. Each event is worked off in two steps, so that no database
transaction is held open across a call to Feishu:

1. `membership_question`: which (chat, person) must be checked with the open platform first,
   if any (``get_webhook`` and ``unbind`` are for the chat's members only);
2. `apply`: in one transaction, change the chats (and the webhooks bound to them) and queue what
   the bot must send (`FeishuBotMessage` rows, sent by the runner with retries).

- bot added -> the chat is stored (or back to active; webhooks paused by its removal resume),
  and the welcome card is queued;
- ``get_webhook`` from a member -> the chat's token is created (or the existing one kept), its
  URL sent privately to the asker, and a short reply posted in the chat; a stranger is refused;
- ``unbind`` from a member -> the token is revoked and the webhooks using it are paused;
- bot removed -> the chat is marked gone and the webhooks bound to it are paused with a reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.crypto import SecretBox, token_digest
from hookcast.events import Tone
from hookcast.feishubot import cards
from hookcast.feishubot.commands import Command, CommandName, mentions_anyone, parse_command
from hookcast.feishubot.pushed import BotAdded, BotEvent, BotRemoved, MessageReceived, Unhandled
from hookcast.messages.model import Message
from hookcast.platforms.base import PlatformName
from hookcast.platforms.feishu import chat_urls as urls
from hookcast.store import outbox
from hookcast.store.feishu_chats import FeishuBotMessage, FeishuChat
from hookcast.store.tables import Webhook

ACTIVE = "active"
GONE = "gone"
PAUSED_FOREVER = timedelta(days=36500)
REMOVED_MARK = "the assistant bot was removed from the chat"
REVOKED_MARK = "the chat webhook URL was revoked"
# The pause reasons (English, for the API and logs); the web UI reads them back to translate them.
REMOVED_REASON = REMOVED_MARK + " “{chat}” ({chat_id}); add the bot to the chat again to resume"
REVOKED_REASON = REVOKED_MARK + " (unbind in “{chat}”); send get_webhook for a new one"
_CJK = re.compile(r"[\u3400-\u9fff]")


class Membership(StrEnum):
    MEMBER = "member"
    STRANGER = "stranger"
    BOT_NOT_IN_CHAT = "bot not in chat"


@dataclass(frozen=True, slots=True)
class Context:
    platform: PlatformName
    base_url: str  # the public URL, or the base of the request the event came in
    box: SecretBox
    now: datetime
    key: str  # the event id: makes the queued messages' de-duplication keys


@dataclass(frozen=True, slots=True)
class Question:
    chat_id: str
    open_id: str


def language_hint(text: str) -> str | None:
    """A chat (or message) written in Chinese is answered in Chinese; otherwise unknown."""
    return "zh_CN" if _CJK.search(text) else None


def command_of(event: MessageReceived) -> Command | None:
    """The command a message gives the bot, or None when it is not for the bot."""
    if event.sender_type not in ("user", ""):
        return None
    command = parse_command(event.text, event.mentions)
    if event.chat_type != "group":
        return command or Command(CommandName.HELP)
    mentioned = mentions_anyone(event.text, event.mentions)
    if command is None:
        return Command(CommandName.HELP) if mentioned else None
    return command if mentioned or command.leading else None


def target_chat(event: MessageReceived, command: Command) -> str | None:
    """The group chat a command is about: the chat it was sent in, or (in a private chat with
    the bot) the chat id given after the command."""
    if event.chat_type == "group":
        return event.chat_id
    return command.argument if command.argument and command.argument.startswith("oc_") else None


def membership_question(event: BotEvent) -> Question | None:
    if not isinstance(event, MessageReceived) or event.sender_open_id is None:
        return None
    command = command_of(event)
    if command is None or command.name is CommandName.HELP:
        return None
    chat_id = target_chat(event, command)
    return Question(chat_id, event.sender_open_id) if chat_id else None


async def apply(
    session: AsyncSession, ctx: Context, event: BotEvent, membership: Membership | None = None
) -> str:
    """Do what ``event`` asks for; what was done, for the event's record."""
    if isinstance(event, BotAdded):
        return await _bot_added(session, ctx, event)
    if isinstance(event, BotRemoved):
        return await _bot_removed(session, ctx, event)
    if isinstance(event, Unhandled):
        return f"ignored: {event.event_type}"
    return await _message(session, ctx, event, membership)


# --- the events -------------------------------------------------------------------------------


async def _bot_added(session: AsyncSession, ctx: Context, event: BotAdded) -> str:
    chat = await find_chat(session, ctx.platform, event.chat_id)
    if chat is None:
        chat = FeishuChat(
            platform=ctx.platform.value,
            chat_id=event.chat_id,
            created_at=ctx.now,
            language=language_hint(event.chat_name),
        )
        session.add(chat)
    chat.name = event.chat_name[:300]
    chat.state = ACTIVE
    chat.added_by = event.operator_open_id
    chat.updated_at = ctx.now
    resumed = 0
    if chat.token_sealed:
        token = ctx.box.open(chat.token_sealed)
        for webhook in await bound_webhooks(session, ctx.box, token):
            if (webhook.pause_reason or "").startswith(REMOVED_MARK):
                outbox.resume(webhook, ctx.now)
                resumed += 1
    await session.flush()
    _queue(session, ctx, "chat_id", event.chat_id, "welcome", cards.welcome(ctx.base_url, chat.language))
    return f"welcomed in {event.chat_id}" + (f"; {resumed} webhook(s) resumed" if resumed else "")


async def _bot_removed(session: AsyncSession, ctx: Context, event: BotRemoved) -> str:
    chat = await find_chat(session, ctx.platform, event.chat_id)
    if chat is None:
        return f"removed from {event.chat_id}, a chat hookcast did not know"
    chat.state = GONE
    chat.updated_at = ctx.now
    paused = 0
    if chat.token_sealed:
        reason = REMOVED_REASON.format(chat=chat.name or chat.chat_id, chat_id=chat.chat_id)
        paused = _pause(await bound_webhooks(session, ctx.box, ctx.box.open(chat.token_sealed)), reason, ctx)
    return f"removed from {event.chat_id}; {paused} webhook(s) paused"


async def _message(
    session: AsyncSession, ctx: Context, event: MessageReceived, membership: Membership | None
) -> str:
    command = command_of(event)
    if command is None:
        return "not for the bot"
    private = event.chat_type != "group"
    language = language_hint(event.text)
    reply_to = ("open_id", event.sender_open_id or "") if private else ("chat_id", event.chat_id)
    if command.name is CommandName.HELP:
        _queue(session, ctx, *reply_to, "help", cards.help_card(ctx.base_url, language))
        return "help sent"
    chat_id = target_chat(event, command)
    if chat_id is None or event.sender_open_id is None:
        _queue(session, ctx, *reply_to, "ask_in_chat", cards.note(cards.ASK_IN_CHAT, language))
        return f"{command.name.value} outside a group chat, without a chat id"
    chat = await find_chat(session, ctx.platform, chat_id)
    if membership is Membership.BOT_NOT_IN_CHAT or (chat is not None and chat.state == GONE and private):
        _queue(session, ctx, *reply_to, "not_in_chat", cards.note(cards.NOT_IN_CHAT, language))
        return f"{command.name.value}: the bot is not in {chat_id}"
    if membership is not Membership.MEMBER:
        _queue(session, ctx, *reply_to, "refused", cards.note(cards.REFUSED, language, Tone.WARNING))
        return f"{command.name.value} refused: {event.sender_open_id} is not a member of {chat_id}"
    if chat is None:  # the bot was added before hookcast listened: the chat is learnt now
        chat = FeishuChat(
            platform=ctx.platform.value, chat_id=chat_id, name="", state=ACTIVE, created_at=ctx.now
        )
        session.add(chat)
    chat.state = ACTIVE
    chat.updated_at = ctx.now
    language = language or chat.language
    if command.name is CommandName.UNBIND:
        return await _unbind(session, ctx, chat, reply_to, language)
    token = ctx.box.open(chat.token_sealed) if chat.token_sealed else None
    if token is None:
        token = urls.new_token()
        chat.token_sealed = ctx.box.seal(token)
        chat.token_digest = token_digest(token)
    await session.flush()
    url = urls.chat_url(ctx.base_url, token)
    card = cards.webhook_url(ctx.platform, url, chat.name, ctx.base_url, language)
    _queue(session, ctx, "open_id", event.sender_open_id, "webhook_url", card)
    if not private:
        reply = cards.sent_privately(ctx.platform, event.sender_open_id, language)
        _queue(session, ctx, "chat_id", chat_id, "sent_privately", reply)
    return f"webhook URL of {chat_id} sent to {event.sender_open_id}"


async def _unbind(
    session: AsyncSession, ctx: Context, chat: FeishuChat, reply_to: tuple[str, str], language: str | None
) -> str:
    if not chat.token_sealed:
        _queue(session, ctx, *reply_to, "unbind", cards.note(cards.NOTHING_TO_UNBIND, language))
        return f"unbind: {chat.chat_id} had no URL"
    token = ctx.box.open(chat.token_sealed)
    reason = REVOKED_REASON.format(chat=chat.name or chat.chat_id)
    paused = _pause(await bound_webhooks(session, ctx.box, token), reason, ctx)
    chat.token_sealed = None
    chat.token_digest = None
    await session.flush()
    _queue(session, ctx, *reply_to, "unbind", cards.note(cards.UNBOUND, language, Tone.NEUTRAL))
    return f"unbind: the URL of {chat.chat_id} revoked; {paused} webhook(s) paused"


# --- chats and the webhooks bound to them -----------------------------------------------------


async def find_chat(session: AsyncSession, platform: PlatformName, chat_id: str) -> FeishuChat | None:
    chat: FeishuChat | None = await session.scalar(
        select(FeishuChat).where(FeishuChat.platform == platform.value, FeishuChat.chat_id == chat_id)
    )
    return chat


async def chat_by_token(session: AsyncSession, token: str) -> FeishuChat | None:
    chat: FeishuChat | None = await session.scalar(
        select(FeishuChat).where(FeishuChat.token_digest == token_digest(token))
    )
    return chat


async def bound_webhooks(session: AsyncSession, box: SecretBox, token: str) -> list[Webhook]:
    """The Feishu / Lark webhooks whose URL is the chat URL with ``token`` (whatever its base)."""
    candidates = await session.scalars(
        select(Webhook).where(Webhook.platform.in_([p.value for p in urls.CHAT_PLATFORMS]))
    )
    return [w for w in candidates if urls.chat_token(box.open(w.url_sealed)) == token]


def _pause(webhooks: Sequence[Webhook], reason: str, ctx: Context) -> int:
    for webhook in webhooks:
        outbox.pause(webhook, ctx.now + PAUSED_FOREVER, reason, ctx.now)
    return len(webhooks)


def _queue(
    session: AsyncSession,
    ctx: Context,
    receive_id_type: str,
    receive_id: str,
    purpose: str,
    message: Message,
) -> None:
    uuid = hashlib.sha256(f"{ctx.platform.value}:{ctx.key}:{purpose}".encode()).hexdigest()[:40]
    card = cards.card_json(ctx.platform, message, uuid)
    session.add(
        FeishuBotMessage(
            platform=ctx.platform.value,
            receive_id_type=receive_id_type,
            receive_id=receive_id,
            purpose=purpose,
            card_sealed=ctx.box.seal(json.dumps(card, ensure_ascii=False)),
            uuid=uuid,
            state=outbox.State.PENDING,
            attempts=0,
            next_attempt_at=ctx.now,
            created_at=ctx.now,
            updated_at=ctx.now,
        )
    )
