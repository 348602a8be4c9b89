"""A minimal Feishu-like bot for benchmarks: answers ``{"code": 0}`` to any bot URL at once and
records when each benchmark event (``benchmark<n>x`` in the card) arrived. No rate limits: it measures
hookcast's pipeline, not the platform's limits.

    python bench/fake_bot.py --port 9100
    GET /__arrivals -> {"requests": count, "arrivals": {"<n>": unix time, ...}}
    GET /__count    -> {"requests": count, "events": how many benchmark events arrived}
      (cheap enough to poll while the benchmark runs: it does not steal the bot's CPU)
    POST /__reset   -> forget every arrival (the next system under test starts from zero)
"""

from __future__ import annotations

import argparse
import re
import time

from aiohttp import web

MARKER = re.compile(rb"benchmark(\d+)x")


def make_app() -> web.Application:
    arrivals: dict[int, float] = {}
    counts = {"requests": 0}

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        now = time.time()
        counts["requests"] += 1
        for match in MARKER.finditer(body):
            arrivals.setdefault(int(match.group(1)), now)
        return web.json_response({"code": 0, "msg": "success", "data": {}})

    async def arrivals_handler(_request: web.Request) -> web.Response:
        return web.json_response({"requests": counts["requests"], "arrivals": arrivals})

    async def count_handler(_request: web.Request) -> web.Response:
        return web.json_response({"requests": counts["requests"], "events": len(arrivals)})

    async def reset_handler(_request: web.Request) -> web.Response:
        arrivals.clear()
        counts["requests"] = 0
        return web.json_response({"requests": 0})

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/open-apis/bot/v2/hook/{token}", hook)
    app.router.add_get("/__arrivals", arrivals_handler)
    app.router.add_get("/__count", count_handler)
    app.router.add_post("/__reset", reset_handler)
    app.router.add_post("/json/{token}", hook)  # Apprise's json:// plugin, for bench/vs_apprise.py
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(make_app(), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
