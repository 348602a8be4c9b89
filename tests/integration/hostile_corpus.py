"""The bad-input corpus, as data: hostile requests to every inbound and management route.

:func:`corpus` turns the app's own route table (so a new route is covered without editing this
file) and a :class:`Seed` (the ids and tokens of a known database) into :class:`Case` values,
always the same ones in the same order. The categories are those of the security audit: lone
surrogates, deep nesting, broken / truncated / BOM / NUL JSON, non-ASCII and foreign tokens,
integers over 64 bits and negative / zero / float ids, huge bodies (declared and streamed), wrong
content types, control and bidi characters, huge headers, forms with hundreds of fields, unknown
routes and methods, UI posts without a CSRF token, path traversal, SQL-ish and template-ish
strings, unknown enum values, huge arrays, and a wrong type for every field of every request body
the OpenAPI document declares.

What a case may write is part of the case: a refused request writes nothing, and only a case
that names tables (``may_write``) may change them when it is accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes

from fastapi import FastAPI

from hookcast.web.guard import BodyLimits

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


# --- the corpus ------------------------------------------------------------------------------


@dataclass
class _Builder:
    seed: Seed
    cases: list[Case] = field(default_factory=list)
    seen: set[tuple[object, ...]] = field(default_factory=set)

    def add(self, case: Case) -> None:
        if case.key not in self.seen:  # distinct requests only
            self.seen.add(case.key)
            self.cases.append(case)


def corpus(app: FastAPI, seed: Seed, valid_push: bytes) -> list[Case]:
    """Every case, deterministic; ``valid_push`` is a GitLab push body the project would accept."""
    builder = _Builder(seed)
    routes = app_routes(app)
    openapi = app.openapi()
    hooks = sorted({path for method, path in routes if path.startswith("/hooks/") and method == "POST"})
    for case in _inbound(seed, valid_push, hooks):
        builder.add(case)
    for case in _api(seed, routes, openapi):
        builder.add(case)
    for case in _ui(seed, routes):
        builder.add(case)
    for case in _operations_and_unknown(seed):
        builder.add(case)
    return builder.cases


def _auth_for(path: str, seed: Seed) -> tuple[tuple[bytes, bytes], ...]:
    """The valid credentials of an inbound route (project A's)."""
    if path == "/hooks/gitlab":
        return headers_of(x_gitlab_token=seed.token_a, x_gitlab_event="Push Hook", **JSON)
    return headers_of(authorization=f"Bearer {seed.token_a}", **JSON)


def _inbound(seed: Seed, valid_push: bytes, hook_paths: list[str]) -> Iterator[Case]:
    workflow = f"/api/v1/projects/{seed.project_a}/events"
    token_routes = [p for p in hook_paths if "/feishu/" not in p and "/lark/" not in p] + [workflow]
    for path in token_routes:
        auth = _auth_for(path, seed)
        for what, body in hostile_json_bodies(valid_push).items():
            yield Case("POST", path, auth, body, f"{path}: {what}", may_write=ONE_EVENT)
        yield from _inbound_auth(path, seed, valid_push)
        yield from _inbound_shapes(path, auth, valid_push)
    # A project token reaches its own project only.
    other = f"/api/v1/projects/{seed.project_b}/events"
    yield Case(
        "POST",
        other,
        headers_of(authorization=f"Bearer {seed.token_a}", **JSON),
        b'{"id": "wf-x", "type": "issue.created"}',
        "workflow: project A's token on project B's route",
        expect=frozenset({403}),
    )
    for what, bad in BAD_IDS.items():
        yield Case(
            "POST",
            f"/api/v1/projects/{bad}/events",
            headers_of(authorization=f"Bearer {seed.token_a}", **JSON),
            b'{"id": "wf-y", "type": "issue.created"}',
            f"workflow: project id {what}",
        )
    yield from _cloudevents(seed, workflow)
    for path in [p for p in hook_paths if p not in token_routes]:
        yield from _bot(path, seed)


def _inbound_auth(path: str, seed: Seed, body: bytes) -> Iterator[Case]:
    token_header = "x-gitlab-token" if path == "/hooks/gitlab" else "authorization"
    prefix = b"" if path == "/hooks/gitlab" else b"Bearer "
    base = tuple(h for h in _auth_for(path, seed) if h[0] != token_header.encode())
    tokens: dict[str, bytes] = {
        "no token": b"",
        "a wrong token": b"wrong-token-0123456789",
        "a non-ASCII token": "tökén-日本語".encode(),
        "a latin-1 token": b"t\xf6ken",
        "a bidi token": "\u202etoken".encode(),
        "a 64 KiB token": b"t" * (64 * KIB),
        "the admin token": seed.admin_token.encode(),
        "the Feishu bot's verification token": seed.feishu_verification_token.encode(),
    }
    for what, token in tokens.items():
        headers = base if not token else (*base, (token_header.encode(), prefix + token))
        expect = None if what == "the admin token" else frozenset({401})
        yield Case("POST", path, headers, body, f"{path}: {what}", may_write=ONE_EVENT, expect=expect)
    if token_header == "authorization":
        for scheme in (b"Basic ", b"bearer  ", b"Token "):
            yield Case(
                "POST",
                path,
                (*base, (b"authorization", scheme + seed.token_a.encode())),
                body,
                f"{path}: the token under the scheme {scheme.decode().strip()!r}",
                may_write=ONE_EVENT,
            )


def _inbound_shapes(path: str, auth: tuple[tuple[bytes, bytes], ...], body: bytes) -> Iterator[Case]:
    plain = tuple(h for h in auth if h[0] != b"content-type")
    for content_type in (
        b"text/plain",
        b"application/x-www-form-urlencoded",
        b"multipart/form-data",
        b"\xff",
    ):
        yield Case(
            "POST",
            path,
            (*plain, (b"content-type", content_type)),
            body,
            f"{path}: content type {content_type!r}",
            may_write=ONE_EVENT,
        )
    yield Case("POST", path, plain, body, f"{path}: no content type", may_write=ONE_EVENT)
    yield Case(
        "POST", path, auth, b"{" * (5 * MIB), f"{path}: a 5 MiB body, declared", expect=frozenset({413})
    )
    yield Case(
        "POST", path, auth, StreamedBody(5 * MIB), f"{path}: a 5 MiB body, streamed", expect=frozenset({413})
    )
    for declared, expect in ((b"99999999999", {413}), (b"-1", None), (b"1e9", None), (b"\xd9\xa3", None)):
        yield Case(
            "POST",
            path,
            (*auth, (b"content-length", declared)),
            b"{}",
            f"{path}: Content-Length {declared!r} on a small body",
            expect=frozenset(expect) if expect else None,
        )
    yield Case(
        "POST",
        path,
        (*auth, (b"x-padding", b"p" * (256 * KIB))),
        body,
        f"{path}: a 256 KiB header",
        may_write=ONE_EVENT,
    )
    many = tuple((f"x-h{i}".encode(), b"v") for i in range(500))
    yield Case("POST", path, (*auth, *many), body, f"{path}: 500 headers", may_write=ONE_EVENT)
    yield Case(
        "POST",
        path,
        (*auth, (b"idempotency-key", "ключ\u202e".encode() * 100)),
        body,
        f"{path}: a long non-ASCII idempotency key",
        may_write=ONE_EVENT,
    )
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        yield Case(method, path, auth, body, f"{path}: method {method}", expect=frozenset({405}))


def _cloudevents(seed: Seed, path: str) -> Iterator[Case]:
    bearer = ("authorization", f"Bearer {seed.token_a}")
    envelope = {"specversion": "1.0", "id": "ce-1", "source": "/x", "type": "com.example.issue.created"}
    structured = (
        (b"content-type", b"application/cloudevents+json"),
        (bearer[0].encode(), bearer[1].encode()),
    )
    variants: dict[str, object] = {
        "data of the wrong type": {**envelope, "data": "text"},
        "specversion 0.3": {**envelope, "specversion": "0.3"},
        "an id of 10,000 characters": {**envelope, "id": "i" * 10_000},
        "a huge data array": {**envelope, "data": {"users": [{}] * 50_000}},
        "data_base64 garbage": {**envelope, "data_base64": "!!!not base64!!!"},
        "numbers for every field": dict.fromkeys(envelope, 1),
    }
    for what, body in variants.items():
        yield Case(
            "POST", path, structured, json.dumps(body).encode(), f"CloudEvents: {what}", may_write=ONE_EVENT
        )
    binary = (
        (b"ce-specversion", b"1.0"),
        (b"ce-id", "ce-\ud800".encode("utf-8", "surrogatepass")),
        (b"ce-source", b"/x"),
        (b"ce-type", "com.example.\u202eissue".encode()),
        (b"content-type", b"application/json"),
        (bearer[0].encode(), bearer[1].encode()),
    )
    yield Case(
        "POST", path, binary, b"{}", "CloudEvents binary: a surrogate id, a bidi type", may_write=ONE_EVENT
    )
    yield Case(
        "POST",
        path,
        (*binary[:4], (b"content-type", b"image/png"), binary[5]),
        b"\x89PNG",
        "CloudEvents binary: image data",
        may_write=ONE_EVENT,
    )


def _bot(path: str, seed: Seed) -> Iterator[Case]:
    """The Feishu / Lark event subscription (verification token in the body; Feishu signs)."""
    token = seed.feishu_verification_token if "/feishu/" in path else seed.lark_verification_token
    challenge = {"type": "url_verification", "token": token, "challenge": "c"}
    v2 = {
        "schema": "2.0",
        "header": {"event_id": "e1", "event_type": "im.message.receive_v1", "token": token},
        "event": {"message": {"chat_id": "oc_1", "content": "{}"}},
    }
    bodies: dict[str, bytes] = {
        "a challenge with a wrong token": json.dumps({**challenge, "token": "wrong"}).encode(),
        "a challenge of 1 MiB": json.dumps({**challenge, "challenge": "c" * MIB}).encode(),
        "a lone surrogate in the challenge": json.dumps(challenge).replace('"c"', '"\\ud800"').encode(),
        "garbage in encrypt": b'{"encrypt": "!!!not base64!!!"}',
        "a short encrypt": b'{"encrypt": "AAAA"}',
        "encrypt of the wrong type": b'{"encrypt": 12}',
        "an event with a wrong token": json.dumps({**v2, "header": {**v2["header"], "token": "x"}}).encode(),
        "an unknown event type": json.dumps({**v2, "header": {**v2["header"], "event_type": "x.y"}}).encode(),
        "a header of the wrong type": json.dumps({**v2, "header": "h"}).encode(),
        "an event id of 10,000 characters": json.dumps(
            {**v2, "header": {**v2["header"], "event_id": "e" * 10_000}}
        ).encode(),
        "10,000-deep nesting": b'{"schema": "2.0", "event": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "broken JSON": b'{"schema": ',
        "a BOM": b"\xef\xbb\xbf" + json.dumps(challenge).encode(),
        "NUL bytes": json.dumps(challenge).encode().replace(b'"c"', b'"\x00"'),
        "invalid UTF-8": b'{"type": "\xff\xfe"}',
    }
    for what, body in bodies.items():
        yield Case("POST", path, headers_of(**JSON), body, f"{path}: {what}", may_write=BOT_EVENT)
    signature_headers = headers_of(
        x_lark_request_timestamp="99999999999999999999",
        x_lark_request_nonce="n\u202e",
        x_lark_signature="签名",
        **JSON,
    )
    yield Case(
        "POST", path, signature_headers, bodies["garbage in encrypt"], f"{path}: non-ASCII signature headers"
    )
    yield Case(
        "POST", path, headers_of(**JSON), b"{" * (5 * MIB), f"{path}: 5 MiB declared", expect=frozenset({413})
    )
    yield Case(
        "POST",
        path,
        headers_of(**JSON),
        StreamedBody(5 * MIB),
        f"{path}: 5 MiB streamed",
        expect=frozenset({413}),
    )
    yield Case("GET", path, (), None, f"{path}: GET", expect=frozenset({405}))


def _api(seed: Seed, routes: list[tuple[str, str]], openapi: dict[str, Any]) -> Iterator[Case]:
    management = [(m, p) for m, p in routes if p.startswith("/api/v1/") and not p.endswith("/events")]
    admin = headers_of(authorization=f"Bearer {seed.admin_token}", **JSON)
    strangers = {
        "no token": headers_of(**JSON),
        "a wrong token": headers_of(authorization="Bearer wrong-token", **JSON),
        "a non-ASCII token": headers_of(authorization="Bearer tökén\u202e", **JSON),
        "a project token": headers_of(authorization=f"Bearer {seed.token_a}", **JSON),
    }
    for method, path in management:
        filled = fill(path, seed)
        takes_body = _takes_body(openapi, method, path)
        body = b"{}" if takes_body else None
        for who, headers in strangers.items():
            yield Case(method, filled, headers, body, f"{method} {path}: {who}", expect=frozenset({401}))
        for param in params_of(path):
            if param.endswith("_id"):
                for what, bad in BAD_IDS.items():
                    yield Case(
                        method,
                        fill(path, seed, **{param: bad}),
                        admin,
                        body,
                        f"{method} {path}: {param} {what}",
                    )
            else:
                yield Case(
                    method,
                    fill(path, seed, **{param: "myspace"}),
                    admin,
                    body,
                    f"{method} {path}: unknown {param}",
                )
                yield Case(
                    method,
                    fill(path, seed, **{param: "..%2f..%2fetc"}),
                    admin,
                    body,
                    f"{method} {path}: {param} traversal",
                )
        if takes_body:
            yield from _api_bodies(seed, method, path, openapi, admin)
    yield from _api_queries(seed, admin)


# Valid bodies, so that one wrong field is the only fault (the others are refused for missing
# fields, which is a hostile case too).
def _valid_bodies(seed: Seed) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        ("POST", "/api/v1/projects"): {"name": "corpus-project"},
        ("PATCH", "/api/v1/projects/{project_id}"): {"name": "corpus-renamed"},
        ("POST", "/api/v1/projects/{project_id}/webhooks"): {
            "platform": "slack",
            "url": "https://hooks.slack.com/services/T024BE7LD/B01ABCD2EFG/corpusNewSecret000000000",
        },
        ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"name": "corpus"},
        ("POST", "/api/v1/people"): {"name": "Corpus Person", "gitlab_username": "corpus"},
        ("PATCH", "/api/v1/people/{person_id}"): {"name": "Corpus Person"},
        ("PUT", "/api/v1/feishu-bot/{platform}/keys"): {"verification_token": seed.feishu_verification_token},
    }


