"""A fake chat-platform server: one aiohttp app that plays every platform at its real paths.

Each platform's fake (``tests/fakes/platforms/<name>.py``) declares its routes and its dialect:
what the platform checks (signature and timestamp freshness, keyword, JSON shape, size limits)
and how it answers. This server is the generic part: bots, per-bot rate limits, scripted
answers, statistics. Tests script the
next answers of a bot; benchmarks run it as a process::

    python -m tests.fakes.platform_server --port 9000 --platform feishu --bots 20

which prints one JSON line per bot (``{"platform", "url", "secret", "keyword"}``) and serves
``GET /__stats`` with the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import secrets
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from hookcast.platforms import get_platform
from hookcast.platforms.base import PlatformName
from tests.fakes.platforms import FAKES
from tests.fakes.platforms.base import Answer, Dialect, FakeBot, Route

__all__ = ["FakeBot", "FakePlatformServer"]

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
        served: set[tuple[str, str]] = set()
        for fake in FAKES.values():
            for route in fake.routes:
                if (route.method, route.path) not in served:  # Feishu and Lark share theirs
                    served.add((route.method, route.path))
                    app.router.add_route(route.method, route.path, self.route(route))
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
        """A new webhook; ``legacy`` makes it the platform's older kind of URL (Teams: an Office
        365 connector URL)."""
        name = PlatformName(platform)
        fake = FAKES[name]
        token = secrets.token_hex(12)
        if fake.secret_in_url and not legacy:
            secret = secret or secrets.token_urlsafe(16)  # the URL's sig
        url = self.base_url + fake.bot_path(token, secret, legacy)
        bot = FakeBot(name, token, url, secret, keyword, legacy, fake.settings_of(token))
        self.bots[token] = bot
        return bot

    def route(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            return await self.handle(request, route.key_of(request), route.dialect)

        return handler

    async def handle(self, request: web.Request, key: str, dialect: Dialect) -> web.StreamResponse:
        bot = self.bots.get(key)
        raw = await request.read()
        if bot is None:
            self.unknown_requests += 1
            return dialect.permanent.response()
        bot.requests += 1
        now = time.monotonic()
        over = bot.over_limit(now, get_platform(bot.platform).rate_limits) if bot.enforce_limits else None
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
        return dialect.accept(bot, request, body).response()

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
    platforms = list(FAKES) if args.platform == "all" else [PlatformName(args.platform)]
    for platform in platforms:
        for _ in range(args.bots):
            bot = server.add_bot(platform, secret=args.secret, keyword=args.keyword, legacy=args.legacy)
            line = {"platform": platform.value, "url": bot.url, "secret": bot.secret, "keyword": bot.keyword}
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
