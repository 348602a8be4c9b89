"""Google Chat incoming webhooks as the fake server plays them.

Checks what Google checks (the API key and the webhook's token in the query, the 32,000-byte
message ceiling, a message with text or cards, at most 100 widgets a card, buttons opening http(s)
links) and, stricter than Google, that card text holds only the HTML tags Google Chat renders
(Google would show any other tag as literal text: for hookcast that is an escaping bug).

Threads as Google makes them: with ``messageReplyOption`` REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD
(or REPLY_MESSAGE_OR_FAIL) in the query, a message with a thread key (``thread.threadKey`` in
the body, or the deprecated ``threadKey`` query parameter) joins the thread that key started
(kept per bot in ``bot.state["threads"]``) or starts it; without the option the key is ignored
and every message starts a thread. The answer names the message and its thread (``name``,
``thread.name``); the bot's ``counts`` say how many posts, threads and replies it took.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from hookcast.platforms.base import PlatformName
from tests.fakes.platforms.base import Answer, Dialect, FakeBot, FakePlatform, Refusal, Route

API_KEY = "AIzaSyFakeKey0123456789"  # one key for every webhook, as in Google's URLs
MESSAGE_BYTES = 32_000
THREAD_KEY_CHARS = 4_000
REPLY_OPTIONS = frozenset(
    {"MESSAGE_REPLY_OPTION_UNSPECIFIED", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD", "REPLY_MESSAGE_OR_FAIL"}
)
MAX_WIDGETS = 100
WIDGETS = frozenset({"textParagraph", "decoratedText", "buttonList", "divider"})
CARD_TAGS = frozenset({"b", "i", "u", "s", "font", "a", "br"})
_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def google_error(code: int, status: str, message: str) -> Answer:
    return Answer(code, {"error": {"code": code, "message": message, "status": status}})


class GoogleChatDialect(Dialect):
    ok = Answer(200, {"name": "spaces/AAAA/messages/fake.fake", "thread": {"name": "spaces/AAAA/threads/t"}})
    throttled = Answer(
        429,
        {"error": {"code": 429, "message": "Resource has been exhausted", "status": "RESOURCE_EXHAUSTED"}},
        {"Retry-After": "1"},
    )
    permanent = google_error(404, "NOT_FOUND", "Requested entity was not found.")
    invalid = google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
    bad_key = google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
    max_body_bytes = MESSAGE_BYTES

    def retry_after(self, seconds: float) -> Answer:
        return Answer(429, self.throttled.body, {"Retry-After": f"{seconds:g}"})

    def bot_key(self, request: web.Request) -> str:
        return request.query.get("token", "")

    def bot_path(self, token: str, secret: str | None) -> str:
        return f"/v1/spaces/AAAA{token[:8]}/messages?key={API_KEY}&token={token}"

    def too_large(self) -> Answer:
        return google_error(400, "INVALID_ARGUMENT", "Message too large.")

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        if request.query.get("key") != API_KEY:
            return Refusal(self.bad_key, "wrong or missing API key")
        option = request.query.get("messageReplyOption")
        if option is not None and option not in REPLY_OPTIONS:
            bad = google_error(
                400, "INVALID_ARGUMENT", f"Invalid value at 'message_reply_option' ({option!r})"
            )
            return Refusal(bad, "messageReplyOption")
        if len(thread_key(request, body)) > THREAD_KEY_CHARS:
            return Refusal(self.invalid, f"thread key over {THREAD_KEY_CHARS} characters")
        return None

    def accept(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Answer:
        """The message joins its key's thread (or starts it) when the reply option asks."""
        space = f"spaces/{request.match_info['space']}"
        threads: dict[str, str] = bot.state.setdefault("threads", {})
        key = thread_key(request, body)
        replying = request.query.get("messageReplyOption", "").startswith("REPLY_MESSAGE")
        bot.counts["posts"] += 1
        if replying and key and key in threads:
            thread = threads[key]
            bot.counts["replies"] += 1
        else:
            thread = f"{space}/threads/t{bot.counts['threads'] + 1}"
            bot.counts["threads"] += 1
            if replying and key:
                threads[key] = thread
        number = bot.counts["posts"]
        name = f"{space}/messages/m{number}.m{number}"
        thread_body: dict[str, Any] = {"name": thread} | ({"threadKey": key} if key and replying else {})
        return Answer(200, {"name": name, "thread": thread_body, "space": {"name": space}})

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        cards = body.get("cardsV2") or []
        if not body.get("text") and not cards:
            return Refusal(self.invalid, "a message needs text or cardsV2")
        thread = body.get("thread")
        if thread is not None and not isinstance((thread or {}).get("threadKey", ""), str):
            return Refusal(self.invalid, "thread.threadKey must be a string")
        for item in cards:
            problem = card_problem(item)
            if problem:
                return Refusal(self.invalid, problem)
        return None


def thread_key(request: web.Request, body: dict[str, Any]) -> str:
    thread = body.get("thread")
    key = thread.get("threadKey") if isinstance(thread, dict) else None
    return key if isinstance(key, str) and key else request.query.get("threadKey", "")


def card_problem(item: Any) -> str | None:
    card = item.get("card") if isinstance(item, dict) else None
    if not isinstance(card, dict) or not isinstance(card.get("sections"), list):
        return "each cardsV2 item needs a card with sections"
    widgets = [w for section in card["sections"] for w in (section.get("widgets") or [])]
    if len(widgets) > MAX_WIDGETS:
        return f"{len(widgets)} widgets > {MAX_WIDGETS}"
    for widget in widgets:
        kinds = set(widget) if isinstance(widget, dict) else set()
        if len(kinds) != 1 or not kinds <= WIDGETS:
            return f"unknown widget {sorted(kinds)}"
        problem = widget_problem(widget)
        if problem:
            return problem
    return None


def widget_problem(widget: dict[str, Any]) -> str | None:
    for kind in ("textParagraph", "decoratedText"):
        if kind in widget:
            text = widget[kind].get("text")
            if not isinstance(text, str):
                return f"{kind}.text required"
            tags = {tag.lower() for tag in _TAG.findall(text)} - CARD_TAGS
            if tags:
                return f"{kind} text with tags Google Chat does not render: {sorted(tags)}"
    for button in (widget.get("buttonList") or {}).get("buttons", []):
        url = ((button.get("onClick") or {}).get("openLink") or {}).get("url", "")
        if not button.get("text") or not re.match(r"https?://", url):
            return "a button needs text and an http(s) openLink url"
    return None


_DIALECT = GoogleChatDialect()
FAKES = (
    FakePlatform(
        PlatformName.GOOGLE_CHAT,
        (Route("/v1/spaces/{space}/messages", _DIALECT.bot_key, _DIALECT),),
        lambda token, secret, legacy: _DIALECT.bot_path(token, secret),
    ),
)
