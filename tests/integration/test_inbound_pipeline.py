"""The one inbound pipeline, for every source, on SQLite and PostgreSQL: routes generated from the
list of sources; authentication before the body is read (a wrong token with an oversized body is
a 401, not a 413); size cap; parser refusals; duplicates; and the HMAC mode with real signatures,
through sources declared here (GitHub's own route: test_github_source.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hookcast.services.project_tokens import set_signing_secret
from hookcast.settings import Settings
from hookcast.sources import ParseResult
from hookcast.sources.base import Headers, HeaderToken, IdempotencyKey, Route, Source
from hookcast.sources.registry import SOURCES, parse_gitlab_request
from hookcast.sources.signatures import BodyHmac, HubSignature, StandardWebhookSignature
from hookcast.store.tables import EventRow, Project
from tests.conftest import running_client
from tests.fixtures import load_alertmanager, load_fixture
from tests.integration.helpers import create_project

PUSH = load_fixture("docs/push.json")
SECRET = "It's a Secret to Everybody"


def signed_gitlab_shaped(name: str, auth: BodyHmac, key_header: str) -> Source:
    """A source declared only here: GitLab bodies, signed the way a later sender signs them."""
    return Source(
        name=name,
        route=Route(f"/hooks/{name}/{{project_id}}", f"Receive a signed GitLab-shaped hook ({name})"),
        auth=auth,
        idempotency=IdempotencyKey(headers=(key_header,)),
        parse=parse_gitlab_request,
        reads_headers=("x-gitlab-event",),
    )


SIGNED = signed_gitlab_shaped("signed-test", HubSignature(), "x-delivery")
STANDARD_SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
STANDARD = signed_gitlab_shaped("standard-test", StandardWebhookSignature(), "webhook-id")


def parser_with_a_bug(_headers: Headers, _body: bytes) -> ParseResult:
    raise KeyError("a field the parser assumed")


BUGGY = Source(
    name="buggy-test",
    route=Route("/hooks/buggy-test", "Receive a hook whose parser has a bug (test)"),
    auth=HeaderToken("x-gitlab-token"),
    idempotency=IdempotencyKey(),
    parse=parser_with_a_bug,
)
TEST_SOURCES = (*SOURCES, SIGNED, STANDARD, BUGGY)


def standard_headers(message_id: str, body: bytes, at: int | None = None) -> dict[str, str]:
    """As GitLab's signing token signs (Standard Webhooks): a retry has the same id but a fresh
    timestamp and signature."""
    at = int(time.time()) if at is None else at
    key = base64.b64decode(STANDARD_SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{at}.".encode() + body, hashlib.sha256).digest()
    return {
        "X-Gitlab-Event": "Push Hook",
        "webhook-id": message_id,
        "webhook-timestamp": str(at),
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """hookcast receiving its own sources plus the signed test source."""
    async with running_client(settings, TEST_SOURCES) as http:
        yield http


def oversized(client: httpx.AsyncClient) -> bytes:
    limit: int = client.app.state.runtime.settings.max_body_bytes  # type: ignore[attr-defined]
    return b'{"x": "' + b"a" * limit + b'"}'


def rejected(client: httpx.AsyncClient, source: str, status: int) -> float:
    metrics = client.app.state.runtime.metrics  # type: ignore[attr-defined]
    value = metrics.registry.get_sample_value(
        "hookcast_events_rejected_total", {"source": source, "status": str(status)}
    )
    return value or 0.0


async def test_the_routes_are_generated_from_the_list_of_sources(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    inbound = {path for path, ops in paths.items() if "inbound" in ops.get("post", {}).get("tags", [])}
    assert inbound == {source.route.path for source in TEST_SOURCES}
    signed = paths["/hooks/signed-test/{project_id}"]["post"]
    names = {p["name"].lower() for p in signed["parameters"]}
    assert {"project_id", "x-hub-signature-256", "x-delivery", "x-gitlab-event"} <= names
    alerts = {p["name"].lower() for p in paths["/hooks/alertmanager"]["post"]["parameters"]}
    assert {"authorization", "idempotency-key"} <= alerts
    events = paths["/api/v1/projects/{project_id}/events"]["post"]
    assert set(events["requestBody"]["content"]) == {"application/json", "application/cloudevents+json"}
    assert {"401", "403", "404", "413", "415", "422"} <= set(events["responses"])


async def test_gitlab_auth_comes_before_the_body_then_size_then_parse(client: httpx.AsyncClient) -> None:
    _, token = await create_project(client)
    hook = {"X-Gitlab-Event": "Push Hook"}
    wrong = await client.post(
        "/hooks/gitlab", content=oversized(client), headers={**hook, "X-Gitlab-Token": "x"}
    )
    assert wrong.status_code == 401 and wrong.json() == {"detail": "unknown or missing token"}
    big = await client.post(
        "/hooks/gitlab", content=oversized(client), headers={**hook, "X-Gitlab-Token": token}
    )
    assert big.status_code == 413
    bad = await client.post("/hooks/gitlab", content=b"{nope", headers={**hook, "X-Gitlab-Token": token})
    assert bad.status_code == 400


async def test_a_parser_bug_is_a_400_not_a_500(client: httpx.AsyncClient) -> None:
    _, token = await create_project(client)
    answer = await client.post("/hooks/buggy-test", content=b"{}", headers={"X-Gitlab-Token": token})
    assert answer.status_code == 400
    assert answer.json() == {"detail": "unreadable buggy-test body (KeyError)"}


async def test_alertmanager_auth_size_parse_and_duplicates(client: httpx.AsyncClient) -> None:
    _, token = await create_project(client)
    bearer = {"Authorization": f"Bearer {token}"}
    wrong = await client.post(
        "/hooks/alertmanager", content=oversized(client), headers={"Authorization": "Bearer hcp_nope"}
    )
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    basic = await client.post(
        "/hooks/alertmanager", content=b"{}", headers={"Authorization": f"Basic {token}"}
    )
    assert basic.status_code == 401
    assert (
        await client.post("/hooks/alertmanager", content=oversized(client), headers=bearer)
    ).status_code == 413
    assert (await client.post("/hooks/alertmanager", content=b"[]", headers=bearer)).status_code == 400
    firing = load_alertmanager("firing")
    keyed = {**bearer, "Idempotency-Key": "am-1"}
    first = await client.post("/hooks/alertmanager", content=firing, headers=keyed)
    again = await client.post("/hooks/alertmanager", content=firing, headers=keyed)
    assert first.json()["status"] == "accepted" and again.json()["status"] == "duplicate"
    assert again.json()["event_id"] == first.json()["event_id"]
    unkeyed = await client.post("/hooks/alertmanager", content=firing, headers=bearer)
    assert unkeyed.json()["status"] == "accepted", "without the header a notification is new"


async def test_workflow_and_cloudevents_share_a_route_but_not_a_source(client: httpx.AsyncClient) -> None:
    project_id, token = await create_project(client, name="flow")
    url = f"/api/v1/projects/{project_id}/events"
    ce = {"ce-specversion": "1.0", "ce-id": "c1", "ce-source": "/x", "ce-type": "issue.created"}
    before = rejected(client, "cloudevents", 401), rejected(client, "workflow", 401)
    refused = await client.post(
        url, content=oversized(client), headers={**ce, "Authorization": "Bearer nope"}
    )
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    plain = await client.post(url, content=oversized(client), headers={"Authorization": "Bearer nope"})
    assert plain.status_code == 401
    assert (rejected(client, "cloudevents", 401), rejected(client, "workflow", 401)) == (
        before[0] + 1,
        before[1] + 1,
    )
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.post(url, content=oversized(client), headers={**ce, **bearer})).status_code == 413
    batch = {**bearer, "Content-Type": "application/cloudevents-batch+json"}
    assert (await client.post(url, content=b"[]", headers=batch)).status_code == 415
    other_type = await client.post(url, content=b"{}", headers={**ce, **bearer, "ce-type": "build.done"})
    assert other_type.json()["status"] == "ignored"
    again = await client.post(url, content=b"{}", headers={**ce, **bearer, "ce-type": "build.done"})
    assert again.json() == other_type.json(), "an ignored CloudEvent is kept once, under its ce-id"
    async with client.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        sources = set(await session.scalars(select(EventRow.source)))
    assert sources == {"cloudevents"}


async def test_a_signed_source_takes_only_bodies_signed_with_the_projects_secret(
    client: httpx.AsyncClient,
) -> None:
    project_id, token = await create_project(client, name="signed")
    runtime: Any = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions.begin() as session:
        await set_signing_secret(session, runtime.box, project_id, SECRET)
    url = f"/hooks/signed-test/{project_id}"
    hook = {"X-Gitlab-Event": "Push Hook", "X-Delivery": "d-1"}

    good = await client.post(url, content=PUSH, headers={**hook, "X-Hub-Signature-256": signature(PUSH)})
    assert good.status_code == 202, good.text
    assert good.json()["status"] == "accepted"
    again = await client.post(url, content=PUSH, headers={**hook, "X-Hub-Signature-256": signature(PUSH)})
    assert again.json()["status"] == "duplicate" and again.json()["event_id"] == good.json()["event_id"]

    forged = await client.post(
        url, content=PUSH, headers={**hook, "X-Hub-Signature-256": signature(PUSH, "guess")}
    )
    tampered = PUSH.replace(b"master", b"mastex")
    altered = await client.post(
        url, content=tampered, headers={**hook, "X-Hub-Signature-256": signature(PUSH)}
    )
    token_instead = await client.post(url, content=PUSH, headers={**hook, "X-Gitlab-Token": token})
    for refused in (forged, altered, token_instead):
        assert refused.status_code == 401, refused.text
    assert forged.json() == {"detail": "the signature does not match the body"}
    assert token_instead.json() == {"detail": "a x-hub-signature-256 signature is required"}

    # A missing signature is refused before the body is read; a present one only after the
    # capped read (it cannot be checked sooner).
    unsigned_big = await client.post(url, content=oversized(client), headers=hook)
    assert unsigned_big.status_code == 401
    signed_big = await client.post(
        url, content=oversized(client), headers={**hook, "X-Hub-Signature-256": "sha256=00"}
    )
    assert signed_big.status_code == 413
    signed_junk = b"{nope"
    junk = await client.post(
        url, content=signed_junk, headers={**hook, "X-Hub-Signature-256": signature(signed_junk)}
    )
    assert junk.status_code == 400


async def test_a_standard_webhooks_source_checks_id_timestamp_and_body(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client, name="standard")
    runtime: Any = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions.begin() as session:
        await set_signing_secret(session, runtime.box, project_id, STANDARD_SECRET)
    url = f"/hooks/standard-test/{project_id}"
    first = await client.post(url, content=PUSH, headers=standard_headers("msg_1", PUSH))
    assert first.status_code == 202, first.text
    retry = await client.post(
        url, content=PUSH, headers=standard_headers("msg_1", PUSH, int(time.time()) + 1)
    )
    assert retry.json()["status"] == "duplicate" and retry.json()["event_id"] == first.json()["event_id"]
    replayed = await client.post(url, content=PUSH, headers=standard_headers("msg_2", PUSH, 1614265330))
    assert replayed.status_code == 401, "a signature from long ago is a replay"
    other_id = {**standard_headers("msg_3", PUSH), "webhook-id": "msg_4"}
    assert (await client.post(url, content=PUSH, headers=other_id)).status_code == 401
    unsigned = {k: v for k, v in standard_headers("msg_5", PUSH).items() if k != "webhook-signature"}
    assert (await client.post(url, content=oversized(client), headers=unsigned)).status_code == 401


async def test_a_signed_source_without_a_secret_or_project_refuses_alike(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client, name="unsigned")
    headers = {"X-Gitlab-Event": "Push Hook", "X-Hub-Signature-256": signature(PUSH)}
    no_secret = await client.post(f"/hooks/signed-test/{project_id}", content=PUSH, headers=headers)
    no_project = await client.post("/hooks/signed-test/999999", content=PUSH, headers=headers)
    assert no_secret.status_code == no_project.status_code == 401
    assert no_secret.json() == no_project.json() == {"detail": "this project has no signing secret"}


async def test_the_signing_secret_is_stored_sealed(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client, name="sealed")
    runtime: Any = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions.begin() as session:
        await set_signing_secret(session, runtime.box, project_id, SECRET)
    async with runtime.sessions() as session:
        stored = await session.scalar(select(Project.signing_secret_sealed).where(Project.id == project_id))
    assert stored and SECRET not in stored and runtime.box.open(stored) == SECRET
    shown = (await client.get(f"/api/v1/projects/{project_id}")).text
    assert SECRET not in shown and stored not in shown
    assert json.loads(shown)["id"] == project_id
