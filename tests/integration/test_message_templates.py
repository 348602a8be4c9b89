"""Message templates end to end: saved through the API (a 422 names the kind, the part and the
line), applied by the real worker to a real fake bot, and a template that fails on an event sends
the built-in message with the failure noted on the delivery's attempt."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.fakes.platform_server import FakePlatformServer
from tests.fixtures import load_fixture
from tests.integration.helpers import create_project, create_webhook, eventually, settled

PUSH = load_fixture("docs/push.json")
TEMPLATE = {
    "title": "{{ 1 // (actor.username != 'breaks') }} {{ actor.name }} pushed to {{ branch }}",
    "lines": "{% for c in items %}\n* {{ c.title }}\n{% endfor %}",
    "zh_CN": {"title": "{{ actor.name }} 推送到 {{ branch }}"},
}


@pytest.fixture
async def server() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as fake:
        yield fake


def headers(token: str) -> dict[str, str]:
    return {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook", "Content-Type": "application/json"}


async def test_a_bad_template_is_refused_with_kind_part_and_line(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    answer = await client.post(
        f"/api/v1/projects/{project_id}/webhooks",
        json={
            "platform": "slack",
            "url": "https://hooks.slack.com/services/T0/B0/x",
            "templates": {"push": {"lines": "ok\n{{ actor.nosuch }}"}},
        },
    )
    assert answer.status_code == 422, answer.text
    assert "template of push, lines, line 2" in answer.text
    hook = await create_webhook(
        client, project_id, platform="slack", url="https://hooks.slack.com/services/T0/B0/y"
    )
    refused = await client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"templates": {"push": {"title": "{{ title.__class__ }}"}}}
    )
    assert refused.status_code == 422 and "unsafe" in refused.text
    saved = await client.patch(f"/api/v1/webhooks/{hook['id']}", json={"templates": {"push": TEMPLATE}})
    assert saved.status_code == 200 and saved.json()["templates"] == {"push": TEMPLATE}
    cleared = await client.patch(f"/api/v1/webhooks/{hook['id']}", json={"templates": {"push": None}})
    assert cleared.json()["templates"] == {}


async def test_the_worker_applies_a_template_and_falls_back_when_it_fails(
    client: httpx.AsyncClient, server: FakePlatformServer
) -> None:
    bot = server.add_bot("slack")
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="slack", url=bot.url, branches_to_be_notified="all",
        templates={"push": TEMPLATE},
    )  # fmt: skip
    answer = await client.post("/hooks/gitlab", content=PUSH, headers=headers(token))
    assert answer.status_code == 202, answer.text
    await eventually(lambda: len(bot.received) == 1, what="the templated message")
    sent = json.dumps(bot.received[0][1], ensure_ascii=False)
    assert "1 John Smith pushed to master" in sent
    broken = json.loads(PUSH)
    broken["user_username"] = "breaks"
    broken["checkout_sha"] = "f" * 40
    answer = await client.post("/hooks/gitlab", content=json.dumps(broken), headers=headers(token))
    assert answer.status_code == 202, answer.text
    await eventually(lambda: len(bot.received) == 2, what="the built-in message")
    fallback = json.dumps(bot.received[1][1], ensure_ascii=False)
    assert "pushed to master" not in fallback and "John Smith" in fallback
    history = await settled(client, project_id, count=2)
    assert all(row["state"] == "delivered" for row in history)
    notes = [attempt["response_excerpt"] for row in history for attempt in row["attempt_log"]]
    failed = [note for note in notes if "template failed" in note]
    assert len(failed) == 1 and "push: title, line 1" in failed[0] and "division" in failed[0]


async def test_the_preview_endpoint_renders_the_sample_or_a_stored_event(
    client: httpx.AsyncClient, server: FakePlatformServer
) -> None:
    shown = await client.post(
        "/api/v1/templates/preview",
        json={"kind": "push", "template": TEMPLATE, "language": "zh_CN"},
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["title"] == "John Smith 推送到 master" and shown.json()["tone"] == "success"
    assert shown.json()["lines"] == ["* Update Catalan translation to e38cb41.", "* fixed readme"]
    refused = await client.post(
        "/api/v1/templates/preview", json={"kind": "push", "template": {"fields": [{"label": "{{ x }}"}]}}
    )
    assert refused.status_code == 422 and "template of push, fields[0].label, line 1" in refused.text
    bot = server.add_bot("slack")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="slack", url=bot.url, branches_to_be_notified="all")
    broken = json.loads(PUSH)
    broken["user_username"] = "breaks"
    accepted = await client.post("/hooks/gitlab", content=json.dumps(broken), headers=headers(token))
    event_id = accepted.json()["event_id"]
    failing = await client.post(
        "/api/v1/templates/preview", json={"kind": "push", "template": TEMPLATE, "event_id": event_id}
    )
    assert failing.status_code == 422 and "division" in failing.text
    wrong_kind = await client.post(
        "/api/v1/templates/preview", json={"kind": "tag_push", "template": {}, "event_id": event_id}
    )
    assert wrong_kind.status_code == 422
