"""Slack: the incoming webhook and the IM app (a bot token)."""

from __future__ import annotations

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


class FakeSlack(FakeImServer):
    platform = "slack"

    def __init__(
        self, bot_token: str, scopes: str = "users:read,users:read.email,im:write,chat:write"
    ) -> None:
        super().__init__({"bot_token": bot_token}, token_lifetime=0)
        self.scopes = scopes

    def routes(self) -> list[web.RouteDef]:
        return [
            web.post("/api/auth.test", self.auth_test),
            web.get("/api/users.lookupByEmail", self.lookup),
            web.post("/api/conversations.open", self.open_im),
            web.post("/api/chat.postMessage", self.post_message),
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
        if (
            not channel.startswith("D")
            or not body.get("text")
            or not isinstance(body.get("attachments"), list)
        ):
            self.calls.problems.append(f"bad chat.postMessage body: {body}")
            return web.json_response({"ok": False, "error": "invalid_arguments"})
        self.sent.append(Sent(channel.removeprefix("D"), body))
        return web.json_response({"ok": True, "channel": channel, "ts": "1.0"})
