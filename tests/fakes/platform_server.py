"""A fake chat-platform server: one aiohttp app that plays every platform at its real paths.

It checks what each platform checks (signature and timestamp freshness, keyword, JSON shape,
size limits, per-bot rate limits) and answers the way that platform answers. Tests script the
next answers of a bot; benchmarks run it as a process::

    python -m tests.fakes.platform_server --port 9000 --platform feishu --bots 20

which prints one JSON line per bot (``{"platform", "url", "secret", "keyword"}``) and serves
``GET /__stats`` with the counts. A platform whose messages need settings (Telegram's chat) gives
them in ``bot.settings``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import signal
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web

from hookcast.platforms import get_platform
from hookcast.platforms.base import PlatformName, RateLimit

SIGNATURE_WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None  # dict -> JSON, str -> text, None -> empty
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> web.Response:
        if isinstance(self.body, dict):
            return web.json_response(self.body, status=self.status, headers=self.headers)
        return web.Response(status=self.status, text=self.body or None, headers=self.headers)


@dataclass(frozen=True)
class Refusal:
    answer: Answer
    reason: str


@dataclass
class FakeBot:
    """One webhook on the fake server."""

    platform: PlatformName
    token: str
    url: str
    secret: str | None = None
    keyword: str | None = None
    legacy: bool = False
    received: list[tuple[float, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    rejections: list[tuple[str, str]] = field(default_factory=list)  # (answer kind, why)
    requests: int = 0
    _scripted: deque[str] = field(default_factory=deque)
    _times: deque[float] = field(default_factory=deque)

    def script(self, answers: Iterable[str]) -> None:
        """Queue answers for the next requests: "ok", "500" (any status), "429:2", "throttle",
        "slow:1.5", "close", "permanent" / "unknown_webhook", "invalid"."""
        self._scripted.extend(answers)

    def next_scripted(self) -> str | None:
        return self._scripted.popleft() if self._scripted else None

    def over_limit(self, now: float, limits: tuple[RateLimit, ...]) -> str | None:
        """Record a request at ``now``; the first window it overflows, if any."""
        longest = max((limit.seconds for limit in limits), default=0)
        while self._times and self._times[0] <= now - longest:
            self._times.popleft()
        self._times.append(now)
        for limit in limits:
            in_window = sum(1 for moment in self._times if moment > now - limit.seconds)
            if in_window > limit.count:
                return f"{in_window} requests in {limit.seconds} s (limit {limit.count})"
        return None

    @property
    def settings(self) -> dict[str, str]:
        """The webhook settings a message to this bot needs (Telegram: its chat)."""
        return DIALECTS[self.platform].settings_for(self)

    def stats(self) -> dict[str, Any]:
        return {
            "platform": self.platform.value,
            "token": self.token,
            "requests": self.requests,
            "received": len(self.received),
            "violations": len(self.violations),
            "rejections": len(self.rejections),
        }


# --- what each platform checks and how it answers -------------------------------------------


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def has_keyword(body: Any, keyword: str | None) -> bool:
    return not keyword or any(keyword in text for text in strings_in(body))


def fresh(timestamp_seconds: float) -> bool:
    return abs(time.time() - timestamp_seconds) <= SIGNATURE_WINDOW_SECONDS


class Dialect:
    """A platform's answers and checks. Subclasses override what differs."""

    ok = Answer(200, {"ok": True})
    throttled = Answer(429, "rate_limited", {"Retry-After": "1"})
    permanent = Answer(404, "not found")
    invalid = Answer(400, "invalid_payload")
    max_body_bytes = 20_000

    def retry_after(self, seconds: float) -> Answer:
        return Answer(429, "rate_limited", {"Retry-After": f"{seconds:g}"})

    def check(self, bot: FakeBot, request: web.Request, raw: bytes, body: Any) -> Refusal | None:
        if len(raw) > self.max_body_bytes:
            return Refusal(self.too_large(), f"body {len(raw)} bytes > {self.max_body_bytes}")
        if not isinstance(body, dict):
            return Refusal(self.invalid, "body is not a JSON object")
        return self.check_security(bot, request, body) or self.check_shape(body)

    def too_large(self) -> Answer:
        return self.invalid

    def settings_for(self, bot: FakeBot) -> dict[str, str]:
        return {}

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        return None


