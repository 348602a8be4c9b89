"""Discord: the channel webhook (no IM app).

Like Discord, the fake answers a post with ``?wait=true`` with the message object it created
(``id``: a snowflake), keeps the messages, and takes a ``PATCH`` of
``/api/webhooks/{id}/{token}/messages/{message_id}`` for the webhook's own messages only
(another's, or one deleted, is 404 "Unknown Message", code 10008). ``wait`` must be a boolean
and ``thread_id`` a snowflake. The messages are ``messages(bot)`` (id -> the body shown now; a
test deletes one with ``messages(bot).pop(id)``); ``bot.counts`` has the posts and edits.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.platforms.base import Answer, Dialect, FakeBot, FakePlatform, Refusal, Route

SNOWFLAKE = re.compile(r"[0-9]{1,20}")
FIRST_ID = 1 << 60  # message ids look like Discord's (19 digits)
UNKNOWN_MESSAGE = Answer(404, {"message": "Unknown Message", "code": 10008})


class DiscordDialect(Dialect):
    ok = Answer(204)
    throttled = Answer(
        429,
        {"message": "You are being rate limited.", "retry_after": 1.0, "global": False},
        {"Retry-After": "1"},
    )
    permanent = Answer(404, {"message": "Unknown Webhook", "code": 10015})
    invalid = Answer(400, {"code": 50035, "message": "Invalid Form Body"})
    max_body_bytes = 8_000_000
    limits: ClassVar[dict[str, int]] = {"title": 256, "description": 4096, "footer": 2048, "author": 256}

    def check(self, bot: FakeBot, request: web.Request, raw: bytes, body: Any) -> Refusal | None:
        wait = request.query.get("wait")
        if wait is not None and wait not in ("true", "false", "True", "False", "1", "0"):
            return Refusal(self.invalid, f"wait={wait!r} is not a boolean")
        thread = request.query.get("thread_id")
        if thread is not None and not SNOWFLAKE.fullmatch(thread):
            return Refusal(self.invalid, f"thread_id={thread!r} is not a snowflake")
        return super().check(bot, request, raw, body)

    def accept(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Answer:
        bot.counts["posts"] += 1
        ident = str(FIRST_ID + len(bot.received))
        messages(bot)[ident] = body
        if request.query.get("wait") in ("true", "True", "1"):
            return Answer(200, message_object(ident, request, body))
        return self.ok

    def retry_after(self, seconds: float) -> Answer:
        body = {"message": "You are being rate limited.", "retry_after": seconds, "global": False}
        return Answer(429, body, {"Retry-After": f"{seconds:g}"})

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        embeds = body.get("embeds") or []
        if not body.get("content") and not embeds:
            return Refusal(Answer(400, {"message": "Cannot send an empty message", "code": 50006}), "empty")
        if len(body.get("content") or "") > 2000 or len(embeds) > 10:
            return Refusal(self.invalid, "content over 2000 chars or over 10 embeds")
        for embed in embeds:
            problem = self.embed_problem(embed)
            if problem:
                return Refusal(self.invalid, problem)
        return None

    def embed_problem(self, embed: dict[str, Any]) -> str | None:
        texts = {
            "title": embed.get("title") or "",
            "description": embed.get("description") or "",
            "footer": (embed.get("footer") or {}).get("text") or "",
            "author": (embed.get("author") or {}).get("name") or "",
        }
        for name, text in texts.items():
            if len(text) > self.limits[name]:
                return f"embed {name} {len(text)} chars > {self.limits[name]}"
        fields = embed.get("fields") or []
        if len(fields) > 25:
            return "over 25 fields"
        for item in fields:
            if not 0 < len(item.get("name") or "") <= 256 or not 0 < len(item.get("value") or "") <= 1024:
                return "field name 1-256 and value 1-1024 chars"
        total = sum(len(text) for text in texts.values()) + sum(
            len(f["name"]) + len(f["value"]) for f in fields
        )
        return f"embed total {total} chars > 6000" if total > 6000 else None


class DiscordEditDialect(DiscordDialect):
    """``PATCH /api/webhooks/{id}/{token}/messages/{message_id}``: the webhook's own messages."""

    def check(self, bot: FakeBot, request: web.Request, raw: bytes, body: Any) -> Refusal | None:
        ident = request.match_info["message_id"]
        if ident not in messages(bot):
            return Refusal(UNKNOWN_MESSAGE, f"unknown message {ident}")
        return super().check(bot, request, raw, body)

    def accept(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Answer:
        ident = request.match_info["message_id"]
        bot.counts["edits"] += 1
        messages(bot)[ident] = body  # an edit replaces the fields it carries; hookcast sends them all
        return Answer(200, message_object(ident, request, body))


def messages(bot: FakeBot) -> dict[str, Any]:
    """The bot's messages as Discord keeps them: id -> the body it shows now."""
    kept: dict[str, Any] = bot.state.setdefault("messages", {})
    return kept


def message_object(ident: str, request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": ident,
        "type": 0,
        "channel_id": request.query.get("thread_id", "1000000000000000001"),
        "webhook_id": request.match_info["id"],
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "author": {"id": request.match_info["id"], "username": "hookcast", "bot": True},
    }


def _token(request: web.Request) -> str:
    return request.match_info["token"]


FAKES = (
    FakePlatform(
        PlatformName.DISCORD,
        (
            Route("/api/webhooks/{id}/{token}", _token, DiscordDialect()),
            Route("/api/webhooks/{id}/{token}/messages/{message_id}", _token, DiscordEditDialect(), "PATCH"),
        ),
        lambda token, secret, legacy: f"/api/webhooks/{int(token[:12], 16)}/{token}",
    ),
)
