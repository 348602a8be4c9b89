"""Direct messages end to end: a workflow event needing approval reaches each approver through
the IM app (Feishu, DingTalk, WeCom, Slack fakes), an unknown approver falls back to the group
with the reason recorded, and an access token expiring mid-run is refreshed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.fakes.im_servers import FakeImServer
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.fakes.platforms.dingtalk import FakeDingTalk
from tests.fakes.platforms.feishu import FakeFeishu
from tests.fakes.platforms.slack import FakeSlack
from tests.fakes.platforms.wecom import FakeWeCom
from tests.integration.helpers import create_project, create_webhook, eventually, settled

APPS: dict[str, Callable[[], FakeImServer]] = {
    "feishu": lambda: FakeFeishu("cli_a1b2c3d4", "feishu-secret"),
    "dingtalk": lambda: FakeDingTalk("dingclient", "ding-secret", "dingrobot"),
    "wecom": lambda: FakeWeCom("ww0123456789", "1000002", "wecom-secret"),
    "slack": lambda: FakeSlack("xoxb-test-0123456789"),
}
BOB = {"role": "approver", "name": "Bob", "email": "bob@example.com", "mobile": "13800000001"}
CAROL = {"role": "approver", "name": "Carol", "email": "carol@example.com", "mobile": "13800000002"}


def approval_needed(event_id: str, *approvers: dict[str, str]) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "issue.approval_needed",
        "actor": {"name": "Ann", "email": "ann@example.com"},
        "issue": {"id": 42, "title": "Add index on orders", "url": "https://flow.example.com/issues/42"},
        "users": list(approvers),
    }


@pytest.fixture
async def chat() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


async def set_up(
    client: httpx.AsyncClient, chat: FakePlatformServer, app: FakeImServer, platform: str, **options: object
) -> tuple[int, str, FakeBot]:
    saved = await client.put(
        f"/api/v1/im-apps/{platform}",
        json={"credentials": dict(app.credentials), "api_base_url": app.base_url},
    )
    assert saved.status_code == 200, saved.text
    bot = chat.add_bot(platform)
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform=platform,
        url=bot.url,
        triggers=["issue.approval_needed"],
        direct_messages=True,
        **options,
    )
    return project_id, token, bot


async def post_event(client: httpx.AsyncClient, project_id: int, token: str, body: dict[str, Any]) -> None:
    answer = await client.post(
        f"/api/v1/projects/{project_id}/events", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 202, answer.text


@pytest.mark.parametrize("platform", sorted(APPS))
async def test_approvers_get_a_direct_message_and_unknown_ones_fall_back_to_the_group(
    client: httpx.AsyncClient, chat: FakePlatformServer, platform: str
) -> None:
    async with APPS[platform]() as app:
        app.add_user("u-bob", email=BOB["email"], mobile=BOB["mobile"])
        project_id, token, bot = await set_up(client, chat, app, platform)
        await post_event(client, project_id, token, approval_needed("e1", BOB, CAROL))
        rows = await settled(client, project_id, 3)
        assert [s.user_id for s in app.sent] == ["u-bob"]
        assert "Add index on orders" in str(app.sent[0].body)
        assert len(bot.received) == 1, "the group got its message as usual"
        by_state = sorted((r["state"], r["last_error"] or "") for r in rows)
        assert by_state[0][0] == "delivered" and by_state[1][0] == "delivered"
        assert by_state[2][0] == "failed"
        assert "not found" in by_state[2][1] and "group message carries it" in by_state[2][1]


async def test_direct_only_posts_to_the_group_only_for_those_not_reached(
    client: httpx.AsyncClient, chat: FakePlatformServer
) -> None:
    async with FakeFeishu("cli_a1b2c3d4", "feishu-secret") as app:
        app.add_user("ou_bob", email=BOB["email"])
        project_id, token, bot = await set_up(client, chat, app, "feishu", direct_only=True)
        await post_event(client, project_id, token, approval_needed("e1", BOB))
        await settled(client, project_id, 1)
        assert [s.user_id for s in app.sent] == ["ou_bob"]
        assert bot.received == [], "direct only: nothing in the group when everyone was reached"
        await post_event(client, project_id, token, approval_needed("e2", CAROL))
        rows = await settled(client, project_id, 2)
        await eventually(lambda: len(bot.received) == 1, what="the group fallback")
        notes = {r["id"]: [a["error"] or "" for a in r["attempt_log"]] for r in rows}
        fallback = [r for r in rows if any("posted to the group instead" in n for n in notes[r["id"]])]
        assert len(fallback) == 1 and fallback[0]["state"] == "delivered"
        assert "user not found" in notes[fallback[0]["id"]][0]


async def test_an_access_token_expiring_mid_run_is_refreshed(
    client: httpx.AsyncClient, chat: FakePlatformServer
) -> None:
    async with FakeWeCom("ww0123456789", "1000002", "wecom-secret") as app:
        app.add_user("bob", email=BOB["email"])
        project_id, token, _ = await set_up(client, chat, app, "wecom")
        await post_event(client, project_id, token, approval_needed("e1", BOB))
        await settled(client, project_id, 2)
        tokens_before = app.calls.tokens
        app.expire_tokens()
        await post_event(client, project_id, token, approval_needed("e2", BOB))
        await settled(client, project_id, 4)
        assert [s.user_id for s in app.sent] == ["bob", "bob"]
        assert app.calls.tokens == tokens_before + 1, "one refresh, then the send went through"


async def test_without_an_im_app_the_reason_is_recorded(
    client: httpx.AsyncClient, chat: FakePlatformServer
) -> None:
    bot = chat.add_bot("slack")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="slack",
        url=bot.url,
        triggers=["issue.approval_needed"],
        direct_messages=True,
    )
    await post_event(client, project_id, token, approval_needed("e1", BOB))
    rows = await settled(client, project_id, 2)
    failed = [r for r in rows if r["state"] == "failed"]
    assert len(failed) == 1 and "no Slack IM app is set up" in failed[0]["last_error"]
    assert len(bot.received) == 1


async def test_group_messages_mention_people_from_the_directory(
    client: httpx.AsyncClient, chat: FakePlatformServer
) -> None:
    added = await client.post(
        "/api/v1/people", json={"name": "Bob", "email": BOB["email"], "platform_ids": {"feishu": "ou_bob42"}}
    )
    assert added.status_code == 201, added.text
    bot = chat.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="feishu",
        url=bot.url,
        triggers=["issue.approval_needed"],
        mention_people=True,
    )
    await post_event(client, project_id, token, approval_needed("e1", BOB, CAROL))
    await eventually(lambda: len(bot.received) == 1)
    card = str(bot.received[0][1])
    assert "<at id=ou_bob42></at>" in card, "Bob is in the directory: a native mention"
    assert "ou_" not in card.replace("ou_bob42", ""), "Carol is not: no mention invented for her"


async def test_an_id_a_look_up_found_is_remembered_in_the_directory_and_used_next_time(
    client: httpx.AsyncClient, chat: FakePlatformServer
) -> None:
    async with FakeFeishu("cli_a1b2c3d4", "feishu-secret") as app:
        app.add_user("ou_bob", email=BOB["email"])
        app.add_user("ou_carol", email=CAROL["email"])
        added = await client.post("/api/v1/people", json={"name": "Bob", "email": BOB["email"]})
        assert added.status_code == 201, added.text
        project_id, token, _ = await set_up(client, chat, app, "feishu")
        await post_event(client, project_id, token, approval_needed("e1", BOB, CAROL))
        await settled(client, project_id, 3)
        assert sorted(s.user_id for s in app.sent) == ["ou_bob", "ou_carol"]
        assert app.calls.lookups == 2
        bob = (await client.get(f"/api/v1/people/{added.json()['id']}")).json()
        assert bob["platform_ids"] == {"feishu": "ou_bob"}
        people = (await client.get("/api/v1/people")).json()
        assert [p["email"] for p in people] == [BOB["email"]], "people outside the directory are not added"

        # A fresh client (the app saved again): its look-up cache is empty, the directory is not.
        saved = await client.put(
            "/api/v1/im-apps/feishu",
            json={"credentials": dict(app.credentials), "api_base_url": app.base_url},
        )
        assert saved.status_code == 200, saved.text
        await post_event(client, project_id, token, approval_needed("e2", BOB))
        await settled(client, project_id, 5)
        assert [s.user_id for s in app.sent][-1] == "ou_bob"
        assert app.calls.lookups == 2, "Bob's id came from the directory, without a look-up"
