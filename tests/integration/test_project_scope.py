"""A project's token reaches its own project only (issue 13, High 1), on SQLite and PostgreSQL:
a token cannot post into another project's chats nor mark another project's event ids as seen;
the events API keeps an event in the project its URL names; only a project the admin made a
group / system hook receiver (``routes_other_projects``) hands events on, and only inside its
``gitlab_path``; long idempotency keys are told apart by their whole text."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.fakes.platform_server import FakePlatformServer
from tests.fixtures import load_fixture
from tests.integration.helpers import create_project, create_webhook, deliveries, eventually, settled

PUSH: dict[str, Any] = json.loads(load_fixture("docs/push.json"))
PATH = PUSH["project"]["path_with_namespace"]
GROUP = PATH.partition("/")[0]
WORKFLOW_TRIGGERS = ["issue.approval_needed"]


def gitlab_headers(token: str, uuid_: str | None = None) -> dict[str, str]:
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    if uuid_ is not None:
        headers["X-Gitlab-Event-UUID"] = uuid_
    return headers


def push_of(path: str) -> dict[str, Any]:
    return {**PUSH, "project": {**PUSH["project"], "path_with_namespace": path}}


async def project_with_bot(
    client: httpx.AsyncClient, fake: FakePlatformServer, name: str, **fields: object
) -> tuple[int, str, Any]:
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client, name, **fields)
    await create_webhook(
        client,
        project_id,
        platform="feishu",
        url=bot.url,
        branches_to_be_notified="all",
        triggers=["push", *WORKFLOW_TRIGGERS],
    )
    return project_id, token, bot


async def test_a_default_token_cannot_post_into_another_project(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    a_id, a_token, a_bot = await project_with_bot(client, fake, "a")
    b_id, _, b_bot = await project_with_bot(client, fake, "b", gitlab_path=PATH)
    answer = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(a_token))
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "accepted" and answer.json()["deliveries"] == 1
    await eventually(lambda: len(a_bot.received) == 1, what="A's own card")
    await settled(client, a_id)
    assert b_bot.received == []
    assert await deliveries(client, b_id) == []


async def test_a_token_cannot_suppress_another_projects_events(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    _, a_token, _ = await project_with_bot(client, fake, "a")
    _, b_token, b_bot = await project_with_bot(client, fake, "b", gitlab_path=PATH)
    stolen = "0f6c6a5e-0000-4000-8000-b0b0b0b0b0b0"
    await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(a_token, stolen))
    real = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(b_token, stolen))
    assert real.json()["status"] == "accepted", real.text
    await eventually(lambda: len(b_bot.received) == 1, what="B's real event")


async def test_the_events_api_keeps_an_event_in_the_project_its_url_names(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    a_id, a_token, a_bot = await project_with_bot(client, fake, "a")
    b_id, _, b_bot = await project_with_bot(client, fake, "b", gitlab_path="team/b")
    event = {
        "id": "evt-1",
        "type": "issue.approval_needed",
        "project": {"name": "b", "path": "team/b"},
        "issue": {"id": 1, "title": "Ship it", "url": "https://flow.example.com/issues/1"},
    }
    url = f"/api/v1/projects/{a_id}/events"
    bearer = {"Authorization": f"Bearer {a_token}"}
    first = await client.post(url, json=event, headers=bearer)
    assert first.json()["status"] == "accepted", first.text
    await eventually(lambda: len(a_bot.received) == 1, what="A's card")
    # Not even a project that routes others' events routes by the body on this route.
    patched = await client.patch(f"/api/v1/projects/{a_id}", json={"routes_other_projects": True})
    assert patched.status_code == 200, patched.text
    second = await client.post(url, json={**event, "id": "evt-2"}, headers=bearer)
    assert second.json()["status"] == "accepted", second.text
    await eventually(lambda: len(a_bot.received) == 2, what="A's second card")
    await settled(client, a_id)
    assert b_bot.received == []
    assert await deliveries(client, b_id) == []


async def test_a_group_receiver_routes_inside_its_scope_only(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    group_id, group_token, group_bot = await project_with_bot(
        client, fake, "group", gitlab_path=GROUP, routes_other_projects=True
    )
    app_id, app_token, app_bot = await project_with_bot(client, fake, "app", gitlab_path=PATH)
    _, _, outside_bot = await project_with_bot(client, fake, "outside", gitlab_path="elsewhere/thing")
    shown = (await client.get(f"/api/v1/projects/{group_id}")).json()
    assert shown["routes_other_projects"] is True
    assert (await client.get(f"/api/v1/projects/{app_id}")).json()["routes_other_projects"] is False

    routed = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(group_token, "u-1"))
    assert routed.json()["status"] == "accepted", routed.text
    await eventually(lambda: len(app_bot.received) == 1, what="the app's card")
    own = await client.post(
        "/hooks/gitlab", json=push_of(f"{GROUP}/unlisted"), headers=gitlab_headers(group_token, "u-2")
    )
    assert own.json()["status"] == "accepted"
    await eventually(lambda: len(group_bot.received) == 1, what="the group's own card")
    outside = await client.post(
        "/hooks/gitlab", json=push_of("elsewhere/thing"), headers=gitlab_headers(group_token, "u-3")
    )
    assert outside.status_code == 202 and outside.json()["status"] == "ignored"
    assert "outside" in outside.json()["reason"]

    # The group's key for the app is its own: the app's real event with that id still arrives.
    real = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(app_token, "u-1"))
    assert real.json()["status"] == "accepted", real.text
    await eventually(lambda: len(app_bot.received) == 2, what="the app's own event")

    # Scoped without the flag: the project keeps every event in its scope to itself.
    off = await client.patch(f"/api/v1/projects/{group_id}", json={"routes_other_projects": False})
    assert off.json()["routes_other_projects"] is False
    kept = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(group_token, "u-4"))
    assert kept.json()["status"] == "accepted"
    await eventually(lambda: len(group_bot.received) == 2, what="the group keeps the event")
    await settled(client, app_id)
    assert len(app_bot.received) == 2 and outside_bot.received == []


async def test_a_system_hook_receiver_routes_any_path_to_its_project(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    _, token, own_bot = await project_with_bot(client, fake, "system", routes_other_projects=True)
    _, _, app_bot = await project_with_bot(client, fake, "app", gitlab_path=PATH)
    await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(token))
    await client.post("/hooks/gitlab", json=push_of("nobody/here"), headers=gitlab_headers(token))
    await eventually(lambda: len(app_bot.received) == 1 and len(own_bot.received) == 1)


async def test_long_idempotency_keys_sharing_a_prefix_are_two_events(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    project_id, token, bot = await project_with_bot(client, fake, "a")
    shared = "k" * 200
    first = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(token, shared + "-one"))
    second = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(token, shared + "-two"))
    assert first.json()["status"] == "accepted"
    assert second.json()["status"] == "accepted", second.text
    assert second.json()["event_id"] != first.json()["event_id"]
    again = await client.post("/hooks/gitlab", json=PUSH, headers=gitlab_headers(token, shared + "-two"))
    assert again.json()["status"] == "duplicate"
    assert again.json()["event_id"] == second.json()["event_id"]
    await eventually(lambda: len(bot.received) == 2, what="two cards")
    assert len(await deliveries(client, project_id)) == 2


async def test_the_flag_is_in_the_openapi_schemas(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for model in ("ProjectInput", "ProjectPatch", "ProjectView"):
        assert "routes_other_projects" in schemas[model]["properties"], model
    assert schemas["ProjectInput"]["properties"]["routes_other_projects"]["default"] is False
