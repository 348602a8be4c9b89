"""A fake Feishu open platform for the assistant bot: real aiohttp HTTP on 127.0.0.1.

It serves what the bot calls (tenant_access_token, the chat members list, sending a card to a
chat_id or an open_id) and records the bot's messages; and it pushes events to hookcast the way
Feishu does: schema 2.0 envelopes with the Verification Token, encrypted with the Encrypt Key
(AES-256-CBC, key = SHA-256 of the Encrypt Key, a random IV in front) and signed with
``X-Lark-Signature`` = sha256(timestamp + nonce + encrypt_key + body) in hex.
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

    # --- the open platform --------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/open-apis/auth/v3/tenant_access_token/internal", self.token),
            web.get("/open-apis/im/v1/chats/{chat_id}/members", self.members),
            web.post("/open-apis/im/v1/messages", self.send_message),
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
            self.messages.append(BotMessage(kind, receive_id, card, uuid))
        return web.json_response(
            {"code": 0, "msg": "success", "data": {"message_id": f"om_{len(self.messages)}"}}
        )

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
