"""Living messages end to end, on SQLite and PostgreSQL, against the fake platforms: one card per
merge request or alert group, edited in place on Discord (the fake keeps its messages and
counts posts and edits apart), compact follow-ups where a platform cannot edit, a full message
per event when asked; the remembered message survives a restart and a second worker; an edit of
a deleted message posts a new one, which later events edit; an alert group that flaps updates
its card, one that fires again after the window gets a new card; an update waits for its
original when the original's post is delayed."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import hookcast.samples
from hookcast import clock
from hookcast.delivery import claimer
from hookcast.living import Remembered, Step
from hookcast.settings import Settings
from hookcast.store import message_refs, outbox
from hookcast.store.db import create_engine
from hookcast.store.outbox import AttemptRow, NextStep, State
from hookcast.store.tables import Delivery
from tests.conftest import make_settings, running_client
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.fakes.platforms.discord import messages
from tests.integration.helpers import create_project, create_webhook, settled

SAMPLES = Path(hookcast.samples.__file__).parent


def merge_request(action: str, actor: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((SAMPLES / "gitlab/merge_request.json").read_text())
    body["object_attributes"]["action"] = action
    body["user"] = {**body["user"], "name": actor, "username": actor.lower()}
    return body


def alert(status: str) -> bytes:
    return (SAMPLES / f"alertmanager/{status}.json").read_bytes()


async def post_mr(client: httpx.AsyncClient, token: str, action: str, actor: str = "Ann") -> None:
    answer = await client.post(
        "/hooks/gitlab",
        json=merge_request(action, actor),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Merge Request Hook"},
    )
    assert answer.status_code == 202 and answer.json()["status"] == "accepted", answer.text


async def post_alert(client: httpx.AsyncClient, token: str, status: str) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    answer = await client.post("/hooks/alertmanager", content=alert(status), headers=headers)
    assert answer.status_code == 202, answer.text


def shown(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


def only_message(bot: FakeBot) -> str:
    kept = messages(bot)
    assert len(kept) == 1, kept
    return shown(next(iter(kept.values())))


async def discord_project(client: httpx.AsyncClient, bot: FakeBot, **fields: Any) -> str:
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="discord", url=bot.url, triggers=["merge_request", "alert"], **fields
    )
    return token


async def test_a_merge_request_is_one_discord_message_edited_as_it_goes(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    project_id, token = await create_project(client)
    hook = await create_webhook(
        client, project_id, platform="discord", url=bot.url, triggers=["merge_request"]
    )
    assert hook["message_mode"] == "update"
    assert hook["message_modes"] == ["update", "follow_up", "every_event"]
    assert hook["alert_flap_window_minutes"] == 60
    for action, actor in (("open", "Ann"), ("approved", "Bob"), ("merge", "Cy")):
        await post_mr(client, token, action, actor)  # at once: the updates wait for the post
    rows = await settled(client, project_id, 3)
    assert {row["state"] for row in rows} == {"delivered"}
    assert (bot.counts["posts"], bot.counts["edits"]) == (1, 2)
    assert bot.rejections == [] and bot.violations == []
    card = only_message(bot)
    assert "opened by Ann → approved by Bob → merged by Cy" in card, card
    first = shown(bot.received[0][1])
    assert "opened by" not in first  # the first message has no history yet


async def test_where_a_platform_cannot_edit_follow_ups_are_compact(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("wecom")
    project_id, token = await create_project(client)
    hook = await create_webhook(
        client,
        project_id,
        platform="wecom",
        url=bot.url,
        triggers=["merge_request"],
        message_mode="follow_up",
    )
    assert hook["message_mode"] == "follow_up" and "update" not in list(hook["message_modes"])  # type: ignore[call-overload]
    for action in ("open", "approved", "merge"):
        await post_mr(client, token, action)
    await settled(client, project_id, 3)
    bodies = [shown(body) for _, body in bot.received]
    assert len(bodies) == 3
    assert "↳" not in bodies[0] and all("↳" in body for body in bodies[1:]), bodies
    assert all(len(body) < len(bodies[0]) for body in bodies[1:])  # compact: one line


async def test_every_event_is_a_full_message_as_before(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    project_id, token = await create_project(client)
    await create_webhook(
        client,
        project_id,
        platform="discord",
        url=bot.url,
        triggers=["merge_request"],
        message_mode="every_event",
    )
    for action in ("open", "approved", "merge"):
        await post_mr(client, token, action)
    await settled(client, project_id, 3)
    assert (bot.counts["posts"], bot.counts["edits"]) == (3, 0)
    assert all("opened by" not in shown(body) and "↳" not in shown(body) for _, body in bot.received)


async def test_a_mode_the_platform_cannot_do_is_refused_naming_the_field(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    project_id, _ = await create_project(client)
    wecom, discord = fake.add_bot("wecom"), fake.add_bot("discord")
    fields = {"platform": "wecom", "url": wecom.url, "message_mode": "update"}
    answer = await client.post(f"/api/v1/projects/{project_id}/webhooks", json=fields)
    assert answer.status_code == 422 and "message_mode" in answer.text, answer.text
    hook = await create_webhook(client, project_id, platform="discord", url=discord.url)
    for bad in (
        {"message_mode": "sometimes"},
        {"alert_flap_window_minutes": 0},
        {"alert_flap_window_minutes": 1441},
    ):
        answer = await client.patch(f"/api/v1/webhooks/{hook['id']}", json=bad)
        assert answer.status_code == 422 and next(iter(bad)) in answer.text, answer.text
    answer = await client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"message_mode": "follow_up", "alert_flap_window_minutes": 5}
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["message_mode"], answer.json()["alert_flap_window_minutes"]) == ("follow_up", 5)


async def test_the_message_is_remembered_across_a_restart(
    settings: Settings, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    async with running_client(settings) as client:
        token = await discord_project(client, bot)
        await post_mr(client, token, "open")
        await settled(client, 1, 1)
    async with running_client(settings) as client:  # a new app and worker, the same database
        await post_mr(client, token, "merge", "Cy")
        await settled(client, 1, 2)
    assert (bot.counts["posts"], bot.counts["edits"]) == (1, 1)
    assert "merged by Cy" in only_message(bot)


async def test_two_workers_edit_the_same_message(
    postgres_url: str, tmp_path: Path, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    one, two = make_settings(postgres_url, tmp_path / "one"), make_settings(postgres_url, tmp_path / "two")
    async with running_client(one) as first, running_client(two) as second:
        token = await discord_project(first, bot)
        actions = ("open", "approved", "merge")
        for n, action in enumerate(actions):
            await post_mr(first if n % 2 else second, token, action, f"P{n}")
        await settled(first, 1, len(actions))
    assert (bot.counts["posts"], bot.counts["edits"]) == (1, 2)
    assert "opened by P0 → approved by P1 → merged by P2" in only_message(bot)


async def test_an_edit_of_a_deleted_message_posts_a_new_one_which_later_events_edit(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    token = await discord_project(client, bot)
    await post_mr(client, token, "open")
    await settled(client, 1, 1)
    messages(bot).clear()  # someone deleted it in the channel
    await post_mr(client, token, "approved", "Bob")
    rows = await settled(client, 1, 2)
    assert {row["state"] for row in rows} == {"delivered"}
    assert (bot.counts["posts"], bot.counts["edits"]) == (2, 0)
    assert [kind for kind, _ in bot.rejections] == ["404"]  # the refused edit
    reposted = only_message(bot)
    assert "opened by Ann → approved by Bob" in reposted  # the history is kept
    await post_mr(client, token, "merge", "Cy")
    await settled(client, 1, 3)
    assert (bot.counts["posts"], bot.counts["edits"]) == (2, 1)
    assert "approved by Bob → merged by Cy" in only_message(bot)
    webhook = (await client.get("/api/v1/projects/1/webhooks")).json()[0]
    assert webhook["paused_until"] is None  # a message gone is not a webhook gone


async def test_a_flapping_alert_updates_its_card_until_the_window_has_passed(
    client: httpx.AsyncClient, fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = fake.add_bot("discord")
    token = await discord_project(client, bot, alert_flap_window_minutes=5)
    for n, status in enumerate(("firing", "resolved", "firing")):
        await post_alert(client, token, status)
        await settled(client, 1, n + 1)
    assert (bot.counts["posts"], bot.counts["edits"]) == (1, 2)
    assert "flapped 1 time" in only_message(bot)
    await post_alert(client, token, "resolved")
    await settled(client, 1, 4)
    monkeypatch.setattr(claimer, "utcnow", lambda: clock.utcnow() + timedelta(minutes=6))
    await post_alert(client, token, "firing")
    await settled(client, 1, 5)
    assert (bot.counts["posts"], bot.counts["edits"]) == (2, 3)
    newest = shown(bot.received[-1][1])
    assert "flapped" not in newest and "firing →" not in newest  # a new incident: a new card


@pytest.mark.parametrize("delay", ["503", "429:0.3"])
async def test_an_update_waits_for_its_original(
    client: httpx.AsyncClient, fake: FakePlatformServer, delay: str
) -> None:
    bot = fake.add_bot("discord")
    token = await discord_project(client, bot)
    bot.script([delay])  # the original's first try fails
    await post_mr(client, token, "open")
    await post_mr(client, token, "approved", "Bob")
    rows = await settled(client, 1, 2)
    assert {row["state"] for row in rows} == {"delivered"}
    assert [kind for kind, _ in bot.rejections] == [delay.partition(":")[0]]
    assert (bot.counts["posts"], bot.counts["edits"]) == (1, 1)
    assert "approved by Bob" not in shown(bot.received[0][1])
    assert "opened by Ann → approved by Bob" in only_message(bot)


async def test_direct_messages_and_rows_of_every_event_webhooks_have_no_object(
    database_url: str, client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    living, plain = fake.add_bot("discord"), fake.add_bot("discord")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="discord", url=living.url, triggers=["merge_request"])
    await create_webhook(
        client,
        project_id,
        platform="discord",
        url=plain.url,
        triggers=["merge_request"],
        message_mode="every_event",
    )
    await post_mr(client, token, "open")
    await settled(client, project_id, 2)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            keys = dict((await connection.execute(select(Delivery.webhook_id, Delivery.object_key))).all())
    finally:
        await engine.dispose()
    assert keys == {1: "merge_request:gitlabhq/gitlab-test:1", 2: None}


async def test_the_ui_form_offers_the_platforms_modes_and_saves_one(
    ui: Any, fake: FakePlatformServer
) -> None:
    discord, wecom = fake.add_bot("discord"), fake.add_bot("wecom")
    project = await ui.post("/ui/projects", {"name": "app"})
    project_id = int(re.search(r"/ui/projects/(\d+)/rename", project.text).group(1))  # type: ignore[union-attr]
    new = (await ui.get(f"/ui/projects/{project_id}/integrations/discord")).text
    assert re.findall(
        r'<option value="(\w+)"[^>]*>[^<]*</option>', new.split('id="message_mode"')[1].split("</select>")[0]
    ) == [
        "update",
        "follow_up",
        "every_event",
    ]
    assert '<option value="update" selected>' in new
    form = {
        "active": "on",
        "language": "en",
        "triggers": ["merge_request"],
        "branches_to_be_notified": "all",
        "labels_to_be_notified_behavior": "match_any",
        "quiet_timezone": "UTC",
    }
    refused = await ui.post(
        f"/ui/projects/{project_id}/integrations/wecom", {**form, "url": wecom.url, "message_mode": "update"}
    )
    assert refused.status_code == 422 and 'id="message_mode-error"' in refused.text
    saved = await ui.post(
        f"/ui/projects/{project_id}/integrations/discord",
        {**form, "url": discord.url, "message_mode": "follow_up", "alert_flap_window_minutes": "15"},
    )
    assert saved.status_code == 303, saved.text
    webhook_id = saved.headers["location"].split("/")[-1].split("?")[0]
    edit = (await ui.get(f"/ui/webhooks/{webhook_id}")).text
    assert '<option value="follow_up" selected>' in edit and 'value="15"' in edit
    zh = (await ui.get(f"/ui/webhooks/{webhook_id}", headers={"Accept-Language": "zh-CN"})).text
    assert "消息模式" in zh


async def test_a_result_for_a_row_another_worker_holds_remembers_nothing(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    token = await discord_project(client, bot)
    await post_mr(client, token, "open")
    await post_mr(client, token, "approved")
    await settled(client, 1, 2)
    sessions: async_sessionmaker[AsyncSession] = client.app.state.runtime.sessions  # type: ignore[attr-defined]
    key, other = (1, "merge_request:gitlabhq/gitlab-test:1"), (1, "merge_request:gitlabhq/gitlab-test:2")
    async with sessions() as session:
        before = (await message_refs.load(session, [key]))[key]
    assert before.ref == next(iter(messages(bot)))
    async with sessions.begin() as session:  # row 1 was taken over meanwhile; row 2 is still ours
        await session.execute(update(Delivery).values(state="sending", claimed_by="another-worker"))
        await session.execute(update(Delivery).where(Delivery.id == 2).values(claimed_by="this-worker"))
    now = clock.utcnow()
    late = Remembered(ref="4242", history=(Step("merge", "Late"),), last_action="merge", updated_at=now)
    steps = [NextStep(n, State.DELIVERED, 2, now, None) for n in (1, 2)]
    attempts = [AttemptRow(n, now, 5, 200, "delivered", "", None, "", "") for n in (1, 2)]
    async with sessions.begin() as session:
        memories = {1: (key, late), 2: (other, late)}
        lost = await outbox.record(session, attempts, steps, now, holder="this-worker", memories=memories)
    assert lost == [1]
    async with sessions() as session:
        after = await message_refs.load(session, [key, other])
    assert after == {key: before, other: late}
