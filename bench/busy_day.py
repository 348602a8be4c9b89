"""How many chat messages one busy day of one project makes, per platform, before and after
living messages (issue 14).

The day is `bench/busy_day_events.py`'s (seeded: about 40 merge requests through their lives,
150 pipelines with refs broken and fixed, pushes, an alert group flapping, a few issues; its
docstring says what is realistic and what is assumed). This process starts ``hookcast serve`` on
SQLite (as `bench/e2e.py` does), creates three projects with one webhook per platform each, all
pointed at a fake chat server in this process that counts what each webhook's chat receives, and
sends the day's hooks, in order, to every project:

- **before**: ``message_mode=every_event`` (a full message per event) and today's default routing;
- **after**: the platform's default message mode (``message_mode`` omitted);
- **after + transitions**: the same, with ``pipelines_to_be_notified=broken_and_fixed``.

While this hookcast has no ``message_mode`` (its OpenAPI schema says so), "before" simply omits
it and "after" is the same configuration, which the table says.

The fake chat server tells requests apart the way platforms do: a PATCH / PUT, or a method named
edit / update, is an **edit**; a request naming a thread or a message to answer (a ``/reply``
path, ``thread_ts``, ``reply_to_message_id`` / ``reply_parameters``, ``root_id``,
``message_reference``, a Google Chat thread key already seen) is a **reply**; anything else is a
**post** (a new message in the chat), a **follow-up** when it is hookcast's compact "↳ …" one.
What the chat shows is its posts: edits change a message, replies sit in threads.

    .venv/bin/python bench/busy_day.py
    .venv/bin/python bench/busy_day.py --seed 7 --merge-requests 60 --platforms discord,telegram
    .venv/bin/python bench/busy_day.py --after-mode follow_up   # one mode for every "after" webhook

No timings: it counts messages. Its answer is a table per platform, and the delivery states
(every delivery should end delivered; anything else is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # this checkout's hookcast, as the server runs it

from bench.busy_day_events import Hook, busy_day, tally  # noqa: E402
from bench.e2e import ADMIN, Processes, free_port, wait_http  # noqa: E402

from hookcast.platforms import PLATFORMS, get_platform  # noqa: E402

BIN = Path(sys.executable).parent
CONFIGS = ("before", "after", "after_transitions")
# Platforms whose webhooks answer a plain "ok" text; every other one gets the JSON below.
TEXT_ANSWERS = frozenset({"slack", "mattermost"})
REPLY_KEYS = ("thread_ts", "reply_to_message_id", "reply_parameters", "root_id", "message_reference")
FOLLOW_UP_MARK = "↳"


@dataclass
class Chat:
    """What one webhook's chat received."""

    posts: int = 0
    follow_ups: int = 0  # posts that are compact "↳" follow-ups
    edits: int = 0
    replies: int = 0
    threads: set[str] = field(default_factory=set)


def answer_body(n: int) -> dict[str, Any]:
    """One answer every JSON-answering platform's ``classify`` takes as delivered, naming the new
    message the ways they name it (Discord's id, Telegram's result, Google Chat's name, Feishu's
    data, Slack's ts), so that posted references can be read from it."""
    return {
        "ok": True,
        "code": 0,
        "errcode": 0,
        "StatusCode": 0,
        "msg": "success",
        "errmsg": "ok",
        "id": str(n),
        "ts": f"1700000000.{n:06d}",
        "name": f"spaces/AAAA/messages/{n}",
        "thread": {"name": f"spaces/AAAA/threads/{n}"},
        "result": {"message_id": n},
        "data": {"message_id": f"om_{n}"},
    }


