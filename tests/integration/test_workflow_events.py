"""Issue-workflow events in (JSON and CloudEvents), on SQLite and PostgreSQL: accepted once,
routed to the webhooks that want them, delivered as cards to a fake Feishu bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fakes.platform_server import FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, deliveries, eventually

WORKFLOW_TRIGGERS = ["issue.approval_needed", "issue.approved", "rollout.failed"]


def workflow_event(event_id: str = "evt-1", kind: str = "issue.approval_needed") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": kind,
        "actor": {"name": "Ann", "email": "ann@example.com"},
        "issue": {
            "id": 42,
            "title": "Add index on orders",
            "url": "https://flow.example.com/issues/42",
            "status": "pending_approval",
            "creator": {"name": "Ann", "email": "ann@example.com"},
        },
        "users": [{"role": "approver", "name": "Bob", "email": "bob@example.com"}],
    }


@pytest.fixture
async def feishu() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def setup(client: httpx.AsyncClient, feishu: FakePlatformServer) -> tuple[int, str, Any]:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client, name="orders")
    await create_webhook(client, project_id, platform="feishu", url=bot.url, triggers=WORKFLOW_TRIGGERS)
    return project_id, token, bot


async def test_an_event_is_accepted_once_and_delivered_as_an_orange_card(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    project_id, token, bot = await setup(client, feishu)
    url = f"/api/v1/projects/{project_id}/events"
    first = await client.post(url, json=workflow_event(), headers=bearer(token))
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "accepted"
    assert first.json()["deliveries"] == 1
    again = await client.post(url, json=workflow_event(), headers=bearer(token))
    assert again.status_code == 202
    assert again.json()["status"] == "duplicate"
    assert again.json()["event_id"] == first.json()["event_id"]
    await eventually(lambda: len(bot.received) == 1, what="the card")
    card = bot.received[0][1]["card"]
    assert card["header"]["template"] == "orange"
    assert "Add index on orders" in card["header"]["title"]["content"]
    assert "orders" in json.dumps(card), "the project name fills in for a body without project"
    assert bot.rejections == []


async def test_only_webhooks_whose_triggers_include_the_kind_get_it(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    project_id, token, _bot = await setup(client, feishu)
    other = feishu.add_bot("feishu")
    await create_webhook(client, project_id, platform="feishu", url=other.url, triggers=["issue.created"])
    url = f"/api/v1/projects/{project_id}/events"
    answer = await client.post(url, json=workflow_event("e-2", "issue.approved"), headers=bearer(token))
    assert answer.json()["deliveries"] == 1
    created = await client.post(url, json=workflow_event("e-3", "issue.created"), headers=bearer(token))
    assert created.json()["deliveries"] == 1
    await eventually(lambda: len(other.received) == 1, what="the issue.created card")
    comment = {**workflow_event("e-4", "issue.comment_created"), "comment": {"body": "Looks good"}}
    none = await client.post(url, json=comment, headers=bearer(token))
    assert none.status_code == 202
    assert none.json()["deliveries"] == 0


async def test_who_may_post(client: httpx.AsyncClient, feishu: FakePlatformServer) -> None:
    project_id, _token, _bot = await setup(client, feishu)
    _other_id, other_token = await create_project(client, name="other")
    url = f"/api/v1/projects/{project_id}/events"
    admin = await client.post(url, json=workflow_event("by-admin"))  # the client's admin bearer
    assert admin.status_code == 202, admin.text
    anonymous = await client.post(url, json=workflow_event("anon"), headers={"Authorization": ""})
    assert anonymous.status_code == 401
    wrong = await client.post(url, json=workflow_event("wrong"), headers=bearer("hcp_not-a-token"))
    assert wrong.status_code == 401
    foreign = await client.post(url, json=workflow_event("foreign"), headers=bearer(other_token))
    assert foreign.status_code == 403
    missing = await client.post("/api/v1/projects/999999/events", json=workflow_event("x"))
    assert missing.status_code == 404


async def test_bad_bodies_are_refused_clearly(client: httpx.AsyncClient, feishu: FakePlatformServer) -> None:
    project_id, token, _bot = await setup(client, feishu)
    url = f"/api/v1/projects/{project_id}/events"
    malformed = await client.post(
        url, content=b"{nope", headers={**bearer(token), "Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    wrong_type = await client.post(url, json={"id": "x", "type": "issue.deleted"}, headers=bearer(token))
    assert wrong_type.status_code == 422
    assert "type" in wrong_type.json()["detail"]
    huge = await client.post(url, content=b"x" * (5 * 1024 * 1024), headers=bearer(token))
    assert huge.status_code == 413
    no_issue = {k: v for k, v in workflow_event("no-issue").items() if k != "issue"}
    lacking = await client.post(url, json=no_issue, headers=bearer(token))
    assert lacking.status_code == 422
    assert lacking.json()["detail"] == "issue.approval_needed: missing issue.id or issue.title"
    assert await deliveries(client, project_id) == []


async def test_cloudevents_in_both_modes(client: httpx.AsyncClient, feishu: FakePlatformServer) -> None:
    project_id, token, bot = await setup(client, feishu)
    url = f"/api/v1/projects/{project_id}/events"
    data = {k: v for k, v in workflow_event().items() if k not in ("id", "type")}
    envelope = {
        "specversion": "1.0",
        "id": "ce-1",
        "source": "https://flow.example.com",
        "type": "com.example.issue.approved",
        "data": data,
    }
    structured = await client.post(
        url,
        content=json.dumps(envelope),
        headers={**bearer(token), "Content-Type": "application/cloudevents+json"},
    )
    assert structured.status_code == 202, structured.text
    assert structured.json()["deliveries"] == 1
    binary_headers = {
        **bearer(token),
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "ce-2",
        "ce-source": "/flow",
        "ce-type": "com.example.rollout.failed",
    }
    binary = await client.post(url, content=json.dumps(data), headers=binary_headers)
    assert binary.status_code == 202, binary.text
    assert binary.json()["status"] == "accepted"
    replay = await client.post(url, content=json.dumps(data), headers=binary_headers)
    assert replay.json()["status"] == "duplicate"
    other = await client.post(
        url, content=b"{}", headers={**binary_headers, "ce-id": "ce-3", "ce-type": "build.done"}
    )
    assert other.status_code == 202
    assert other.json()["status"] == "ignored"
    await eventually(lambda: len(bot.received) == 2, what="two cards")
    templates = sorted(body["card"]["header"]["template"] for _, body in bot.received)
    assert templates == ["green", "red"]


async def test_the_schema_is_in_openapi(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/api/v1/projects/{project_id}/events"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "issue.approval_needed" in schema["properties"]["type"]["enum"]
    assert "$defs" not in json.dumps(schema)
