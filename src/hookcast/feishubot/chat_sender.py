"""Delivering a Feishu / Lark webhook whose URL is a chat URL handed out by the bot: the card the
platform encoded for the group webhook is posted into the chat by the app
(``im/v1/messages?receive_id_type=chat_id``). The worker calls `ChatSender.send` in place of the
HTTP post and records the attempt as usual (retries, rate limits, pauses, history).

A living message's later events reach the card posted earlier: a ``PATCH`` carrying
`chat_urls.EDIT_HEADER` updates that card in place, a ``POST`` carrying `chat_urls.REPLY_HEADER`
replies in its thread (see `platforms/feishu/chat_urls.py`). The answer is the open platform's,
so that the platform reads the new card's ``message_id`` from it (`Feishu.posted_ref`) and tells
a card that can no longer be reached (`Feishu.edit_refused`)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.directmessages import MessengerPool
from hookcast.feishubot import service
from hookcast.feishubot.runner import bot_api
from hookcast.platforms.base import Delivered, HttpRequest, HttpResponse, Outcome, Permanent, PlatformName
from hookcast.platforms.feishu import chat_urls as urls
from hookcast.platforms.text import json_bytes
from hookcast.platforms.url_secrets import scrub


class ChatSender:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], messengers: MessengerPool) -> None:
        self._sessions = sessions
        self._messengers = messengers

    @staticmethod
    def serves(platform: PlatformName) -> bool:
        """Whether ``platform``'s relayed URLs are chat URLs (the others go through `AppRelay`)."""
        return platform in urls.CHAT_PLATFORMS

    async def send(self, request: HttpRequest, platform: PlatformName) -> tuple[HttpResponse | None, Outcome]:
        """Post the encoded card into the chat ``request.url`` names: the platform's answer (when
        there was one) and its outcome."""
        token = urls.chat_token(request.url)
        if token is None or platform not in urls.CHAT_PLATFORMS:
            return None, Permanent("not a chat webhook URL of this hookcast", pause=True)
        async with self._sessions() as session:
            chat = await service.chat_by_token(session, token)
            api = await bot_api(session, self._messengers, platform)
        if chat is None:
            return None, Permanent(
                f"{service.REVOKED_MARK} or never existed; send get_webhook in the chat for a new one",
                pause=True,
            )
        where = f"“{chat.name or chat.chat_id}” ({chat.chat_id})"
        if chat.platform != platform.value:
            return None, Permanent(
                f"the chat {where} is a {chat.platform} chat, not {platform.value}", pause=True
            )
        if chat.state == service.GONE:
            return None, Permanent(
                f"{service.REMOVED_MARK} {where}; add the bot to the chat again", pause=True
            )
        if api is None:
            return None, Permanent(
                f"no {platform.value} IM app is set up: chat webhook URLs are delivered through it",
                pause=True,
            )
        payload: dict[str, Any] = json.loads(request.body)
        card: dict[str, Any] = payload["card"]
        edit, reply = request.headers.get(urls.EDIT_HEADER), request.headers.get(urls.REPLY_HEADER)
        if edit is not None or reply is not None:
            message_id = urls.message_id(edit if edit is not None else reply)
            if not message_id or (edit is not None and request.method != "PATCH"):
                return None, Permanent("not a message id of the open platform")
            if edit is not None:
                answer, outcome = await api.update_card(message_id, card)
            else:
                answer, outcome = await api.reply_card(message_id, card, in_thread=True)
        else:
            answer, outcome = await api.send_card("chat_id", chat.chat_id, card)
        if not isinstance(outcome, Delivered):  # the open platform may echo the app's secrets
            outcome = replace(outcome, reason=scrub(outcome.reason, api.app.secrets()))
        if answer is None:
            return None, outcome
        return HttpResponse(answer.status, answer.headers, json_bytes(answer.data)), outcome
