"""Cases for the inbound routes: the sources' hooks (token or body signature), the workflow
events API (JSON and CloudEvents), and the Feishu / Lark bot's event subscription."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator

from hookcast.sources.registry import SOURCES
from hookcast.sources.signatures import BodyHmac, HubSignature
from tests.fixtures import load_github
from tests.integration.hostile_corpus.values import (
    BAD_IDS,
    BOT_EVENT,
    JSON,
    KIB,
    MIB,
    ONE_EVENT,
    Case,
    Seed,
    StreamedBody,
    headers_of,
    hostile_json_bodies,
)


def _auth_for(path: str, seed: Seed) -> tuple[tuple[bytes, bytes], ...]:
    """The valid credentials of an inbound route (project A's)."""
    if path == "/hooks/gitlab":
        return headers_of(x_gitlab_token=seed.token_a, x_gitlab_event="Push Hook", **JSON)
    return headers_of(authorization=f"Bearer {seed.token_a}", **JSON)


def inbound_cases(seed: Seed, valid_push: bytes, hook_paths: list[str]) -> Iterator[Case]:
    workflow = f"/api/v1/projects/{seed.project_a}/events"
    signed = {s.route.path: s.auth for s in SOURCES if isinstance(s.auth, BodyHmac)}
    for template in sorted(signed):
        if template in hook_paths:
            yield from _signed_cases(template, signed[template], seed)
    hook_paths = [p for p in hook_paths if p not in signed]
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


def _hub(secret: str, body: bytes) -> bytes:
    return b"sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().encode()


def _signed_cases(template: str, scheme: BodyHmac, seed: Seed) -> Iterator[Case]:
    """A route whose requests are signed (GitHub's): project B's route (B has the signing secret)
    with a real signature of each hostile body (so the parser sees it), forged and foreign
    signatures, other projects."""
    assert isinstance(scheme, HubSignature), "the corpus signs GitHub's way; teach it the new scheme"
    path = template.replace("{project_id}", str(seed.project_b))
    valid = load_github("push/with-new-branch.json")
    event = headers_of(x_github_event="push", **JSON)

    def signed(body: bytes, secret: str = seed.signing_secret_b) -> tuple[tuple[bytes, bytes], ...]:
        return (*event, (scheme.header.encode(), _hub(secret, body)))

    for what, body in hostile_json_bodies(valid).items():
        yield Case("POST", path, signed(body), body, f"{path}: {what}", may_write=ONE_EVENT)
    forged: dict[str, bytes] = {
        "no signature": b"",
        "a signature with another secret": _hub("a guess", valid),
        "the signature of another body": _hub(seed.signing_secret_b, b"{}"),
        "a sha1 signature": b"sha1="
        + hmac.new(seed.signing_secret_b.encode(), valid, "sha1").hexdigest().encode(),
        "a non-ASCII signature": "sha256=签名".encode(),
        "a 64 KiB signature": b"sha256=" + b"0" * (64 * KIB),
        "the project token as signature": seed.token_a.encode(),
    }
    for what, value in forged.items():
        headers = event if not value else (*event, (scheme.header.encode(), value))
        yield Case("POST", path, headers, valid, f"{path}: {what}", expect=frozenset({401}))
    other = template.replace("{project_id}", str(seed.project_a))
    yield Case(
        "POST", other, signed(valid), valid, f"{other}: project B's signature", expect=frozenset({401})
    )
    for what, bad in BAD_IDS.items():
        yield Case(
            "POST", template.replace("{project_id}", bad), signed(valid), valid, f"{template}: id {what}"
        )
    yield from _inbound_shapes(path, signed(valid), valid)
    yield from _gitlab_for_a_signing_project(seed)


def _gitlab_for_a_signing_project(seed: Seed) -> Iterator[Case]:
    """GitLab's route for project B, which has a signing secret: the token is not enough."""
    token = headers_of(x_gitlab_token=seed.token_b, x_gitlab_event="Push Hook", **JSON)
    body = b'{"object_kind": "push"}'
    signature = headers_of(webhook_id="msg_1", webhook_timestamp="1614265330")
    for what, extra in {
        "no signature": (),
        "a stale signature": (
            *signature,
            (b"webhook-signature", b"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        ),
        "a signature without its id": ((b"webhook-signature", b"v1,AAAA"),),
        "a non-ASCII signature": (*signature, (b"webhook-signature", "v1,签名".encode())),
    }.items():
        yield Case(
            "POST",
            "/hooks/gitlab",
            (*token, *extra),
            body,
            f"/hooks/gitlab for B: {what}",
            expect=frozenset({401}),
        )
    yield Case(
        "POST",
        "/hooks/gitlab",
        token,
        b"{" * (5 * MIB),
        "/hooks/gitlab for B: 5 MiB unsigned",
        expect=frozenset({401}),
    )


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
        # GET on a project's events lists them in the management API: an inbound token is not
        # an API token there.
        listed = method == "GET" and path.endswith("/events")
        expect = frozenset({401}) if listed else frozenset({405})
        yield Case(method, path, auth, body, f"{path}: method {method}", expect=expect)


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
