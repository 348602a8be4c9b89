"""Cases for the management API (``/api/v1``, from the OpenAPI document): strangers, bad ids,
a wrong type for every field, hostile strings, broken and oversized bodies, bad queries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from hookcast.web.deps import PROJECT_TOKEN_PATHS
from hookcast.web.guard import BodyLimits
from tests.integration.hostile_corpus.values import (
    BAD_IDS,
    HOSTILE_STRINGS,
    JSON,
    Case,
    Seed,
    StreamedBody,
    fill,
    headers_of,
    params_of,
    with_content_type,
    wrong_value,
)

_REFUSED = frozenset({401, 403})  # the request guard refuses a body before reading it (401), the route 403


def management_cases(seed: Seed, routes: list[tuple[str, str]], openapi: dict[str, Any]) -> Iterator[Case]:
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
            if who == "a project token" and PROJECT_TOKEN_PATHS.fullmatch(filled):
                # A project's silences take its own token: another project's is the stranger here.
                other = headers_of(authorization=f"Bearer {seed.token_b}", **JSON)
                yield Case(
                    method, filled, other, body, f"{method} {path}: another project's token", expect=_REFUSED
                )
                continue
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
SILENCE = {"match": {"kinds": ["push"]}, "duration_minutes": 60, "comment": "corpus"}


def _valid_bodies(seed: Seed) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        ("POST", "/api/v1/projects"): {"name": "corpus-project"},
        ("PATCH", "/api/v1/projects/{project_id}"): {"name": "corpus-renamed"},
        ("POST", "/api/v1/projects/{project_id}/webhooks"): {
            "platform": "slack",
            "url": "https://hooks.slack.com/services/T024BE7LD/B01ABCD2EFG/corpusNewSecret000000000",
        },
        ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"name": "corpus"},
        ("POST", "/api/v1/projects/{project_id}/silences"): SILENCE,
        ("POST", "/api/v1/silences"): SILENCE,
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
