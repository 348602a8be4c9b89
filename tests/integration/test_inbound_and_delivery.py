"""GitLab and Alertmanager events in, Feishu cards out: on SQLite and PostgreSQL, against a fake
Feishu server that checks signatures and shapes as Feishu does."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from hookcast.store.tables import EventRow
from tests.fakes.platform_server import FakePlatformServer
from tests.fixtures import load_alertmanager, load_fixture
from tests.integration.helpers import create_project, create_webhook, deliveries, eventually, settled

PUSH = load_fixture("docs/push.json")


@pytest.fixture
async def feishu() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


def gitlab_headers(token: str, event: str = "Push Hook", uuid_: str | None = None) -> dict[str, str]:
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": event, "Content-Type": "application/json"}
    if uuid_:
        headers["X-Gitlab-Event-UUID"] = uuid_
    return headers


async def test_a_push_becomes_a_signed_green_feishu_card(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu", secret="feishu-sign-secret")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="feishu",
        url=bot.url,
        secret="feishu-sign-secret",
        branches_to_be_notified="all",
    )
    answer = await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "accepted"
    assert answer.json()["deliveries"] == 1
    await eventually(lambda: len(bot.received) == 1, what="the card")
    card = bot.received[0][1]
    assert card["msg_type"] == "interactive"
    assert card["card"]["header"]["template"] == "green"
    assert bot.rejections == []
    history = await settled(client, project_id)
    assert history[0]["state"] == "delivered"
    attempts = history[0]["attempt_log"]
    assert isinstance(attempts, list) and attempts[0]["status_code"] == 200
    assert "feishu-sign-secret" not in json.dumps(history)
    assert bot.token not in json.dumps(history), "the hook token is redacted from delivery records"


async def test_zh_cn_webhook_gets_a_chinese_card(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="feishu", url=bot.url, language="zh_CN", branches_to_be_notified="all"
    )
    await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    await eventually(lambda: len(bot.received) == 1)
    title = bot.received[0][1]["card"]["header"]["title"]["content"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in title), title


async def test_bad_requests_get_clear_errors_and_store_nothing(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    wrong_token = await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers("hcp_wrong"))
    no_token = await client.post("/hooks/gitlab", content=PUSH, headers={"X-Gitlab-Event": "Push Hook"})
    malformed = await client.post("/hooks/gitlab", content=b"{not json", headers=gitlab_headers(token))
    not_object = await client.post("/hooks/gitlab", content=b"[1, 2]", headers=gitlab_headers(token))
    settings = client.app.state.runtime.settings  # type: ignore[attr-defined]
    huge = b'{"object_kind": "push", "x": "' + b"a" * settings.max_body_bytes + b'"}'
    too_large = await client.post("/hooks/gitlab", content=huge, headers=gitlab_headers(token))
    assert wrong_token.status_code == 401
    assert no_token.status_code == 401
    assert malformed.status_code == 400 and malformed.json()["detail"]
    assert not_object.status_code == 400
    assert too_large.status_code == 413
    assert await deliveries(client, project_id) == []


async def test_a_push_lacking_what_a_push_needs_is_refused_naming_it(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    answer = await client.post("/hooks/gitlab", json={"object_kind": "push"}, headers=gitlab_headers(token))
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": "push: missing ref, before, after, project.path_with_namespace, user_name or user_username"
    }
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(EventRow)) == 0
    assert await deliveries(client, project_id) == []
    accepted = await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    assert accepted.status_code == 202  # the same hook with a whole body still goes through
    await eventually(lambda: len(bot.received) == 1, what="the whole push's card")
    assert bot.requests == 1  # nothing was sent for the refused one


async def test_unknown_hooks_are_recorded_and_ignored(client: httpx.AsyncClient) -> None:
    _, token = await create_project(client)
    answer = await client.post(
        "/hooks/gitlab", json={"object_kind": "telepathy"}, headers=gitlab_headers(token, "Telepathy Hook")
    )
    assert answer.status_code == 202
    assert answer.json()["status"] == "ignored"
    assert answer.json()["event_id"] is not None


async def test_a_retried_gitlab_request_is_accepted_once(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    key = str(uuid.uuid4())
    first = await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token, uuid_=key))
    second = await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token, uuid_=key))
    assert first.json()["status"] == "accepted"
    assert second.json()["status"] == "duplicate"
    assert second.json()["event_id"] == first.json()["event_id"]
    await settled(client, project_id)
    assert len(bot.received) == 1
    assert len(await deliveries(client, project_id)) == 1


async def test_routing_filters_are_applied_at_intake(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    wants_push = feishu.add_bot("feishu")
    only_pipelines = feishu.add_bot("feishu")
    inactive = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="feishu", url=wants_push.url, branches_to_be_notified="all"
    )
    await create_webhook(client, project_id, platform="feishu", url=only_pipelines.url, triggers=["pipeline"])
    await create_webhook(
        client, project_id, platform="feishu", url=inactive.url, active=False, branches_to_be_notified="all"
    )
    answer = await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    assert answer.json()["deliveries"] == 1
    await eventually(lambda: len(wants_push.received) == 1)
    assert only_pipelines.received == [] and inactive.received == []


async def test_failures_are_retried_until_delivered(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    bot.script(["500", "close", "throttle"])
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    history = await settled(client, project_id)
    assert history[0]["state"] == "delivered"
    assert history[0]["attempts"] == 4
    outcomes = [a["outcome"] for a in history[0]["attempt_log"]]  # type: ignore[union-attr]
    assert outcomes == [
        "retry_after",
        "connection_error",
        "retry_after",
        "delivered",
    ]  # 500, closed, throttled
    assert len(bot.received) == 1


async def test_a_permanent_answer_is_not_retried(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu", secret="the-real-secret")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="feishu",
        url=bot.url,
        secret="a-wrong-secret",
        branches_to_be_notified="all",
    )
    await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    history = await settled(client, project_id)
    assert history[0]["state"] == "failed"
    assert history[0]["attempts"] == 1
    assert "19021" in str(history[0]["attempt_log"]) or "sign" in str(history[0]["last_error"]).lower()
    assert bot.received == []


async def test_retries_give_up_after_the_schedule(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    bot.script(["503"] * 10)
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    history = await settled(client, project_id)
    schedule = client.app.state.runtime.settings.retry_schedule  # type: ignore[attr-defined]
    assert history[0]["state"] == "dead"
    assert history[0]["attempts"] == len(schedule)


async def test_resend_delivers_again(client: httpx.AsyncClient, feishu: FakePlatformServer) -> None:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    history = await settled(client, project_id)
    resent = await client.post(f"/api/v1/deliveries/{history[0]['id']}/resend")
    assert resent.status_code == 202
    await eventually(lambda: len(bot.received) == 2, what="the resent card")
    again = await settled(client, project_id)
    assert len(again[0]["attempt_log"]) == 2  # type: ignore[arg-type]


async def test_a_slow_endpoint_does_not_hold_up_others(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    slow = feishu.add_bot("feishu")
    fast = feishu.add_bot("feishu")
    slow.script(["slow:2.5"])
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=slow.url, branches_to_be_notified="all")
    await create_webhook(client, project_id, platform="feishu", url=fast.url, branches_to_be_notified="all")
    await client.post("/hooks/gitlab", content=PUSH, headers=gitlab_headers(token))
    await eventually(lambda: len(fast.received) == 1, what="the fast bot's card")
    assert slow.received == [], "the fast bot got its card while the slow one was still answering"
    await eventually(lambda: len(slow.received) == 1, what="the slow bot's card")


async def test_group_hook_token_routes_by_project_path(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    group_bot = feishu.add_bot("feishu")
    app_bot = feishu.add_bot("feishu")
    push = json.loads(PUSH)
    path = push["project"]["path_with_namespace"]
    group, _, _ = path.partition("/")
    group_id, group_token = await create_project(
        client, "group", gitlab_path=group, routes_other_projects=True
    )
    app_id, _ = await create_project(client, "example", gitlab_path=path)
    other_id, other_token = await create_project(client, "other", gitlab_path="someone-else/thing")
    await create_webhook(
        client, group_id, platform="feishu", url=group_bot.url, branches_to_be_notified="all"
    )
    await create_webhook(client, app_id, platform="feishu", url=app_bot.url, branches_to_be_notified="all")
    routed = await client.post("/hooks/gitlab", json=push, headers=gitlab_headers(group_token))
    assert routed.json()["status"] == "accepted"
    await eventually(lambda: len(app_bot.received) == 1)
    assert group_bot.received == []
    outside = await client.post("/hooks/gitlab", json=push, headers=gitlab_headers(other_token))
    assert outside.status_code == 202 and outside.json()["status"] == "ignored"
    assert await deliveries(client, other_id) == []


async def test_alertmanager_groups_become_red_and_green_cards(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    bot = feishu.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, triggers=["alert"])
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    firing = load_alertmanager("firing")
    resolved = load_alertmanager("resolved")
    unauthorised = await client.post("/hooks/alertmanager", content=firing)
    assert unauthorised.status_code == 401
    assert (await client.post("/hooks/alertmanager", content=firing, headers=bearer)).status_code == 202
    await eventually(lambda: len(bot.received) == 1)
    assert (await client.post("/hooks/alertmanager", content=resolved, headers=bearer)).status_code == 202
    await eventually(lambda: len(bot.received) == 2)
    templates = [body["card"]["header"]["template"] for _, body in bot.received]
    assert templates == ["red", "green"]
    empty_group = await client.post(
        "/hooks/alertmanager", json={"status": "firing", "receiver": "team", "alerts": []}, headers=bearer
    )
    assert empty_group.status_code == 400
    assert empty_group.json() == {"detail": "Alertmanager notification: missing alerts"}
    assert len(await deliveries(client, project_id)) == 2


async def test_send_test_message_reports_the_platform_answer(
    client: httpx.AsyncClient, feishu: FakePlatformServer
) -> None:
    good = feishu.add_bot("feishu", keyword="hookcast")
    bad = feishu.add_bot("feishu", secret="expected")
    project_id, _ = await create_project(client)
    ok_hook = await create_webhook(client, project_id, platform="feishu", url=good.url, keyword="hookcast")
    bad_hook = await create_webhook(client, project_id, platform="feishu", url=bad.url, secret="mismatch")
    ok = (await client.post(f"/api/v1/webhooks/{ok_hook['id']}/test")).json()
    refused = (await client.post(f"/api/v1/webhooks/{bad_hook['id']}/test")).json()
    assert ok["ok"] is True and ok["status_code"] == 200
    assert len(good.received) == 1
    assert refused["ok"] is False and refused["outcome"] == "permanent"
    assert "mismatch" not in json.dumps(refused)
