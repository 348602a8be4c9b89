"""The `Source` protocol: the HMAC check (real signatures, constant-time compare), idempotency
keys, one parser signature for every registered source, and the rules for generating routes."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac

import pytest

from hookcast.events import Event, EventKind, Tone
from hookcast.sources import Ignored, Rejection
from hookcast.sources.base import BearerToken, BodyHmac, HeaderToken, IdempotencyKey, Route, Source
from hookcast.sources.registry import ALERTMANAGER, CLOUDEVENTS, GITLAB, SOURCES, WORKFLOW
from hookcast.web.inbound.routes import group_by_route

SECRET = "It's a Secret to Everybody"
BODY = b"Hello, World!"
# GitHub's documented test vector for X-Hub-Signature-256 ("Validating webhook deliveries",
# docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries): this secret and payload
# give exactly this signature.
GITHUB_VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
SIGNED = BodyHmac("x-hub-signature-256")


def test_a_real_signature_verifies_and_anything_else_does_not() -> None:
    expected = "sha256=" + hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    assert expected == GITHUB_VECTOR
    assert SIGNED.verify(SECRET, {"x-hub-signature-256": GITHUB_VECTOR}, BODY)
    assert SIGNED.verify(
        SECRET, {"x-hub-signature-256": GITHUB_VECTOR.upper().replace("SHA256", "sha256")}, BODY
    )
    assert not SIGNED.verify("another secret", {"x-hub-signature-256": GITHUB_VECTOR}, BODY)
    assert not SIGNED.verify(SECRET, {"x-hub-signature-256": GITHUB_VECTOR}, BODY + b" ")
    assert not SIGNED.verify(SECRET, {"x-hub-signature-256": GITHUB_VECTOR.removeprefix("sha256=")}, BODY)
    assert not SIGNED.verify(SECRET, {}, BODY)
    assert not SIGNED.verify(SECRET, {"x-hub-signature-256": ""}, BODY)
    assert not SIGNED.verify(SECRET, {"x-hub-signature-256": "sha256=ünïcode"}, BODY)


def test_the_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert SIGNED.verify(SECRET, {"x-hub-signature-256": GITHUB_VECTOR}, BODY)
    assert not SIGNED.verify(SECRET, {"x-hub-signature-256": "sha256=" + "0" * 64}, BODY)
    assert compared == [
        (GITHUB_VECTOR.encode(), GITHUB_VECTOR.encode()),
        (GITHUB_VECTOR.encode(), b"sha256=" + b"0" * 64),
    ]


def event(source_id: str | None) -> Event:
    return Event(kind=EventKind.PUSH, action="pushed", tone=Tone.SUCCESS, source="t", source_id=source_id)


def test_idempotency_keys_come_from_the_event_then_the_first_header_present() -> None:
    headers = {"idempotency-key": "from-header", "x-first": ""}
    by_header = IdempotencyKey(headers=("x-first", "idempotency-key"))
    assert by_header.of(headers, event("from-body")) == "from-header"
    assert by_header.of({}, event("from-body")) is None
    by_event = IdempotencyKey(headers=("idempotency-key",), from_event=True)
    assert by_event.of(headers, event("from-body")) == "from-body"
    assert by_event.of(headers, event(None)) == "from-header"
    assert by_event.of(headers, Ignored("not for us")) == "from-header"
    assert IdempotencyKey(from_event=True).of(headers, Ignored("not for us")) is None


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_every_source_parses_headers_and_bytes_and_refuses_a_broken_body(source: Source) -> None:
    headers = {"content-type": "application/cloudevents+json"} if source is CLOUDEVENTS else {}
    result = source.parse(headers, b"{nope")
    assert isinstance(result, Rejection) and result.status == 400


def test_the_registered_sources_make_three_routes_with_cloudevents_picked_by_headers() -> None:
    routes = group_by_route(SOURCES)
    assert [r.route.path for r in routes] == [
        "/hooks/gitlab",
        "/hooks/alertmanager",
        "/api/v1/projects/{project_id}/events",
    ]
    workflow = routes[2]
    assert workflow.route.names_project and not routes[0].route.names_project
    assert workflow.source_for({"ce-specversion": "1.0"}) is CLOUDEVENTS
    assert workflow.source_for({"content-type": "application/cloudevents+json"}) is CLOUDEVENTS
    assert workflow.source_for({"content-type": "application/json"}) is WORKFLOW
    assert GITLAB.auth == HeaderToken("x-gitlab-token") and ALERTMANAGER.auth == BearerToken()


def test_routes_refuse_declarations_that_cannot_work() -> None:
    signed_without_project = dataclasses.replace(GITLAB, auth=SIGNED)
    with pytest.raises(ValueError, match="project_id"):
        group_by_route([signed_without_project])
    other_auth = dataclasses.replace(WORKFLOW, auth=BearerToken(admin=False))
    with pytest.raises(ValueError, match="disagree"):
        group_by_route([CLOUDEVENTS, other_auth])
    with pytest.raises(ValueError, match="last source"):
        group_by_route([WORKFLOW, CLOUDEVENTS])
    with pytest.raises(ValueError, match="last source"):
        group_by_route([CLOUDEVENTS])
    moved = dataclasses.replace(WORKFLOW, route=Route(WORKFLOW.route.path, "another summary"))
    with pytest.raises(ValueError, match="disagree"):
        group_by_route([CLOUDEVENTS, moved])