WRITES = {
    "/api/v1/projects": frozenset({"projects"}),
    "/api/v1/projects/{project_id}": frozenset({"projects"}),
    "/api/v1/projects/{project_id}/webhooks": frozenset({"webhooks"}),
    "/api/v1/webhooks/{webhook_id}": frozenset({"webhooks"}),
    "/api/v1/people": frozenset({"people"}),
    "/api/v1/people/{person_id}": frozenset({"people"}),
    "/api/v1/feishu-bot/{platform}/keys": frozenset({"feishu_bot_keys"}),
}


def _takes_body(openapi: dict[str, Any], method: str, path: str) -> bool:
    return "requestBody" in openapi["paths"].get(path, {}).get(method.lower(), {})


def _request_schema(openapi: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation = openapi["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    if isinstance(ref, str):
        resolved: dict[str, Any] = openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return resolved
    return dict(schema)


def _api_bodies(
    seed: Seed, method: str, path: str, openapi: dict[str, Any], admin: tuple[tuple[bytes, bytes], ...]
) -> Iterator[Case]:
    filled = fill(path, seed)
    valid = _valid_bodies(seed).get((method, path), {})
    writes = WRITES.get(path, frozenset())
    schema = _request_schema(openapi, method, path)
    cap = BodyLimits().of(path)
    for name, field_schema in sorted(schema.get("properties", {}).items()):
        body = {**valid, name: wrong_value(field_schema)}
        yield Case(
            method,
            filled,
            admin,
            json.dumps(body).encode(),
            f"{method} {path}: {name} of a wrong type",
            may_write=writes,
        )
    for what, text in HOSTILE_STRINGS.items():
        if valid:
            first = next(iter(valid))
            body_text = json.dumps({**valid, first: text})  # a lone surrogate stays an escape
            yield Case(
                method,
                filled,
                admin,
                body_text.encode(),
                f"{method} {path}: {first} {what}",
                may_write=writes,
            )
    for what, raw in {
        "broken JSON": b'{"name": ',
        "a BOM": b"\xef\xbb\xbf{}",
        "NUL bytes": b'{"name": "a\x00b"}',
        "10,000-deep nesting": b'{"name": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        "a body over the cap": b'{"name": "' + b"x" * cap + b'"}',
        "a JSON array": b"[" + b"{}," * 10_000 + b"{}]",
        "unknown fields": b'{"' + b'": 1, "'.join(f"f{i}".encode() for i in range(500)) + b'": 1}',
    }.items():
        expect = frozenset({413}) if what == "a body over the cap" else None
        yield Case(method, filled, admin, raw, f"{method} {path}: {what}", may_write=writes, expect=expect)
    yield Case(
        method,
        filled,
        (*with_content_type(admin, b"application/json"), (b"content-length", str(cap + 1).encode())),
        b"{}",
        f"{method} {path}: a body over the cap, declared only",
        expect=frozenset({413}),
    )
    yield Case(
        method,
        filled,
        admin,
        StreamedBody(cap + 1),
        f"{method} {path}: a body over the cap, streamed",
        expect=frozenset({413}),
    )
    text_plain = with_content_type(admin, b"text/plain")
    yield Case(
        method,
        filled,
        text_plain,
        json.dumps(valid).encode(),
        f"{method} {path}: text/plain",
        may_write=writes,
    )


def _api_queries(seed: Seed, admin: tuple[tuple[bytes, bytes], ...]) -> Iterator[Case]:
    deliveries = f"/api/v1/projects/{seed.project_a}/deliveries"
    for query in (
        "state=exploded",
        "state=pending&state=sent",
        "limit=0",
        "limit=-5",
        "limit=1e9",
        "limit=99999999999999999999999",
        "before_id=9223372036854775808",
        "before_id=1.5",
        "webhook_id=-1",
        "webhook_id=%00",
        "state=%E2%80%AEpending",
    ):
        yield Case("GET", f"{deliveries}?{query}", admin, None, f"deliveries ?{query}")
    replay = f"/api/v1/projects/{seed.project_a}/replay"
    for query in (
        "since=not-a-date",
        "since=99999-01-01T00:00:00",
        "since=2020-01-01T00:00:00%2B99:00",
        "since=-1",
        "since=1e308",
        "since=2020-01-01&until=1999-01-01",
        "since=2020-01-01&webhook_id=99999999999999999999",
    ):
        yield Case(
            "POST", f"{replay}?{query}", admin, b"", f"replay ?{query}", may_write=frozenset({"deliveries"})
        )
    yield Case(
        "POST",
        "/api/v1/people/import",
        with_content_type(admin, b"text/csv"),
        ("name,gitlab_username\n" + "\u202e,\x00\n" * 3 + '"unterminated\n').encode(),
        "people import: a broken CSV",
        may_write=frozenset({"people"}),
    )
    yield Case(
        "POST",
        "/api/v1/people/import",
        with_content_type(admin, b"text/csv"),
        b"\xff\xfe\x00n\x00a",
        "people import: UTF-16 bytes",
    )


def _ui(seed: Seed, routes: list[tuple[str, str]]) -> Iterator[Case]:
    posts = [p for m, p in routes if m == "POST" and p.startswith("/ui/")]
    form = {"content_type": "application/x-www-form-urlencoded"}
    signed_in = headers_of(
        cookie=f"hookcast_session={seed.session_cookie}; hookcast_csrf={seed.csrf_cookie}", **form
    )
    valid_csrf = f"csrf_token={seed.csrf_token}".encode()
    many = "&".join(f"f{i}=v" for i in range(1000)).encode()
    for path in posts:
        filled = fill(path, seed)
        yield Case("POST", filled, headers_of(**form), b"name=x", f"UI {path}: signed out")
        yield Case(
            "POST", filled, signed_in, b"name=x", f"UI {path}: no CSRF token", expect=frozenset({403, 303})
        )
        yield Case("POST", filled, signed_in, b"csrf_token=forged&name=x", f"UI {path}: a forged CSRF token")
        yield Case(
            "POST", filled, signed_in, "csrf_token=tökén".encode(), f"UI {path}: a non-ASCII CSRF token"
        )
        yield Case("POST", filled, signed_in, many, f"UI {path}: 1,000 fields, no CSRF token")
        yield Case("POST", filled, signed_in, b"\xff\xfe=\xff&%", f"UI {path}: undecodable form, no CSRF")
        for param in params_of(path):
            for what in ("over 64 bits", "negative", "text"):
                yield Case(
                    "POST",
                    fill(path, seed, **{param: BAD_IDS[what]}),
                    signed_in,
                    valid_csrf,
                    f"UI {path}: {param} {what}",
                )
    # With a valid CSRF token: hostile values reach the forms themselves.
    ui_writes = frozenset({"projects", "people", "api_tokens", "instance_settings"})
    for what, text in HOSTILE_STRINGS.items():
        encoded = quote_from_bytes(text.encode("utf-8", "surrogatepass")).encode()
        for path in ("/ui/projects", "/ui/people", "/ui/tokens"):
            yield Case(
                "POST",
                path,
                signed_in,
                valid_csrf + b"&name=" + encoded + b"&gitlab_username=" + encoded,
                f"UI {path}: name {what}",
                may_write=ui_writes,
            )
    yield Case(
        "POST",
        "/ui/projects",
        signed_in,
        valid_csrf + b"&" + many,
        "UI /ui/projects: 1,000 fields with a valid CSRF token",
        may_write=ui_writes,
    )
    yield Case(
        "POST",
        "/ui/settings",
        signed_in,
        valid_csrf + b"&language=klingon&public_url=javascript:alert(1)",
        "UI /ui/settings: unknown language, javascript URL",
        may_write=ui_writes,
    )
    yield Case(
        "POST",
        fill("/ui/projects/{project_id}/integrations/{platform_name}", seed, platform_name="myspace"),
        signed_in,
        valid_csrf + b"&url=https://example.com",
        "UI integrations: an unknown platform",
    )
    yield Case(
        "POST",
        "/ui/sign-in",
        headers_of(**form),
        b"username=admin'--&password=" + b"p" * (64 * KIB),
        "UI sign-in: SQL-ish user, 64 KiB password",
    )
    yield Case(
        "POST",
        "/ui/sign-in",
        headers_of(**form),
        "username=\u202eadmin&password=\x00&next=//evil.example/".encode(),
        "UI sign-in: bidi user, NUL password, off-site next",
    )
    for traversal in (
        "/ui/static/..%2f..%2fsettings.py",
        "/ui/static/%2e%2e%2f%2e%2e%2fapp.py",
        "/ui/static/.hidden.css",
        "/ui/static/hookcast.css%00.js",
        "/ui/static/..%5c..%5capp.py",
        "/ui/static/" + "a" * 5000 + ".css",
        "/guide/feishu/images/..%2f..%2f..%2fsettings.py",
        "/guide/feishu/images/%2e%2e",
        "/ui/static/%c0%ae%c0%ae%2fapp.py",
        "/docs/static/..%2fcore.py",
        "/docs/static/redoc.standalone.js",
        "/docs/static/" + "a" * 5000 + ".js",
    ):
        yield Case("GET", traversal, (), None, f"static path {traversal[:60]}", expect=frozenset({404, 400}))
    for page in (
        "/ui/preview?platform=myspace&kind=push",
        "/ui/preview?platform=slack&kind=%E2%80%AE&language=xx",
        "/ui/projects/9223372036854775808/deliveries?state=exploded",
        "/ui/deliveries/-1",
        "/ui/people/1.5",
    ):
        cookie = headers_of(cookie=f"hookcast_session={seed.session_cookie}")
        yield Case("GET", page, cookie, None, f"UI page {page}")


def _operations_and_unknown(seed: Seed) -> Iterator[Case]:
    for who, value in {
        "no token": None,
        "a wrong token": b"Bearer wrong",
        "a non-ASCII token": "Bearer tökén".encode(),
        "a latin-1 token": b"Bearer t\xf6ken",
        "a 64 KiB token": b"Bearer " + b"t" * (64 * KIB),
        "the admin token": f"Bearer {seed.admin_token}".encode(),
    }.items():
        headers = () if value is None else ((b"authorization", value),)
        yield Case("GET", "/metrics", headers, None, f"/metrics: {who}", expect=frozenset({401}))
    yield Case(
        "GET",
        "/metrics",
        headers_of(authorization=f"Bearer {seed.metrics_token}"),
        None,
        "/metrics: its token",
        expect=frozenset({200}),
    )
    for method in ("POST", "PUT", "DELETE"):
        yield Case(method, "/metrics", (), b"x", f"/metrics: {method}", expect=frozenset({405}))
        yield Case(method, "/healthz", (), b"x", f"/healthz: {method}", expect=frozenset({405}))
    yield Case("GET", "/healthz", ((b"x-padding", b"p" * (256 * KIB)),), None, "/healthz: a 256 KiB header")
    yield Case("GET", "/healthz?" + "a=1&" * 5000, (), None, "/healthz: 5,000 query parameters")
    for method, path in (
        ("GET", "/hooks/unknown"),
        ("POST", "/hooks/github"),
        ("POST", "/hooks/gitlab/extra"),
        ("GET", "/api/v2/projects"),
        ("POST", "/api/v1/unknown"),
        ("TRACE", "/healthz"),
        ("OPTIONS", "/api/v1/projects"),
        ("PROPFIND", "/ui/projects"),
        ("GET", "/%00"),
        ("GET", "/ui/" + "a/" * 2000),
        ("POST", "/docs"),
        ("POST", "/openapi.json"),
        ("GET", "/docs?url=https://evil.example/openapi.json&" + "x=1&" * 1000),
    ):
        yield Case(
            method,
            path,
            headers_of(authorization=f"Bearer {seed.admin_token}"),
            None,
            f"unknown: {method} {path[:40]}",
        )