def classify(chat: Chat, request: web.Request, raw: bytes) -> str:
    """post, edit or reply (see the module docstring)."""
    path = request.path.lower()
    if request.method in ("PATCH", "PUT") or "edit" in path or path.endswith(".update"):
        return "edit"
    if "/reply" in path:
        return "reply"
    try:
        body = json.loads(raw)
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if any(body.get(key) for key in REPLY_KEYS):
        return "reply"
    query = parse_qs(request.query_string)
    thread = (query.get("threadKey") or [""])[0] or str((body.get("thread") or {}).get("threadKey") or "")
    if thread:
        seen = thread in chat.threads
        chat.threads.add(thread)
        if seen:
            return "reply"
    return "post"


class FakeChats:
    """One aiohttp site per (configuration, platform), each a chat that counts what it gets."""

    def __init__(self) -> None:
        self.chats: dict[tuple[str, str], Chat] = {}
        self.ports: dict[tuple[str, str], int] = {}
        self.sent = 0
        self.runners: list[web.AppRunner] = []

    async def start(self, configs: tuple[str, ...], platforms: list[str]) -> None:
        for config in configs:
            for platform in platforms:
                key = (config, platform)
                self.chats[key] = Chat()
                app = web.Application(client_max_size=8 * 1024 * 1024)
                app.router.add_route("*", "/{tail:.*}", self.handler(key))
                runner = web.AppRunner(app, access_log=None, handle_signals=False)
                await runner.setup()
                port = free_port()
                await web.TCPSite(runner, "127.0.0.1", port).start()
                self.runners.append(runner)
                self.ports[key] = port

    async def stop(self) -> None:
        for runner in self.runners:
            await runner.cleanup()

    def handler(self, key: tuple[str, str]) -> Any:
        chat = self.chats[key]
        platform = key[1]

        async def handle(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            what = classify(chat, request, raw)
            if what == "edit":
                chat.edits += 1
            elif what == "reply":
                chat.replies += 1
            else:
                chat.posts += 1
                if FOLLOW_UP_MARK.encode() in raw or b"\\u21b3" in raw.lower():
                    chat.follow_ups += 1
            self.sent += 1
            if platform in TEXT_ANSWERS:
                return web.Response(text="ok")
            return web.json_response(answer_body(self.sent))

        return handle


# What a platform's example URL lacks to be accepted as a webhook (Teams: the signature).
EXTRA_QUERY = {"teams": "api-version=1&sig=example"}


def local_url(platform: str, example_url: str, port: int) -> str:
    """The platform's example webhook URL, on the fake chat's port."""
    parts = urlsplit(example_url)
    query = "&".join(filter(None, (parts.query, EXTRA_QUERY.get(platform, ""))))
    return urlunsplit(("http", f"127.0.0.1:{port}", parts.path, query, ""))


async def create_webhook(
    http: aiohttp.ClientSession, base: str, project_id: int, webhook: dict[str, Any]
) -> tuple[int, bool]:
    """The new webhook's id, and whether hookcast took its ``message_mode`` (a hookcast without
    the field refuses it with a 422 naming it: the webhook is then created without it)."""
    url = f"{base}/api/v1/projects/{project_id}/webhooks"
    async with http.post(url, json=webhook) as answer:
        created = await answer.json()
        status = answer.status
    if status == 422 and "message_mode" in webhook and "message_mode" in json.dumps(created):
        without = {key: value for key, value in webhook.items() if key != "message_mode"}
        return (await create_webhook(http, base, project_id, without))[0], False
    if status != 201:
        raise RuntimeError(f"{webhook['platform']} webhook refused: {status} {created}")
    return int(created["id"]), True


async def set_up(
    http: aiohttp.ClientSession, base: str, chats: FakeChats, platforms: list[str], after_mode: str
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The three projects and their webhooks (config -> {"id", "token", "webhooks": {id: platform}}),
    and the mode each platform's "after" webhooks have ("-": this hookcast has no modes)."""
    projects: dict[str, dict[str, Any]] = {}
    after_modes: dict[str, str] = {}
    has_modes = True
    for config in CONFIGS:
        async with http.post(f"{base}/api/v1/projects", json={"name": f"busy-day-{config}"}) as answer:
            project = await answer.json()
            if answer.status != 201:
                raise RuntimeError(f"project refused: {answer.status} {project}")
        webhooks: dict[int, str] = {}
        for platform in platforms:
            declared = get_platform(platform)
            webhook: dict[str, Any] = {
                "platform": platform,
                "url": local_url(platform, declared.example_url, chats.ports[(config, platform)]),
                "settings": dict(declared.example_settings),
            }
            if config == "before":
                webhook["message_mode"] = "every_event"
            elif after_mode:
                webhook["message_mode"] = after_mode
            if config == "after_transitions":
                webhook["pipelines_to_be_notified"] = "broken_and_fixed"
            webhook_id, took_mode = await create_webhook(http, base, project["id"], webhook)
            if config == "after":
                default = declared.message_modes(declared.example_url)[0].value
                after_modes[platform] = webhook.get("message_mode", default) if took_mode else default
            if config == "before":  # every_event is every platform's: refused, there are no modes
                has_modes = has_modes and took_mode
            webhooks[webhook_id] = platform
        projects[config] = {"id": project["id"], "token": project["gitlab_token"], "webhooks": webhooks}
    if not has_modes:
        after_modes = dict.fromkeys(platforms, "-")
    return projects, after_modes


async def send_day(http: aiohttp.ClientSession, base: str, token: str, hooks: list[Hook]) -> Counter[str]:
    """The day's hooks to one project, one at a time and in order, as GitLab and Alertmanager send
    them; returns hookcast's answers (accepted, ignored …)."""
    answers: Counter[str] = Counter()
    for hook in hooks:
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        if hook.source == "gitlab":
            headers |= {
                "X-Gitlab-Token": token,
                "X-Gitlab-Event": hook.header or "",
                "X-Gitlab-Event-UUID": str(uuid.uuid4()),
            }
        else:
            headers["Authorization"] = f"Bearer {token}"
        async with http.post(f"{base}/hooks/{hook.source}", data=hook.body, headers=headers) as answer:
            if answer.status != 202:
                raise RuntimeError(f"{hook.kind}: {answer.status} {await answer.text()}")
            answers[str((await answer.json()).get("status", "accepted"))] += 1
    return answers


async def deliveries_in(
    http: aiohttp.ClientSession, base: str, project_id: int, state: str
) -> list[dict[str, Any]]:
    """Up to one page (500) of a project's deliveries in ``state``."""
    url = f"{base}/api/v1/projects/{project_id}/deliveries?state={state}&limit=500"
    async with http.get(url) as answer:
        found: list[dict[str, Any]] = await answer.json()
        return found


async def settle(
    http: aiohttp.ClientSession, base: str, projects: dict[str, dict[str, Any]], timeout: float
) -> None:
    """Wait until no delivery is pending or being sent (or ``timeout`` seconds pass)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        waiting = 0
        for project in projects.values():
            for state in ("pending", "sending"):
                waiting += len(await deliveries_in(http, base, project["id"], state))
        if not waiting:
            return
        await asyncio.sleep(0.5)


async def run(args: argparse.Namespace, base: str, chats: FakeChats, platforms: list[str]) -> None:
    hooks = busy_day(args.seed, args.merge_requests)
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
        projects, after_modes = await set_up(admin, base, chats, platforms, args.after_mode)
    async with aiohttp.ClientSession() as http:
        answers = await asyncio.gather(*(send_day(http, base, p["token"], hooks) for p in projects.values()))
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
        await settle(admin, base, projects, args.timeout)
        unfinished: Counter[tuple[str, str]] = Counter()
        for config, project in projects.items():
            for state in ("pending", "sending", "failed", "dead", "skipped"):
                for delivery in await deliveries_in(admin, base, project["id"], state):
                    unfinished[
                        (config, f"{project['webhooks'].get(delivery['webhook_id'], '?')} {state}")
                    ] += 1
    report(hooks, answers[0], chats, platforms, after_modes, unfinished)


def report(
    hooks: list[Hook],
    answers: Counter[str],
    chats: FakeChats,
    platforms: list[str],
    after_modes: dict[str, str],
    unfinished: Counter[tuple[str, str]],
) -> None:
    kinds = tally(hooks)
    print(
        f"busy day: {len(hooks)} hooks sent ("
        + ", ".join(
            f"{kinds[k]} {k}" for k in ("merge_request", "pipeline", "push", "alert", "issue") if k in kinds
        )
        + f"; {kinds['pipelines']} pipelines), hookcast answered "
        + ", ".join(f"{n} {status}" for status, n in sorted(answers.items()))
    )
    if "-" in after_modes.values():
        print("this hookcast has no message_mode yet: 'before' and 'after' are the same configuration")
    print("\nmessages posted = new messages in the chat (what it shows); a/t = after / after+transitions")
    columns = (
        "platform",
        "after's mode",
        "events",
        "before",
        "after",
        "after+trans",
        "edits a/t",
        "replies a/t",
        "↳ a/t",
    )
    widths = (16, 13, 7, 7, 7, 12, 11, 12, 9)
    print(
        "".join(
            f"{c:>{w}}" if i > 1 else f"{c:<{w}}"
            for i, (c, w) in enumerate(zip(columns, widths, strict=True))
        )
    )
    for platform in platforms:
        before, after, transitions = (chats.chats[(config, platform)] for config in CONFIGS)
        declared = get_platform(platform)
        mode = after_modes[platform]
        cells = (
            declared.label[:15],
            mode[:12],
            len(hooks),
            before.posts,
            after.posts,
            transitions.posts,
            f"{after.edits}/{transitions.edits}",
            f"{after.replies}/{transitions.replies}",
            f"{after.follow_ups}/{transitions.follow_ups}",
        )
        print(
            "".join(
                f"{c:>{w}}" if i > 1 else f"{c:<{w}}"
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )
    if unfinished:
        print("\ndeliveries not delivered:")
        for (config, what), n in sorted(unfinished.items()):
            print(f"  {config}: {n} {what}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--merge-requests", type=int, default=40)
    parser.add_argument("--platforms", default="", help="comma-separated (default: every platform)")
    parser.add_argument(
        "--after-mode",
        default="",
        help="a message mode for the 'after' columns instead of each platform's default "
        "(where a platform refuses it, its default)",
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the deliveries")
    args = parser.parse_args()
    platforms = [p.strip() for p in args.platforms.split(",") if p.strip()] or [p.value for p in PLATFORMS]

    procs = Processes()
    workdir = Path(tempfile.mkdtemp(prefix="hookcast-busy-day-"))
    env = {
        **os.environ,
        "HOOKCAST_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'hookcast.db'}",
        "HOOKCAST_ADMIN_TOKEN": ADMIN,
        "HOOKCAST_DATA_DIR": str(workdir),
        "HOOKCAST_EXTRA_ALLOWED_HOSTS": "127.0.0.1",
        "HOOKCAST_ENFORCE_RATE_LIMITS": "false",
        "HOOKCAST_LOG_LEVEL": "WARNING",
        # hookcast from this checkout, whatever the virtual environment's editable install names
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT / "src"), os.environ.get("PYTHONPATH")))),
    }
    env.pop("HOOKCAST_SECRET_KEY", None)

    async def main_async() -> None:
        chats = FakeChats()
        await chats.start(CONFIGS, platforms)
        try:
            await run(args, base, chats, platforms)
        finally:
            await chats.stop()

    with contextlib.ExitStack() as stack:
        stack.callback(procs.stop)
        port = free_port()
        procs.start([str(BIN / "hookcast"), "serve", "--port", str(port)], env, workdir / "serve.log")
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz")
        asyncio.run(main_async())
    print(f"\n(hookcast's log: {workdir / 'serve.log'})")


if __name__ == "__main__":
    main()
