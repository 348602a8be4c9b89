"""Review reminders end to end, on SQLite and PostgreSQL: GitLab merge request events through the
real inbound route, `send_due` with a fixed clock, the running worker delivering to the fake
platform server (the group digest with native mentions) or the fake IM app (one direct message
per reviewer), nothing when nothing waits, and one reminder per scheduled instant however many
passes or workers ask.

The reminder's time of day is twelve hours away from the real clock, so the worker's own pass
(every 30 s, on the real clock) never finds it due; the tests' clock is a fixed day at that time."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import hookcast.samples
from hookcast.delivery import background
from hookcast.services.review_reminders import send_due
from hookcast.settings import Settings
from hookcast.store.tables import MergeRequestRow
from tests.conftest import ADMIN_TOKEN, running_client
from tests.fakes.platform_server import FakePlatformServer
from tests.fakes.platforms.feishu import FakeFeishu
from tests.integration.helpers import create_project, create_webhook, deliveries, settled
from tests.integration.ui_helpers import UiClient

SAMPLE = json.loads((Path(hookcast.samples.__file__).parent / "gitlab/merge_request.json").read_text())
ALICE = {"id": 11, "name": "Alice", "username": "alice", "email": "alice@example.com"}
BOB = {"id": 12, "name": "Bob", "username": "bob", "email": "bob@example.com"}
CAROL = {"id": 13, "name": "Carol", "username": "carol", "email": "carol@example.com"}
AT = (datetime.now(UTC) + timedelta(hours=12)).replace(second=0, microsecond=0)
REMIND_AT = AT.strftime("%H:%M")
NOW = datetime(2026, 11, 24, AT.hour, AT.minute, tzinfo=UTC) + timedelta(minutes=5)  # a Tuesday
INSTANT = NOW - timedelta(minutes=5)
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def mr_event(
    iid: int,
    action: str = "open",
    *,
    reviewers: list[dict[str, Any]] | None = None,
    actor: dict[str, Any] = CAROL,
    draft: bool = False,
    updated: str = "2026-11-20T10:00:00Z",
    added_reviewers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body = copy.deepcopy(SAMPLE)
    body["user"] = actor
    body["reviewers"] = reviewers if reviewers is not None else []
    body["changes"] = {}
    if added_reviewers is not None:
        body["changes"] = {"reviewers": {"previous": [], "current": added_reviewers}}
    attrs = body["object_attributes"]
    attrs.update(
        iid=iid,
        title=f"Change number {iid}",
        action=action,
        state={"merge": "merged", "close": "closed"}.get(action, "opened"),
        draft=draft,
        work_in_progress=draft,
        author_id=CAROL["id"],
        created_at="2026-11-20T10:00:00Z",
        updated_at=updated,
        url=f"https://gitlab.example.com/team/app/-/merge_requests/{iid}",
    )
    return body


async def post(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> None:
    answer = await client.post(
        "/hooks/gitlab", json=body, headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Merge Request Hook"}
    )
    assert answer.status_code == 202, answer.text


async def remind(store: async_sessionmaker[AsyncSession], now: datetime = NOW) -> int:
    """One reminder pass at ``now``: how many deliveries it enqueued."""
    async with store.begin() as session:
        return sum(r.deliveries for r in await send_due(session, now))


async def test_the_group_gets_one_digest_of_what_waits_with_its_reviewers_mentioned(
    client: httpx.AsyncClient, fake: FakePlatformServer, store: async_sessionmaker[AsyncSession]
) -> None:
    person = {"name": "Alice", "gitlab_username": "alice", "platform_ids": {"feishu": "ou_alice"}}
    assert (await client.post("/api/v1/people", json=person)).status_code == 201
    bot, drafts_bot = fake.add_bot("feishu"), fake.add_bot("feishu")
    project_id, token = await create_project(client)
    reminder = {"reminder_time": REMIND_AT, "reminder_days": EVERY_DAY, "reminder_timezone": "UTC"}
    # Triggers without merge requests: the reminder is not a trigger, the events are still known.
    await create_webhook(client, project_id, platform="feishu", url=bot.url, triggers=["push"], **reminder)
    await create_webhook(
        client,
        project_id,
        platform="feishu",
        url=drafts_bot.url,
        triggers=["push"],
        reminder_drafts=True,
        **reminder,
    )

    await post(client, token, mr_event(1, reviewers=[ALICE]))  # waits on Alice
    await post(client, token, mr_event(2, reviewers=[BOB], draft=True))  # a draft
    await post(client, token, mr_event(3, reviewers=[BOB]))
    await post(client, token, mr_event(3, "merge", reviewers=[BOB], updated="2026-11-21T10:00:00Z"))
    await post(client, token, mr_event(3, "update", reviewers=[BOB], updated="2026-11-20T12:00:00Z"))  # late
    await post(client, token, mr_event(4, reviewers=[CAROL]))
    await post(
        client, token, mr_event(4, "approval", reviewers=[CAROL], actor=CAROL)
    )  # its reviewer approved
    await post(client, token, mr_event(5))
    await post(client, token, mr_event(5, "update", reviewers=[ALICE], added_reviewers=[ALICE]))

    assert await remind(store, INSTANT - timedelta(minutes=1)) == 0, "not yet"
    assert await remind(store) == 2
    assert await remind(store) == 0, "the same instant is not reminded twice"
    assert await remind(store, NOW + timedelta(minutes=30)) == 0
    rows = await settled(client, project_id, 2)
    assert {r["state"] for r in rows} == {"delivered"}
    assert (len(bot.received), len(drafts_bot.received)) == (1, 1)

    card = json.dumps(bot.received[0][1], ensure_ascii=False)
    assert "2 merge requests wait for review" in card
    assert "Change number 1" in card and "Change number 5" in card  # "!" is escaped in Feishu's markdown
    assert "https://gitlab.example.com/team/app/-/merge_requests/1)" in card
    for gone in ("Change number 2", "Change number 3", "Change number 4"):
        assert gone not in card
    assert "waiting on Alice" in card and "by Carol" in card and "4 days" in card
    assert "<at id=ou_alice></at>" in card, "Alice is in the directory: a native mention"
    drafts_card = json.dumps(drafts_bot.received[0][1], ensure_ascii=False)
    assert "3 merge requests wait for review" in drafts_card and "Change number 2" in drafts_card

    # The next day's instant is another reminder.
    assert await remind(store, NOW + timedelta(days=1)) == 2


async def test_nothing_is_sent_when_nothing_waits(
    client: httpx.AsyncClient, fake: FakePlatformServer, store: async_sessionmaker[AsyncSession]
) -> None:
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="feishu", url=bot.url, triggers=["push"], reminder_time=REMIND_AT,
        reminder_days=EVERY_DAY,
    )  # fmt: skip
    await post(client, token, mr_event(1, reviewers=[ALICE]))
    await post(client, token, mr_event(1, "close", reviewers=[ALICE], updated="2026-11-21T10:00:00Z"))
    await post(client, token, mr_event(2, reviewers=[BOB], draft=True))
    await post(client, token, mr_event(6, reviewers=[BOB]))
    await post(client, token, mr_event(6, "approved", reviewers=[BOB], actor=ALICE))  # GitLab: fully approved
    assert await remind(store) == 0
    assert await deliveries(client, project_id) == []
    async with store() as session:
        known = {(r.iid, r.state, r.approved) for r in await session.scalars(select(MergeRequestRow))}
    assert known == {(1, "closed", False), (2, "opened", False), (6, "opened", True)}
    # A week later the closed one is forgotten.
    assert await remind(store, NOW + timedelta(days=8)) == 0
    async with store() as session:
        assert {r.iid for r in await session.scalars(select(MergeRequestRow))} == {2, 6}


async def test_two_workers_at_once_make_one_reminder(
    client: httpx.AsyncClient, fake: FakePlatformServer, store: async_sessionmaker[AsyncSession]
) -> None:
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="feishu", url=bot.url, triggers=["push"], reminder_time=REMIND_AT,
        reminder_days=EVERY_DAY,
    )  # fmt: skip
    await post(client, token, mr_event(1, reviewers=[ALICE]))
    counts = await asyncio.gather(remind(store), remind(store), remind(store))
    assert sorted(counts) == [0, 0, 1]
    await settled(client, project_id, 1)
    assert len(bot.received) == 1


async def test_each_reviewer_gets_their_own_list_as_a_direct_message(
    client: httpx.AsyncClient, fake: FakePlatformServer, store: async_sessionmaker[AsyncSession]
) -> None:
    async with FakeFeishu("cli_a1b2c3d4", "feishu-secret") as app:
        app.add_user("ou_alice", email=ALICE["email"])
        app.add_user("ou_bob", email=BOB["email"])
        saved = await client.put(
            "/api/v1/im-apps/feishu",
            json={"credentials": dict(app.credentials), "api_base_url": app.base_url},
        )
        assert saved.status_code == 200, saved.text
        bot = fake.add_bot("feishu")
        project_id, token = await create_project(client)
        webhook = await create_webhook(
            client, project_id, platform="feishu", url=bot.url, triggers=["push"], reminder_time=REMIND_AT,
            reminder_days=EVERY_DAY, reminder_to="reviewers",
        )  # fmt: skip
        assert webhook["reminder_to"] == "reviewers"
        await post(client, token, mr_event(1, reviewers=[ALICE, BOB]))
        await post(client, token, mr_event(2, reviewers=[BOB]))
        await post(client, token, mr_event(3))  # nobody to remind directly
        assert await remind(store) == 2
        rows = await settled(client, project_id, 2)
        assert {(r["event_kind"], r["state"]) for r in rows} == {("review_reminder", "delivered")}
        assert sorted(r["event_title"] for r in rows) == ["Alice: !1", "Bob: !1, !2"]  # the history's line
        received = {s.user_id: json.dumps(s.body, ensure_ascii=False) for s in app.sent}
        assert sorted(received) == ["ou_alice", "ou_bob"]
        assert "1 merge request waits for review" in received["ou_alice"]
        assert "Change number 1" in received["ou_alice"] and "Change number 2" not in received["ou_alice"]
        assert "2 merge requests wait for review" in received["ou_bob"]
        assert "Change number 3" not in received["ou_bob"]
        assert bot.received == [], "direct messages only: nothing in the group"
        assert await remind(store) == 0


async def test_reminder_options_round_trip_and_bad_ones_are_a_clear_422(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    url = "https://discord.com/api/webhooks/1/abc"
    plain = await create_webhook(client, project_id, platform="discord", url=url)
    assert (plain["reminder_time"], plain["reminder_days"], plain["reminder_timezone"]) == (
        "",
        ["mon", "tue", "wed", "thu", "fri"],
        "UTC",
    )
    assert (plain["reminder_to"], plain["reminder_drafts"]) == ("group", False)
    path = f"/api/v1/webhooks/{plain['id']}"
    changed = await client.patch(
        path,
        json={
            "reminder_time": "09:30",
            "reminder_days": ["fri", "mon"],
            "reminder_timezone": "Asia/Shanghai",
        },
    )
    assert changed.status_code == 200, changed.text
    shown = changed.json()
    assert (shown["reminder_time"], shown["reminder_days"], shown["reminder_timezone"]) == (
        "09:30",
        ["mon", "fri"],
        "Asia/Shanghai",
    )
    for fields, field in (
        ({"reminder_time": "25:00"}, "reminder_time"),
        ({"reminder_timezone": "Mars/Olympus"}, "reminder_timezone"),
        ({"reminder_days": ["someday"]}, "reminder_days"),
        ({"reminder_days": []}, "reminder_days"),
        ({"reminder_to": "everyone"}, "reminder_to"),
        ({"triggers": ["push", "review_reminder"]}, "triggers"),
    ):
        patched = await client.patch(path, json=fields)
        assert patched.status_code == 422, patched.text
        assert field in patched.text
    created = await client.post(
        f"/api/v1/projects/{project_id}/webhooks",
        json={"platform": "discord", "url": url, "reminder_time": "9:30"},
    )
    assert created.status_code == 422 and "reminder_time" in created.text
    off = (await client.patch(path, json={"reminder_time": ""})).json()
    assert (off["reminder_time"], off["reminder_timezone"]) == ("", "Asia/Shanghai")
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert {"reminder_time", "reminder_days", "reminder_timezone", "reminder_to", "reminder_drafts"} <= set(
        schema["WebhookPatch"]["properties"]
    )


async def test_the_ui_form_sets_review_reminders_in_both_languages(
    ui: UiClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    project = await ui.post("/ui/projects", {"name": "app"})
    project_id = int(re.search(r"/ui/projects/(\d+)/rename", project.text).group(1))  # type: ignore[union-attr]
    form = {
        "active": "on",
        "language": "en",
        "triggers": ["push"],
        "branches_to_be_notified": "default",
        "labels_to_be_notified_behavior": "match_any",
        "url": bot.url,
        "quiet_timezone": "UTC",
        "reminder_time": "09:30",
        "reminder_days": ["mon", "wed"],
        "reminder_timezone": "Europe/Berlin",
        "reminder_to": "reviewers",
        "reminder_drafts": "on",
    }
    refused = await ui.post(
        f"/ui/projects/{project_id}/integrations/discord", {**form, "reminder_timezone": "Nowhere/Land"}
    )
    assert refused.status_code == 422
    assert 'id="reminder_timezone-error"' in refused.text and "is not a time zone" in refused.text
    assert 'name="reminder_days" value="wed" checked' in refused.text, "what was entered is shown again"
    saved = await ui.post(f"/ui/projects/{project_id}/integrations/discord", form)
    assert saved.status_code == 303, saved.text
    ui.http.headers.update({"Authorization": f"Bearer {ADMIN_TOKEN}"})
    [webhook] = (await ui.http.get(f"/api/v1/projects/{project_id}/webhooks")).json()
    assert (webhook["reminder_time"], webhook["reminder_days"], webhook["reminder_timezone"]) == (
        "09:30",
        ["mon", "wed"],
        "Europe/Berlin",
    )
    assert (webhook["reminder_to"], webhook["reminder_drafts"]) == ("reviewers", True)
    edit = (await ui.get(f"/ui/webhooks/{webhook['id']}")).text
    assert 'data-testid="review-reminders"' in edit and "Review reminders" in edit
    assert 'name="reminder_time" type="time" value="09:30"' in edit
    assert 'name="reminder_days" value="wed" checked' in edit
    assert 'name="reminder_days" value="tue" checked' not in edit
    assert '<option value="reviewers" selected>' in edit
    await ui.get("/ui/projects?lang=zh_CN")
    chinese = (await ui.get(f"/ui/webhooks/{webhook['id']}")).text
    assert "评审提醒" in chinese and "提醒时间" in chinese and "每位评审人，单独发送其本人的列表" in chinese
    # The reminder is not a trigger: the form offers no checkbox for it.
    assert 'value="review_reminder"' not in edit


async def test_merge_requests_hookcast_cannot_key_are_accepted_and_not_remembered(
    client: httpx.AsyncClient, store: async_sessionmaker[AsyncSession]
) -> None:
    _, token = await create_project(client)
    odd_number = mr_event(1)
    odd_number["object_attributes"]["iid"] = "abc"  # not a number hookcast can key
    long_path = mr_event(2)
    long_path["project"]["path_with_namespace"] = "/".join(["é" * 255] * 8)
    for body in (odd_number, long_path):
        await post(client, token, body)
    await post(client, token, mr_event(3))
    async with store() as session:
        assert [r.iid for r in await session.scalars(select(MergeRequestRow))] == [3]


async def test_the_worker_sends_a_due_reminder_on_its_own_with_the_real_clock(
    settings: Settings, fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "REMINDERS_EVERY", 0.05)  # the chore's pause, not a deadline
    bot = fake.add_bot("feishu")
    async with running_client(settings) as client:
        project_id, token = await create_project(client)
        await post(client, token, mr_event(1, reviewers=[ALICE]))  # known before the reminder exists
        a_minute_ago = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%H:%M")
        await create_webhook(
            client, project_id, platform="feishu", url=bot.url, triggers=["push"], reminder_time=a_minute_ago,
            reminder_days=EVERY_DAY,
        )  # fmt: skip
        rows = await settled(client, project_id, 1)
        assert rows[0]["event_kind"] == "review_reminder" and rows[0]["state"] == "delivered"
        assert "1 merge request waits for review" in json.dumps(bot.received[0][1], ensure_ascii=False)
