"""The reference for bench/e2e.py: the GitLab -> Feishu relay a user could write in an afternoon.

aiohttp in, a token check, JSON parse, a small Feishu card, an in-memory queue, aiohttp out. No
database, no routing, no retries, no rate limits: an event answered 202 is lost if the process
stops, and a failed send is dropped. It measures what the durable pipeline costs over the least a
relay must do, on the same machine, load and bots.

    python bench/naive_relay.py --port 9200 --bots bots.json
    bots.json: {"<token>": "<bot url>", ...}
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

SENDERS = 64  # tasks taking cards off the queue; the same order as hookcast's open connections


def card(event: dict[str, Any]) -> dict[str, Any]:
    """A small Feishu card: who pushed what where, and the commit titles."""
    project = event.get("project") or {}
    commits = event.get("commits") or []
    lines = "\n".join(f"- {str(c.get('message', '')).splitlines()[0][:200]}" for c in commits[:5])
    branch = str(event.get("ref", "")).removeprefix("refs/heads/")
    return {
        "msg_type": "interactive",
        "card": {
            "header": {
                "title": {
                    "tag": "plain_text",
                    "content": f"{event.get('user_name', '?')} pushed to {project.get('name', '?')}/{branch}",
                }
            },
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": lines}}],
        },
    }


def make_app(bots: dict[str, str]) -> web.Application:
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()

    async def hook(request: web.Request) -> web.Response:
        url = bots.get(request.headers.get("X-Gitlab-Token", ""))
        if url is None:
            return web.json_response({"error": "bad token"}, status=401)
        try:
            event = json.loads(await request.read())
        except ValueError:
            return web.json_response({"error": "bad json"}, status=400)
        queue.put_nowait((url, json.dumps(card(event)).encode()))
        return web.json_response({"status": "queued"}, status=202)

    async def send_forever(http: aiohttp.ClientSession) -> None:
        while True:
            url, body = await queue.get()
            try:
                async with http.post(url, data=body, headers={"Content-Type": "application/json"}) as a:
                    await a.read()
            except aiohttp.ClientError:
                pass  # no retries: the naive relay drops what failed

    async def senders(app: web.Application) -> Any:
        http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=SENDERS))
        tasks = [asyncio.create_task(send_forever(http)) for _ in range(SENDERS)]
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await http.close()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hooks/gitlab", hook)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(senders)
    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bots", type=Path, required=True, help="JSON file: token -> bot URL")
    args = parser.parse_args()
    bots = json.loads(args.bots.read_text())
    try:  # hookcast runs on uvloop; so does its reference
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(make_app(bots), host="127.0.0.1", port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
