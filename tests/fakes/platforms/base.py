"""What every fake platform is made of: a bot (one webhook on the fake server), the answers it
gives, the dialect that checks a request as the platform does, and the declaration a platform's
fake module exports (its routes and the path of a new bot's URL).

The server (`tests.fakes.platform_server`) is generic; each platform's fake lives in
``tests/fakes/platforms/<name>.py`` next to its IM app fake.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

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
    # the webhook settings a message to this bot needs (Telegram: its chat)
    settings: dict[str, str] = field(default_factory=dict)
    received: list[tuple[float, Any]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    rejections: list[tuple[str, str]] = field(default_factory=list)  # (answer kind, why)
    requests: int = 0
    # False: the platform's rate limits are not played (a test of many requests in a row)
    enforce_limits: bool = True
    # what the platform remembers of the bot's messages (Telegram's chats, Google Chat's threads)
    # and how many of each kind of request it took ("posts", "edits", "replies", "threads")
    state: dict[str, Any] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
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

    def stats(self) -> dict[str, Any]:
        return {
            "platform": self.platform.value,
            "token": self.token,
            "requests": self.requests,
            "received": len(self.received),
            "violations": len(self.violations),
            "rejections": len(self.rejections),
            "counts": dict(self.counts),
        }


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

    def accept(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Answer:
        """The answer to a request every check passed (and what the platform keeps of it): a
        platform whose answer names the new message overrides this."""
        return self.ok

    def check_security(self, bot: FakeBot, request: web.Request, body: dict[str, Any]) -> Refusal | None:
        return None

    def check_shape(self, body: dict[str, Any]) -> Refusal | None:
        return None


KeyOf = Callable[[web.Request], str]


@dataclass(frozen=True)
class Route:
    """A webhook path the fake serves (an aiohttp pattern), how a request there names its bot,
    and the dialect that answers there."""

    path: str
    key_of: KeyOf
    dialect: Dialect
    method: str = "POST"  # Discord edits its messages with PATCH


@dataclass(frozen=True)
class FakePlatform:
    """One platform's fake webhooks, exported as ``FAKES`` by its module."""

    name: PlatformName
    routes: tuple[Route, ...]
    bot_path: Callable[[str, str | None, bool], str]  # (token, secret, legacy) -> path and query
    secret_in_url: bool = False  # the URL carries the secret (made up when none is given)
    has_legacy: bool = False  # it also has an older kind of webhook URL (``legacy=True``)
    settings_of: Callable[[str], dict[str, str]] = lambda token: {}  # a new bot's settings
