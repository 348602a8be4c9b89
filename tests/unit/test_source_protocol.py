"""The `Source` protocol: idempotency keys, one parser signature for every registered source,
and the rules for generating routes (body signatures: test_signatures.py)."""

from __future__ import annotations

import dataclasses

import pytest

from hookcast.events import Event, EventKind, Tone
from hookcast.sources import Ignored, Rejection
from hookcast.sources.base import BearerToken, HeaderToken, IdempotencyKey, Route, Source
from hookcast.sources.registry import ALERTMANAGER, CLOUDEVENTS, GITHUB, GITLAB, SOURCES, WORKFLOW
from hookcast.sources.signatures import HubSignature, StandardWebhookSignature
from hookcast.web.inbound.routes import group_by_route

SIGNED = HubSignature()


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


def test_the_registered_sources_make_four_routes_with_cloudevents_picked_by_headers() -> None:
    routes = group_by_route(SOURCES)
    assert [r.route.path for r in routes] == [
        "/hooks/gitlab",
        "/hooks/github/{project_id}",
        "/hooks/alertmanager",
        "/api/v1/projects/{project_id}/events",
    ]
    assert routes[1].sources == (GITHUB,) and GITHUB.auth == HubSignature()
    workflow = routes[3]
    assert workflow.route.names_project and not routes[0].route.names_project
    assert workflow.source_for({"ce-specversion": "1.0"}) is CLOUDEVENTS
    assert workflow.source_for({"content-type": "application/cloudevents+json"}) is CLOUDEVENTS
    assert workflow.source_for({"content-type": "application/json"}) is WORKFLOW
    assert GITLAB.auth == HeaderToken("x-gitlab-token", signed_when_set=StandardWebhookSignature())
    assert ALERTMANAGER.auth == BearerToken()
    assert GITLAB.auth_headers == ("x-gitlab-token", "webhook-id", "webhook-timestamp", "webhook-signature")


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
