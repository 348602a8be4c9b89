"""The corpus's vocabulary: a case, the seeded state it is sent against, hostile values, and the
routes and paths read from the app."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

KIB = 1024
MIB = 1024 * KIB

# What an accepted inbound request may write: one event and its deliveries.
ONE_EVENT = frozenset({"events", "deliveries"})
BOT_EVENT = frozenset({"feishu_bot_events"})


@dataclass(frozen=True)
class Seed:
    """The known state the corpus is sent against."""

    project_a: int
    token_a: str
    project_b: int
    token_b: str
    webhook_a: int
    delivery_a: int
    person: int
    api_token_id: int
    admin_token: str
    metrics_token: str
    session_cookie: str  # a signed-in UI session
    csrf_cookie: str
    csrf_token: str  # the form token of that session
    feishu_verification_token: str
    lark_verification_token: str
    signing_secret_b: str = ""  # project B's, for signed routes (and GitLab's, signed for B)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes | StreamedBody | None
    description: str
    may_write: frozenset[str] = frozenset()
    expect: frozenset[int] | None = None  # the statuses the answer must be among, when known

    @property
    def key(self) -> tuple[object, ...]:
        body = self.body if not isinstance(self.body, StreamedBody) else ("stream", self.body.size)
        return (self.method, self.path, self.headers, body)


@dataclass(frozen=True)
class StreamedBody:
    """A body sent in chunks with no Content-Length (chunked transfer), ``size`` bytes of JSON-ish
    filler."""

    size: int
    chunk: int = 256 * KIB

    async def chunks(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.size:
            piece = min(self.chunk, self.size - sent)
            yield b"[" * piece
            sent += piece


def headers_of(**named: str | bytes) -> tuple[tuple[bytes, bytes], ...]:
    """Header pairs from keyword arguments (``x_gitlab_token`` is ``x-gitlab-token``); str values
    are sent as UTF-8 bytes, as a hostile client would."""
    return tuple(
        (name.replace("_", "-").encode(), value if isinstance(value, bytes) else value.encode())
        for name, value in named.items()
    )


JSON = {"content_type": "application/json"}


def with_content_type(
    headers: tuple[tuple[bytes, bytes], ...], value: bytes
) -> tuple[tuple[bytes, bytes], ...]:
    return (*(h for h in headers if h[0] != b"content-type"), (b"content-type", value))


# --- hostile values ---------------------------------------------------------------------------

HOSTILE_STRINGS = {
    "SQL-ish": "x'; DROP TABLE projects; --",
    "SQL-ish union": "1 UNION SELECT token_digest FROM projects",
    "template-ish": "{{ 7*7 }}{% raw %}${7*7}<%= 7*7 %>",
    "HTML": "<script>alert(1)</script>",
    "bidi override": "abc\u202edcba\u2066x\u2069",
    "control characters": "a\x01b\x07c\x1bd\x7f",
    "NUL": "a\x00b",
    "lone surrogate escape": "\ud800",
    "10k characters": "x" * 10_000,
    "emoji and CJK": "项目🚀",
}

BAD_IDS = {
    "zero": "0",
    "negative": "-1",
    "float": "1.5",
    "exponent": "1e3",
    "over 64 bits": "9223372036854775808",
    "far over 64 bits": "99999999999999999999999",
    "NaN": "NaN",
    "text": "abc",
}


def _deep(depth: int) -> bytes:
    return b'{"object_kind": "push", "x": ' + b"[" * depth + b"]" * depth + b"}"


def hostile_json_bodies(valid: bytes) -> dict[str, bytes]:
    """Broken variants of one valid JSON body (and some that are hostile from scratch)."""
    text = valid.decode()
    first_string = re.search(r'"[^"]*"\s*:\s*"([^"]*)"', text)
    assert first_string, "the valid body needs a string field"
    start, end = first_string.span(1)

    def with_value(raw: str) -> bytes:
        return (text[:start] + raw + text[end:]).encode()

    return {
        "truncated JSON": valid[: len(valid) // 2],
        "broken JSON": b'{"object_kind": "push",,}',
        "JSON with a BOM": b"\xef\xbb\xbf" + valid,
        "raw NUL byte in a string": with_value("a\x00b"),
        "escaped NUL in a string": with_value("a\\u0000b"),
        "lone surrogate": with_value("\\ud800"),
        "lone low surrogate": with_value("\\udfff x"),
        "invalid UTF-8": with_value("\xff").replace("\xff".encode(), b"\xff\xfe"),
        "bidi and control characters": with_value("\\u202eevil\\u0007\\u001b[31m"),
        "10,000-deep nesting": _deep(10_000),
        "a JSON array": b"[]",
        "a JSON string": b'"push"',
        "JSON null": b"null",
        "a huge number": b'{"object_kind": "push", "n": 1' + b"0" * 5000 + b"}",
        "a huge array": b'{"object_kind": "push", "commits": [' + b"{}," * 100_000 + b"{}]}",
        "empty body": b"",
        "SQL-ish string": with_value("x'; DROP TABLE events; --"),
        "template-ish string": with_value("{{ 7*7 }}${7*7}"),
    }


def wrong_value(schema: dict[str, Any]) -> object:
    """A value of another JSON type than ``schema`` declares."""
    kinds = {schema.get("type")} | {
        option.get("type") for option in schema.get("anyOf", []) if isinstance(option, dict)
    }
    if "string" in kinds:
        return {"not": ["a", "string"]}
    if "integer" in kinds or "number" in kinds:
        return "twelve"
    if "boolean" in kinds:
        return "maybe"
    if "array" in kinds:
        return {"an": "object"}
    return 12345


# --- the routes, from the app ----------------------------------------------------------------


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves, HEAD left out."""
    found: list[tuple[str, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
                continue
            for method in sorted(getattr(route, "methods", None) or ()):
                if method != "HEAD":
                    found.append((method, route.path))

    walk(list(app.routes))
    return found


def fill(path: str, seed: Seed, **override: str) -> str:
    """The path with its parameters set to seeded rows (or ``override``)."""
    known = {
        "project_id": str(seed.project_a),
        "webhook_id": str(seed.webhook_a),
        "delivery_id": str(seed.delivery_a),
        "person_id": str(seed.person),
        "token_id": str(seed.api_token_id),
        "platform": "feishu",
        "platform_name": "feishu",
        "name": "hookcast.css",
    }
    known.update(override)
    return re.sub(r"\{(\w+)\}", lambda m: known.get(m.group(1), "1"), path)


def params_of(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)