def feishu_expected_sign(timestamp: str, secret: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


class FeishuDialect(Dialect):
    ok = Answer(200, {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"})
    throttled = Answer(200, {"code": 11232, "data": {}, "msg": "frequency limited"})
    permanent = Answer(
        200, {"code": 19001, "data": {}, "msg": "param invalid: incoming webhook access token invalid"}
    )
    invalid = Answer(400, {"code": 9499, "data": {}, "msg": "Bad Request"})
    sign_mismatch = Answer(
        200,
        {
            "code": 19021,
            "data": {},
            "msg": "sign match fail or timestamp is not within one hour from current time",
        },
    )
    keyword_missing = Answer(200, {"code": 19024, "data": {}, "msg": "Key Words Not Found"})
    message_types = ("text", "post", "image", "share_chat", "interactive")

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if bot.secret:
            timestamp, sign = str(body.get("timestamp", "")), body.get("sign")
            if not timestamp.isdigit() or not fresh(int(timestamp)):
                return Refusal(self.sign_mismatch, f"stale or missing timestamp {timestamp!r}")
            if sign != feishu_expected_sign(timestamp, bot.secret):
                return Refusal(self.sign_mismatch, "sign mismatch")
        if not has_keyword(body, bot.keyword):
            return Refusal(self.keyword_missing, f"keyword {bot.keyword!r} not found")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        kind = body.get("msg_type")
        if kind not in self.message_types:
            return Refusal(self.invalid, f"msg_type {kind!r}")
        if kind == "interactive":
            card = body.get("card")
            if not isinstance(card, dict) or not isinstance(card.get("elements"), list):
                return Refusal(self.invalid, "card with elements required")
            header = card.get("header", {})
            if header and not isinstance(header.get("title", {}).get("content"), str):
                return Refusal(self.invalid, "card header title content required")
        if kind == "text" and not isinstance(body.get("content", {}).get("text"), str):
            return Refusal(self.invalid, "content.text required")
        return None


def dingtalk_expected_sign(timestamp: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkDialect(Dialect):
    ok = Answer(200, {"errcode": 0, "errmsg": "ok"})
    throttled = Answer(200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})
    permanent = Answer(200, {"errcode": 300001, "errmsg": "token is not exist"})
    invalid = Answer(200, {"errcode": 40035, "errmsg": "缺少参数 json"})
    sign_mismatch = Answer(200, {"errcode": 310000, "errmsg": "sign not match"})
    keyword_missing = Answer(200, {"errcode": 310000, "errmsg": "keywords not in content"})
    message_types = ("text", "link", "markdown", "actionCard", "feedCard")

    def too_large(self) -> Answer:
        return Answer(200, {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"})

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if bot.secret:
            timestamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            if not timestamp.isdigit() or not fresh(int(timestamp) / 1000):
                return Refusal(self.sign_mismatch, f"stale or missing timestamp {timestamp!r}")
            if sign != dingtalk_expected_sign(timestamp, bot.secret):
                return Refusal(self.sign_mismatch, "sign mismatch")
        if not has_keyword(body, bot.keyword):
            return Refusal(self.keyword_missing, f"keyword {bot.keyword!r} not found")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        kind = body.get("msgtype")
        if kind not in self.message_types:
            return Refusal(self.invalid, f"msgtype {kind!r}")
        part = body.get(kind)
        if not isinstance(part, dict):
            return Refusal(self.invalid, f"{kind} object required")
        needed = {"markdown": ("title", "text"), "actionCard": ("title", "text"), "text": ("content",)}
        missing = [key for key in needed.get(kind, ()) if not isinstance(part.get(key), str) or not part[key]]
        if (
            kind == "actionCard"
            and not (part.get("singleTitle") and part.get("singleURL"))
            and not part.get("btns")
        ):
            missing.append("singleTitle/singleURL or btns")
        return Refusal(self.invalid, f"missing {missing}") if missing else None


class WeComDialect(Dialect):
    ok = Answer(200, {"errcode": 0, "errmsg": "ok"})
    throttled = Answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    permanent = Answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    invalid = Answer(200, {"errcode": 40058, "errmsg": "invalid args"})
    bad_type = Answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
    empty = Answer(200, {"errcode": 44004, "errmsg": "empty content"})
    content_limits: ClassVar[dict[str, int]] = {"markdown": 4096, "markdown_v2": 4096, "text": 2048}

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        kind = body.get("msgtype")
        if kind not in self.content_limits:
            return Refusal(self.bad_type, f"msgtype {kind!r}")
        content = (body.get(kind) or {}).get("content") if isinstance(body.get(kind), dict) else None
        if not isinstance(content, str) or not content.strip():
            return Refusal(self.empty, "empty content")
        size = len(content.encode("utf-8"))
        if size > self.content_limits[kind]:
            limit = self.content_limits[kind]
            return Refusal(self.invalid, f"{kind}.content {size} bytes > {limit}")
        return None


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


class TeamsWorkflowDialect(Dialect):
    ok = Answer(202)
    permanent = Answer(404, {"error": {"code": "WorkflowNotFound", "message": "The workflow was not found."}})
    invalid = Answer(400, {"error": {"code": "InvalidRequestContent", "message": "Bad card"}})
    unauthorized = Answer(401, {"error": {"code": "DirectApiAuthorizationRequired", "message": "Bad sig"}})
    max_body_bytes = 28_000

    def too_large(self) -> Answer:
        return Answer(413, {"error": {"code": "RequestEntityTooLarge", "message": "Message too large"}})

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if request.query.get("sig") != bot.secret:
            return Refusal(self.unauthorized, "sig mismatch")
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        attachments = body.get("attachments")
        if body.get("type") != "message" or not isinstance(attachments, list) or not attachments:
            return Refusal(self.invalid, "a message with attachments required")
        for attachment in attachments:
            content = attachment.get("content") or {}
            if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
                return Refusal(self.invalid, "adaptive card attachment required")
            if content.get("type") != "AdaptiveCard" or not isinstance(content.get("body"), list):
                return Refusal(self.invalid, "AdaptiveCard with a body required")
        return None


class TeamsLegacyDialect(Dialect):
    ok = Answer(200, "1")
    throttled = Answer(200, "Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0")
    permanent = Answer(404, "Webhook not found")
    invalid = Answer(400, "Summary or Text is required.")
    max_body_bytes = 28_000

    def retry_after(self, seconds: float) -> Answer:
        return self.throttled

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        if body.get("@type") == "MessageCard" and (body.get("summary") or body.get("text")):
            return None
        return Refusal(self.invalid, "MessageCard with summary or text required")


# A per-platform fake builds on the classes above (hence the late import).
from tests.fakes.platforms.telegram import TelegramDialect  # noqa: E402

DIALECTS: dict[PlatformName, Dialect] = {
    PlatformName.FEISHU: FeishuDialect(),
    PlatformName.LARK: FeishuDialect(),
    PlatformName.DINGTALK: DingTalkDialect(),
    PlatformName.WECOM: WeComDialect(),
    PlatformName.SLACK: SlackDialect(),
    PlatformName.DISCORD: DiscordDialect(),
    PlatformName.TEAMS: TeamsWorkflowDialect(),
    PlatformName.TELEGRAM: TelegramDialect(),
}
TEAMS_LEGACY = TeamsLegacyDialect()


# --- the server -----------------------------------------------------------------------------


class FakePlatformServer:
    """``async with FakePlatformServer() as server: bot = server.add_bot("feishu", secret="s")``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.bots: dict[str, FakeBot] = {}
        self.unknown_requests = 0
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def __aenter__(self) -> FakePlatformServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if self.port == 0 and server is not None:
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_post("/open-apis/bot/v2/hook/{token}", self.route(lambda r: r.match_info["token"]))
        app.router.add_post("/robot/send", self.route(lambda r: r.query.get("access_token", "")))
        app.router.add_post("/cgi-bin/webhook/send", self.route(lambda r: r.query.get("key", "")))
        app.router.add_post("/services/{a}/{b}/{c}", self.route(lambda r: r.match_info["c"]))
        app.router.add_post("/api/webhooks/{id}/{token}", self.route(lambda r: r.match_info["token"]))
        app.router.add_post("/workflows/{id}{tail:.*}", self.route(lambda r: r.match_info["id"]))
        app.router.add_post(
            "/webhookb2/{id}{tail:.*}", self.route(lambda r: r.match_info["id"].partition("@")[0])
        )
        telegram_token = self.route(lambda r: r.match_info["key"].partition(":")[2])
        app.router.add_post("/bot{key}/sendMessage", telegram_token)
        app.router.add_get("/__stats", self.stats_handler)
        app.router.add_get("/__received", self.received_handler)
        return app

    def add_bot(
        self,
        platform: PlatformName | str,
        secret: str | None = None,
        keyword: str | None = None,
        legacy: bool = False,
    ) -> FakeBot:
        """A new webhook; for Teams, ``legacy`` makes it an Office 365 connector URL."""
        name = PlatformName(platform)
        token = secrets.token_hex(12)
        if name is PlatformName.TEAMS and not legacy:
            secret = secret or secrets.token_urlsafe(16)  # the URL's sig
        bot = FakeBot(name, token, self.bot_url(name, token, secret, legacy), secret, keyword, legacy)
        self.bots[token] = bot
        return bot

    def bot_url(self, name: PlatformName, token: str, secret: str | None, legacy: bool) -> str:
        base = self.base_url
        paths = {
            PlatformName.FEISHU: f"/open-apis/bot/v2/hook/{token}",
            PlatformName.LARK: f"/open-apis/bot/v2/hook/{token}",
            PlatformName.DINGTALK: f"/robot/send?access_token={token}",
            PlatformName.WECOM: f"/cgi-bin/webhook/send?key={token}",
            PlatformName.SLACK: f"/services/T{token[:8].upper()}/B{token[8:].upper()}/{token}",
            PlatformName.DISCORD: f"/api/webhooks/{int(token[:12], 16)}/{token}",
            PlatformName.TELEGRAM: f"/bot{int(token[:6], 16)}:{token}/sendMessage",
            PlatformName.TEAMS: (
                f"/webhookb2/{token}@tenant/IncomingWebhook/{token[:8]}/owner"
                if legacy
                else f"/workflows/{token}/triggers/manual/paths/invoke?api-version=2016-06-01&sig={secret}"
            ),
        }
        return base + paths[name]

    def route(
        self, key_of: Callable[[web.Request], str]
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            return await self.handle(request, key_of(request))

        return handler

    def dialect(self, request: web.Request, bot: FakeBot | None) -> Dialect:
        if request.path.startswith("/webhookb2/"):
            return TEAMS_LEGACY
        if bot is not None:
            return DIALECTS[bot.platform]
        families = {
            "/open-apis/": PlatformName.FEISHU,
            "/robot/": PlatformName.DINGTALK,
            "/cgi-bin/": PlatformName.WECOM,
            "/services/": PlatformName.SLACK,
            "/api/webhooks/": PlatformName.DISCORD,
            "/bot": PlatformName.TELEGRAM,
        }
        return DIALECTS[
            next((n for p, n in families.items() if request.path.startswith(p)), PlatformName.TEAMS)
        ]

    async def handle(self, request: web.Request, key: str) -> web.StreamResponse:
        bot = self.bots.get(key)
        dialect = self.dialect(request, bot)
        raw = await request.read()
        if bot is None:
            self.unknown_requests += 1
            return dialect.permanent.response()
        bot.requests += 1
        now = time.monotonic()
        over = bot.over_limit(now, get_platform(bot.platform).rate_limits)
        if over:
            bot.violations.append(over)
        scripted = bot.next_scripted()
        if scripted is not None:
            answer = await self.scripted_answer(scripted, bot, dialect, request, raw, now)
            if answer is not None:
                return answer
        if over:
            bot.rejections.append(("throttled", over))
            return dialect.throttled.response()
        try:
            body = json.loads(raw)
        except ValueError:
            bot.rejections.append(("invalid", "body is not JSON"))
            return dialect.invalid.response()
        refusal = dialect.check(bot, request, raw, body)
        if refusal is not None:
            bot.rejections.append((str(refusal.answer.status), refusal.reason))
            return refusal.answer.response()
        bot.received.append((now, body))
        return dialect.ok.response()

    async def scripted_answer(
        self, script: str, bot: FakeBot, dialect: Dialect, request: web.Request, raw: bytes, now: float
    ) -> web.StreamResponse | None:
        """The scripted answer, or None to go on with the normal checks (after "slow")."""
        kind, _, argument = script.partition(":")
        if kind == "slow":
            await asyncio.sleep(float(argument or 1))
            return None
        if kind == "ok":
            with contextlib.suppress(ValueError):
                bot.received.append((now, json.loads(raw)))
            return dialect.ok.response()
        if kind == "close":
            if request.transport is not None:
                request.transport.close()
            bot.rejections.append(("close", "scripted"))
            return web.Response(status=500)
        answers = {
            "throttle": dialect.throttled,
            "permanent": dialect.permanent,
            "unknown_webhook": dialect.permanent,
            "invalid": dialect.invalid,
        }
        if kind in answers:
            answer = answers[kind]
        elif kind == "429":
            answer = dialect.retry_after(float(argument or 1))
        elif kind.isdigit():
            answer = Answer(int(kind), {"error": "scripted"} if int(kind) >= 400 else None)
        else:
            raise ValueError(f"unknown scripted answer {script!r}")
        bot.rejections.append((kind, "scripted"))
        return answer.response()

    def stats(self) -> dict[str, Any]:
        bots = [bot.stats() for bot in self.bots.values()]
        totals = {
            key: sum(item[key] for item in bots)
            for key in ("requests", "received", "violations", "rejections")
        }
        return {"bots": bots, "totals": totals | {"unknown": self.unknown_requests}}

    async def stats_handler(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats())

    async def received_handler(self, request: web.Request) -> web.Response:
        """Every bot's received bodies and rate-limit violations (for tests in other processes)."""
        return web.json_response(
            {
                bot.url: {"bodies": [body for _, body in bot.received], "violations": bot.violations}
                for bot in self.bots.values()
            }
        )


# --- as a process ---------------------------------------------------------------------------


async def serve(args: argparse.Namespace) -> None:
    server = FakePlatformServer(args.host, args.port)
    await server.start()
    platforms = list(DIALECTS) if args.platform == "all" else [PlatformName(args.platform)]
    for platform in platforms:
        for _ in range(args.bots):
            bot = server.add_bot(platform, secret=args.secret, keyword=args.keyword, legacy=args.legacy)
            line = {"platform": platform.value, "url": bot.url, "secret": bot.secret, "keyword": bot.keyword}
            line["settings"] = bot.settings
            print(json.dumps(line), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    await server.stop()
    print(json.dumps(server.stats()["totals"]), file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake chat platform webhooks for tests and benchmarks.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--platform", default="feishu", choices=[*(p.value for p in PlatformName), "all"])
    parser.add_argument("--bots", type=int, default=1)
    parser.add_argument("--secret", default=None)
    parser.add_argument("--keyword", default=None)
    parser.add_argument("--legacy", action="store_true", help="Teams: Office 365 connector URLs")
    asyncio.run(serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
