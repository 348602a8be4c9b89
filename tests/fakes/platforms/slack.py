"""Slack: the incoming webhook and the IM app (a bot token): direct messages, and the channels
of Slack app destinations (chat.postMessage into a channel the bot is in, replies with
``thread_ts``, chat.update of the bot's own messages), with Slack's errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.im_servers import FakeImServer, Sent, bearer, json_body
from tests.fakes.platforms.base import Answer, Dialect, FakePlatform, Refusal, Route


class SlackDialect(Dialect):
    ok = Answer(200, "ok")
    permanent = Answer(404, "no_service")
    invalid = Answer(400, "invalid_payload")
    invalid_blocks = Answer(400, "invalid_blocks")
    max_body_bytes = 40_000

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        attachments = body.get("attachments") or []
        if not (body.get("text") or body.get("blocks") or attachments):
            return Refusal(Answer(400, "no_text"), "no text, blocks or attachments")
        if len(attachments) > 100:
            return Refusal(Answer(400, "too_many_attachments"), "over 100 attachments")
        block_lists = [body.get("blocks") or [], *((a.get("blocks") or []) for a in attachments)]
        for blocks in block_lists:
            problem = self.block_problem(blocks)
            if problem:
                return Refusal(self.invalid_blocks, problem)
        return None

    @staticmethod
    def block_problem(blocks: list[Any]) -> str | None:
        if len(blocks) > 50:
            return "over 50 blocks"
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
            if kind not in ("header", "section", "context", "actions", "divider", "image"):
                return f"block type {kind!r}"
            if kind == "header" and not 0 < len(text) <= 150:
                return "header text over 150 chars"
            if kind == "section":
                fields = block.get("fields") or []
                if len(text) > 3000 or len(fields) > 10 or any(len(f.get("text", "")) > 2000 for f in fields):
                    return "section text over 3000 chars or too many / too long fields"
                if not text and not fields:
                    return "section without text or fields"
            if kind == "actions" and not 0 < len(block.get("elements") or []) <= 25:
                return "actions block needs 1 to 25 elements"
        return None


FAKES = (
    FakePlatform(
        PlatformName.SLACK,
        (Route("/services/{a}/{b}/{c}", lambda r: r.match_info["c"], SlackDialect()),),
        lambda token, secret, legacy: f"/services/T{token[:8].upper()}/B{token[8:].upper()}/{token}",
    ),
)


# --- the IM app ----------------------------------------------------------------------------


@dataclass
class ChannelMessage:
    """A message in a channel, as Slack keeps it: its latest body, and what may be done to it."""

    channel: str
    ts: str
    body: dict[str, Any]
    thread_ts: str = ""
    by_bot: bool = True
    deleted: bool = False
    edit_window_closed: bool = False
    updates: list[dict[str, Any]] = field(default_factory=list)


class FakeSlack(FakeImServer):
    platform = "slack"

    def __init__(
        self, bot_token: str, scopes: str = "users:read,users:read.email,im:write,chat:write"
    ) -> None:
        super().__init__({"bot_token": bot_token}, token_lifetime=0)
        self.scopes = scopes
        self.channels: dict[str, bool] = {}  # channel id -> whether the bot is in it
        self.in_channels: dict[str, ChannelMessage] = {}  # ts -> the message
        self.channel_posts = 0  # accepted chat.postMessage into channels (replies included)
        self.replies = 0
        self.updates = 0  # accepted chat.update

    async def __aenter__(self) -> FakeSlack:
        await super().__aenter__()
        return self

    def add_channel(self, channel: str, *, bot_in_it: bool = True) -> None:
        self.channels[channel] = bot_in_it

    def posted_in(self, channel: str) -> list[ChannelMessage]:
        return [m for m in self.in_channels.values() if m.channel == channel]

    def someone_elses(self, channel: str) -> str:
        """A message a person wrote in ``channel``: the bot may not update it."""
        ts = self._next_ts()
        self.in_channels[ts] = ChannelMessage(channel, ts, {"text": "hi"}, by_bot=False)
        return ts

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + len(self.in_channels)}.{len(self.in_channels) + 1:06d}"

    def _channel_error(self, channel: str) -> web.Response | None:
        if channel not in self.channels:
            return web.json_response({"ok": False, "error": "channel_not_found"})
        if not self.channels[channel]:
            return web.json_response({"ok": False, "error": "not_in_channel"})
        return None

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/auth.test", self.auth_test),
            web.get("/api/users.lookupByEmail", self.lookup),
            web.post("/api/conversations.open", self.open_im),
            web.post("/api/chat.postMessage", self.post_message),
            web.post("/api/chat.update", self.update_message),
        ]

    def _authorized(self, request: web.Request) -> bool:
        return bearer(request) == self.credentials["bot_token"]

    async def auth_test(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(
            {"ok": True, "team": "T", "user_id": "UBOT"}, headers={"x-oauth-scopes": self.scopes}
        )

    async def lookup(self, request: web.Request) -> web.Response:
        self.calls.lookups += 1
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        user = self.by_email(request.query.get("email", ""))
        if user is None:
            return web.json_response({"ok": False, "error": "users_not_found"})
        return web.json_response({"ok": True, "user": {"id": user.user_id}})

    async def open_im(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.by_id(str(body.get("users", ""))) is None:
            return web.json_response({"ok": False, "error": "user_not_found"})
        return web.json_response({"ok": True, "channel": {"id": "D" + str(body["users"])}})

    async def post_message(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        body = await json_body(request)
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.next_scripted() == "rate_limit":
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "3"}
            )
        channel = str(body.get("channel", ""))
        if not channel.startswith("D"):
            return self._post_in_channel(channel, body)
        if (
            not channel.startswith("D")
            or not body.get("text")
            or not isinstance(body.get("attachments"), list)
        ):
            self.calls.problems.append(f"bad chat.postMessage body: {body}")
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        self.sent.append(Sent(channel.removeprefix("D"), body))
        return web.json_response({"ok": True, "channel": channel, "ts": "1.0"})

    def _post_in_channel(self, channel: str, body: dict[str, Any]) -> web.Response:
        if (refusal := self._channel_error(channel)) is not None:
            return refusal
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return web.json_response({"ok": False, "error": "no_text"})
        problem = SlackDialect.block_problem(
            [block for a in body.get("attachments") or [] for block in a.get("blocks") or []]
        )
        if problem:
            self.calls.problems.append(problem)
            return web.json_response({"ok": False, "error": "invalid_blocks"})
        thread_ts = str(body.get("thread_ts") or "")
        ts = self._next_ts()
        self.in_channels[ts] = ChannelMessage(channel, ts, body, thread_ts)
        self.channel_posts += 1
        self.replies += bool(thread_ts)
        message = {"type": "message", "text": body.get("text", ""), "bot_id": "B0BOT", "ts": ts}
        return web.json_response({"ok": True, "channel": channel, "ts": ts, "message": message})

    async def update_message(self, request: web.Request) -> web.Response:
        self.calls.sends += 1
        body = await json_body(request)
        if not self._authorized(request):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.next_scripted() == "rate_limit":
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "3"}
            )
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        if (refusal := self._channel_error(channel)) is not None:
            return refusal
        message = self.in_channels.get(ts)
        if message is None or message.channel != channel or message.deleted:
            return web.json_response({"ok": False, "error": "message_not_found"})
        if not message.by_bot:
            return web.json_response({"ok": False, "error": "cant_update_message"})
        if message.edit_window_closed:
            return web.json_response({"ok": False, "error": "edit_window_closed"})
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return web.json_response({"ok": False, "error": "no_text"})
        message.body = {k: v for k, v in body.items() if k not in ("channel", "ts")}
        message.updates.append(message.body)
        self.updates += 1
        return web.json_response({"ok": True, "channel": channel, "ts": ts, "text": body.get("text", "")})
