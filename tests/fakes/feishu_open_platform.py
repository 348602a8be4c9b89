"""A fake Feishu open platform for the assistant bot: real aiohttp HTTP on 127.0.0.1.

It serves what the bot calls (tenant_access_token, the chat members list, sending a card to a
chat_id or an open_id, updating a card it sent and replying to one) and records the bot's
messages, with the open platform's checks on an update or a reply: the message exists, was sent
by this app and not recalled, is at most 14 days old (`age`), was sent as a shared card
(``config.update_multi``, also required in the update) and the card is at most 30 KB. And it
pushes events to hookcast the way Feishu does: schema 2.0 envelopes with the Verification
Token, encrypted with the Encrypt Key (AES-256-CBC, key = SHA-256 of the Encrypt Key, a random
IV in front) and signed with ``X-Lark-Signature`` = sha256(timestamp + nonce + encrypt_key + body) in hex.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import time
import uuid as uuid_module
from dataclasses import dataclass
from typing import Any

import httpx
from aiohttp import web
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakes.platforms.feishu import FakeFeishu


@dataclass(frozen=True)
class BotMessage:
    receive_id_type: str  # chat_id | open_id
    receive_id: str
    card: dict[str, Any]
    uuid: str
    message_id: str = ""
    reply_to: str = ""  # the message this one answers (reply), "" for a new message
    in_thread: bool = False

    @property
    def text(self) -> str:
        """Everything written on the card (title, markdown, buttons) as a reader sees it."""
        return html.unescape(json.dumps(self.card, ensure_ascii=False))


def encrypt(encrypt_key: str, plaintext: bytes) -> str:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode()


def sign(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


APP_ID, APP_SECRET = "cli_a1b2c3d4e5", "feishu-app-secret"
MAX_CARD_BYTES = 30 * 1024
EDITABLE_DAYS = 14


@dataclass
class SentCard:
    """A message the app sent, as the open platform keeps it: its latest card, and whether it
    may still be updated."""

    message: BotMessage
    card: dict[str, Any]
    shared: bool  # config.update_multi when it was sent
    recalled: bool = False
    age_days: int = 0
    updates: int = 0


def _shared(card: dict[str, Any]) -> bool:
    config = card.get("config")
    return isinstance(config, dict) and config.get("update_multi") is True


VERIFICATION_TOKEN, ENCRYPT_KEY = "vt-0123456789", "ek-0123456789"


class FakeFeishuOpenPlatform(FakeFeishu):
    def __init__(
        self,
        app_id: str = APP_ID,
        app_secret: str = APP_SECRET,
        *,
        verification_token: str = VERIFICATION_TOKEN,
        encrypt_key: str | None = ENCRYPT_KEY,
    ) -> None:
        super().__init__(app_id, app_secret)
        self.verification_token = verification_token
        self.encrypt_key = encrypt_key
        self.chats: dict[str, set[str]] = {}  # chat_id -> members' open_ids (the bot is in these)
        self.messages: list[BotMessage] = []
        self.member_lookups = 0
        self.sent_cards: dict[str, SentCard] = {}  # message_id -> what the app sent
        self.updates = 0  # accepted card updates
        self.replies = 0  # accepted replies
        self.refused: list[int] = []  # the codes of refused updates and replies

    async def __aenter__(self) -> FakeFeishuOpenPlatform:
        await super().__aenter__()
        return self

    # --- control ------------------------------------------------------------------------

    def add_chat(self, chat_id: str, *members: str) -> None:
        self.chats[chat_id] = set(members)

    def in_chat(self, chat_id: str) -> list[BotMessage]:
        return [m for m in self.messages if m.receive_id_type == "chat_id" and m.receive_id == chat_id]

    def to_person(self, open_id: str) -> list[BotMessage]:
        return [m for m in self.messages if m.receive_id_type == "open_id" and m.receive_id == open_id]

    def card_of(self, message_id: str) -> dict[str, Any]:
        """The card as the chat shows it now (after any update)."""
        return self.sent_cards[message_id].card

    def recall(self, message_id: str) -> None:
        self.sent_cards[message_id].recalled = True

    def age(self, message_id: str, days: int) -> None:
        self.sent_cards[message_id].age_days = days

    def sent_by_another_app(self, message_id: str) -> str:
        """A message in a chat that this app did not send (someone else's)."""
        other = BotMessage("chat_id", "oc_other", {}, "", message_id)
        self.sent_cards[message_id] = SentCard(other, {}, shared=True)
        return message_id

    # --- the open platform --------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/open-apis/auth/v3/tenant_access_token/internal", self.token),
            web.get("/open-apis/im/v1/chats/{chat_id}/members", self.members),
            web.post("/open-apis/im/v1/messages", self.send_message),
            web.patch("/open-apis/im/v1/messages/{message_id}", self.update_message),
            web.post("/open-apis/im/v1/messages/{message_id}/reply", self.reply_message),
        ]

    async def members(self, request: web.Request) -> web.Response:
        self.member_lookups += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        chat_id = request.match_info["chat_id"]
        if chat_id not in self.chats:
            return web.json_response(
                {"code": 230002, "msg": "Bot/User can NOT be out of the chat."}, status=400
            )
        if request.query.get("member_id_type") != "open_id":
            self.calls.problems.append("chat members without member_id_type=open_id")
        ordered = sorted(self.chats[chat_id])
        start = int(request.query.get("page_token") or 0)
        size = int(request.query.get("page_size") or 20)
        page = ordered[start : start + size]
        more = start + size < len(ordered)
        return web.json_response(
            {
                "code": 0,
                "msg": "success",
                "data": {
                    "items": [{"member_id_type": "open_id", "member_id": m, "name": m} for m in page],
                    "has_more": more,
                    "page_token": str(start + size) if more else "",
                    "member_total": len(ordered),
                },
            }
        )

    async def send_message(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        if self.next_scripted() == "rate_limit":
            return web.json_response(
                {"code": 99991400, "msg": "request trigger frequency limit"},
                status=429,
                headers={"x-ogw-ratelimit-reset": "1"},
            )
        body = await request.json()
        kind = request.query.get("receive_id_type")
        if kind not in ("chat_id", "open_id") or body.get("msg_type") != "interactive":
            self.calls.problems.append(f"bad send: {request.query_string} {body}")
            return web.json_response({"code": 230001, "msg": "invalid param"}, status=400)
        receive_id = str(body.get("receive_id"))
        if kind == "chat_id" and receive_id not in self.chats:
            return web.json_response(
                {"code": 230002, "msg": "Bot/User can NOT be out of the chat."}, status=400
            )
        card = json.loads(body["content"])
        uuid = str(body.get("uuid", ""))
        if not uuid or uuid not in self.seen_uuids:
            self.seen_uuids.add(uuid)
            self._keep(BotMessage(kind, receive_id, card, uuid, f"om_{len(self.messages) + 1}"))
        return self._sent(self.messages[-1].message_id)

    def _keep(self, message: BotMessage) -> None:
        self.messages.append(message)
        self.sent_cards[message.message_id] = SentCard(message, message.card, _shared(message.card))

    @staticmethod
    def _sent(message_id: str) -> web.Response:
        return web.json_response(
            {"code": 0, "msg": "success", "data": {"message_id": message_id, "msg_type": "interactive"}}
        )

    @staticmethod
    def _error(code: int, msg: str) -> web.Response:
        return web.json_response({"code": code, "msg": msg, "error": {"log_id": "fake"}}, status=400)

    def _reachable(self, message_id: str) -> SentCard | web.Response:
        """The app's own message ``message_id``, or the open platform's refusal."""
        sent = self.sent_cards.get(message_id)
        if sent is None:
            return self._error(
                230001, "Your request contains an invalid request parameter, ext=invalid message_id."
            )
        if sent.message.receive_id == "oc_other":
            return self._error(230012, "Bot is NOT the sender of the message.")
        if sent.recalled:
            return self._error(230011, "The message is recalled.")
        if sent.age_days > EDITABLE_DAYS:
            return self._error(230031, "Message can only be modified within 14 days after sending.")
        return sent

    def _card_in(self, body: dict[str, Any]) -> dict[str, Any] | web.Response:
        content = body.get("content")
        if not isinstance(content, str):
            return self._error(230001, "Your request contains an invalid request parameter, ext=content.")
        if len(content.encode()) > MAX_CARD_BYTES:
            return self._error(230025, "The length of the message content reaches its limit.")
        try:
            card = json.loads(content)
        except ValueError:
            return self._error(230099, "Failed to create card content.")
        return card if isinstance(card, dict) else self._error(230099, "Failed to create card content.")

    async def update_message(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        if self.next_scripted() == "rate_limit":
            return self._error(230020, "This operation triggers the frequency limit.")
        sent = self._reachable(request.match_info["message_id"])
        card = self._card_in(await request.json())
        for answer in (sent, card):
            if isinstance(answer, web.Response):
                self.refused.append(json.loads(answer.text or "{}").get("code", 0))
                return answer
        assert isinstance(sent, SentCard) and isinstance(card, dict)
        if not (sent.shared and _shared(card)):
            self.refused.append(230099)
            self.calls.problems.append("a card update without update_multi before and after")
            return self._error(230099, "Failed to create card content, ext=update_multi is not true.")
        sent.card, sent.updates = card, sent.updates + 1
        self.updates += 1
        return web.json_response({"code": 0, "msg": "success", "data": {}})

    async def reply_message(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        if (refusal := self._bad_token(request)) is not None:
            return refusal
        parent = request.match_info["message_id"]
        sent = self._reachable(parent)
        body = await request.json()
        card = self._card_in(body)
        for answer in (sent, card):
            if isinstance(answer, web.Response):
                self.refused.append(json.loads(answer.text or "{}").get("code", 0))
                return answer
        assert isinstance(sent, SentCard) and isinstance(card, dict)
        if body.get("msg_type") != "interactive":
            self.calls.problems.append(f"bad reply: {body}")
            return self._error(230001, "invalid param")
        uuid = str(body.get("uuid", ""))
        if not uuid or uuid not in self.seen_uuids:
            self.seen_uuids.add(uuid)
            where = sent.message
            message_id = f"om_{len(self.messages) + 1}"
            reply = BotMessage(
                where.receive_id_type,
                where.receive_id,
                card,
                uuid,
                message_id,
                parent,
                body.get("reply_in_thread") is True,
            )
            self._keep(reply)
            self.replies += 1
        return self._sent(self.messages[-1].message_id)

    # --- pushing events to hookcast -----------------------------------------------------

    def envelope(self, event_type: str, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "schema": "2.0",
            "header": {
                "event_id": event_id or uuid_module.uuid4().hex,
                "event_type": event_type,
                "create_time": "1700000000000",
                "token": self.verification_token,
                "app_id": self.credentials["app_id"],
                "tenant_key": "tenant-1",
            },
            "event": event,
        }

    def wire(self, payload: dict[str, Any], *, signed: bool = True) -> tuple[bytes, dict[str, str]]:
        """The body and headers Feishu would send for ``payload``."""
        plain = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.encrypt_key is None:
            return plain, headers
        body = json.dumps({"encrypt": encrypt(self.encrypt_key, plain)}).encode()
        if signed:
            # Feishu stamps a push with the time it sends it; hookcast refuses stale ones.
            timestamp, nonce = str(int(time.time())), uuid_module.uuid4().hex[:16]
            headers |= {
                "X-Lark-Request-Timestamp": timestamp,
                "X-Lark-Request-Nonce": nonce,
                "X-Lark-Signature": sign(timestamp, nonce, self.encrypt_key, body),
            }
        return body, headers

    async def push(
        self, hookcast: httpx.AsyncClient, payload: dict[str, Any], path: str = "/hooks/feishu/events"
    ) -> httpx.Response:
        body, headers = self.wire(payload)
        return await hookcast.post(path, content=body, headers=headers)

    async def bot_added(
        self, hookcast: httpx.AsyncClient, chat_id: str, name: str, by: str
    ) -> httpx.Response:
        event = {"chat_id": chat_id, "name": name, "operator_id": {"open_id": by}, "external": False}
        return await self.push(hookcast, self.envelope("im.chat.member.bot.added_v1", event))

    async def bot_removed(
        self, hookcast: httpx.AsyncClient, chat_id: str, name: str, by: str
    ) -> httpx.Response:
        self.chats.pop(chat_id, None)
        event = {"chat_id": chat_id, "name": name, "operator_id": {"open_id": by}}
        return await self.push(hookcast, self.envelope("im.chat.member.bot.deleted_v1", event))

    def message_event(
        self,
        chat_id: str,
        sender: str,
        text: str,
        *,
        chat_type: str = "group",
        mention_bot: bool = True,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        mentions = []
        if mention_bot:
            text = f"@_user_1 {text}"
            mentions.append(
                {"key": "@_user_1", "id": {"open_id": "ou_bot"}, "name": "hookcast", "tenant_key": "t"}
            )
        event = {
            "sender": {"sender_id": {"open_id": sender}, "sender_type": "user", "tenant_key": "tenant-1"},
            "message": {
                "message_id": f"om_{uuid_module.uuid4().hex[:10]}",
                "chat_id": chat_id,
                "chat_type": chat_type,
                "message_type": "text",
                "content": json.dumps({"text": text}),
                "mentions": mentions,
            },
        }
        return self.envelope("im.message.receive_v1", event, event_id)
