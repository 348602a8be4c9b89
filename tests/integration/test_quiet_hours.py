"""Quiet hours against a fake platform, on SQLite and PostgreSQL: what arrives in a webhook's
quiet time is held (the bot sees nothing of it, the history says until when), urgent events
break through at once, and when the quiet time ends everything held arrives as one digest.
Another webhook of the same project, without quiet hours, is served as before.

The window is set around the real "now" (an hour either side), so nothing waits for it; its end
is reached by moving the worker's clock (the claimer's ``utcnow``) past it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import hookcast.samples
from hookcast import clock
from hookcast.delivery import claimer
from hookcast.quiet_hours import Weekday
from tests.conftest import ADMIN_TOKEN
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, deliveries, eventually, settled
from tests.integration.ui_helpers import UiClient
from tests.markers import numbered_push, numbers_in

SAMPLES = Path(hookcast.samples.__file__).parent
TRIGGERS = ["push", "pipeline", "alert"]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def window_around(now: datetime) -> dict[str, str]:
    return {
        "quiet_from": (now - timedelta(hours=1)).strftime("%H:%M"),
        "quiet_until": (now + timedelta(hours=1)).strftime("%H:%M"),
        "quiet_timezone": "UTC",
    }


def failed_pipeline_on_the_default_branch() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((SAMPLES / "gitlab/pipeline.json").read_text())
    body["object_attributes"]["status"] = "failed"  # on master, the project's default branch
    return body


async def post_push(client: httpx.AsyncClient, token: str, n: int) -> None:
    answer = await client.post(
        "/hooks/gitlab",
        json=numbered_push(n),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"},
    )
    assert answer.status_code == 202 and answer.json()["status"] == "accepted", answer.text


def bodies(bot: FakeBot) -> list[str]:
    return [json.dumps(body, ensure_ascii=False) for _, body in bot.received]


def shifted(by: timedelta) -> Callable[[], datetime]:
    return lambda: clock.utcnow() + by


async def test_held_in_quiet_hours_urgent_ones_break_through_and_the_rest_arrive_as_one_digest(
    client: httpx.AsyncClient, fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet_bot, loud_bot = fake.add_bot("discord"), fake.add_bot("discord")
    project_id, token = await create_project(client)
    now = datetime.now(UTC)
    quiet = await create_webhook(
        client,
        project_id,
        platform="discord",
        url=quiet_bot.url,
        triggers=TRIGGERS,
        branches_to_be_notified="all",
        quiet_break_on_failures=True,
        quiet_break_at_severity="critical",
        **window_around(now),
    )
    assert (quiet["quiet_break_on_failures"], quiet["quiet_break_at_severity"]) == (True, "critical")
    loud = await create_webhook(
        client,
        project_id,
        platform="discord",
        url=loud_bot.url,
        triggers=TRIGGERS,
        branches_to_be_notified="all",
    )
    assert (loud["quiet_from"], loud["quiet_until"], loud["quiet_days"]) == ("", "", [])

    for n in range(3):
        await post_push(client, token, n)
    await eventually(lambda: sorted(numbers_in(b for _, b in loud_bot.received)) == [0, 1, 2], what="loud")
    rows = await deliveries(client, project_id)
    held = [r for r in rows if r["webhook_id"] == quiet["id"]]
    assert [r["state"] for r in held] == ["pending"] * 3
    ends = {r["held_until"] for r in held}
    assert len(ends) == 1 and None not in ends
    end = datetime.fromisoformat(str(ends.pop()))
    assert timedelta(minutes=58) < end - now <= timedelta(hours=1)
    assert all(r["held_until"] is None for r in rows if r["webhook_id"] == loud["id"])

    # Urgent ones go at once, past what waits: a failed pipeline on the default branch, then a
    # firing critical alert.
    answer = await client.post(
        "/hooks/gitlab",
        json=failed_pipeline_on_the_default_branch(),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Pipeline Hook"},
    )
    assert answer.status_code == 202, answer.text
    await eventually(lambda: len(quiet_bot.received) == 1, what="the failed pipeline")
    alert = await client.post(
        "/hooks/alertmanager",
        content=(SAMPLES / "alertmanager/firing.json").read_bytes(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert alert.status_code == 202, alert.text
    await eventually(lambda: len(quiet_bot.received) == 2, what="the critical alert")
    assert numbers_in(b for _, b in quiet_bot.received) == [], "a held push was sent"
    assert "HighErrorRate" in bodies(quiet_bot)[1]
    pending = [r for r in await deliveries(client, project_id) if r["state"] == "pending"]
    assert sorted(r["id"] for r in pending) == sorted(r["id"] for r in held)

    # The quiet time ends (the worker's clock passes it): one digest with all three.
    monkeypatch.setattr(claimer, "utcnow", shifted(end - now + timedelta(minutes=1)))
    rows = await settled(client, project_id, count=10)
    assert len(quiet_bot.received) == 3
    assert sorted(numbers_in([quiet_bot.received[2][1]])) == [0, 1, 2]
    assert {r["state"] for r in rows} == {"delivered"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quiet_from": "20:00", "quiet_until": "08:30", "quiet_timezone": "Mars/Olympus"}, "quiet_timezone"),
        (
            {"quiet_from": "20:00", "quiet_until": "08:30", "quiet_timezone": "../../etc/passwd"},
            "quiet_timezone",
        ),
        ({"quiet_from": "24:00", "quiet_until": "08:30"}, "quiet_from"),
        ({"quiet_from": "20:00"}, "quiet_until"),
        ({"quiet_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}, "quiet_days"),
    ],
)
async def test_bad_quiet_hours_are_a_clear_422(
    client: httpx.AsyncClient, fields: dict[str, Any], field: str
) -> None:
    project_id, _ = await create_project(client)
    url = "https://discord.com/api/webhooks/1/abc"
    created = await client.post(
        f"/api/v1/projects/{project_id}/webhooks", json={"platform": "discord", "url": url, **fields}
    )
    assert created.status_code == 422, created.text
    assert field in created.text
    webhook = await create_webhook(client, project_id, platform="discord", url=url)
    patched = await client.patch(f"/api/v1/webhooks/{webhook['id']}", json=fields)
    assert patched.status_code == 422, patched.text
    assert field in patched.text


async def test_quiet_hours_are_kept_changed_and_turned_off(client: httpx.AsyncClient) -> None:
    project_id, _ = await create_project(client)
    webhook = await create_webhook(
        client,
        project_id,
        platform="discord",
        url="https://discord.com/api/webhooks/1/abc",
        quiet_from="20:00",
        quiet_until="08:30",
        quiet_days=["sun", "sat"],
        quiet_timezone="Europe/Berlin",
    )
    assert (webhook["quiet_days"], webhook["quiet_timezone"]) == (["sat", "sun"], "Europe/Berlin")
    path = f"/api/v1/webhooks/{webhook['id']}"
    changed = (await client.patch(path, json={"quiet_until": "07:00", "name": "night"})).json()
    assert (changed["quiet_from"], changed["quiet_until"], changed["quiet_days"]) == (
        "20:00",
        "07:00",
        ["sat", "sun"],
    )
    off = (await client.patch(path, json={"quiet_from": "", "quiet_until": "", "quiet_days": []})).json()
    assert (off["quiet_from"], off["quiet_until"], off["quiet_days"]) == ("", "", [])
    assert off["quiet_timezone"] == "Europe/Berlin"


async def test_the_ui_form_sets_quiet_hours_and_the_history_says_until_when(
    ui: UiClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    now = datetime.now(UTC)
    quiet_day = list(Weekday)[(now.weekday() + 3) % 7].value  # neither today nor tomorrow
    project = await ui.post("/ui/projects", {"name": "app"})
    project_id = int(re.search(r"/ui/projects/(\d+)/rename", project.text).group(1))  # type: ignore[union-attr]
    token = re.search(r'id="gitlab-token"[^>]*value="(hcp_[^"]+)"', project.text).group(1)  # type: ignore[union-attr]
    form = {
        "active": "on",
        "language": "en",
        "triggers": ["push"],
        "branches_to_be_notified": "all",
        "labels_to_be_notified_behavior": "match_any",
        "url": bot.url,
        "quiet_days": [quiet_day],
        "quiet_break_at_severity": "warning",
        **window_around(now),
    }
    refused = await ui.post(
        f"/ui/projects/{project_id}/integrations/discord", {**form, "quiet_timezone": "Nowhere/Land"}
    )
    assert refused.status_code == 422
    assert 'id="quiet_timezone-error"' in refused.text and "is not a time zone" in refused.text
    saved = await ui.post(f"/ui/projects/{project_id}/integrations/discord", form)
    assert saved.status_code == 303, saved.text
    ui.http.headers.update(ADMIN)
    [webhook] = (await ui.http.get(f"/api/v1/projects/{project_id}/webhooks")).json()
    assert (webhook["quiet_from"], webhook["quiet_days"]) == (form["quiet_from"], [quiet_day])
    assert webhook["quiet_break_at_severity"] == "warning"
    edit = (await ui.get(f"/ui/webhooks/{webhook['id']}")).text
    assert f'name="quiet_from" type="time" value="{form["quiet_from"]}"' in edit
    assert f'name="quiet_days" value="{quiet_day}" checked' in edit

    await post_push(ui.http, token, 7)
    [row] = (await ui.http.get(f"/api/v1/projects/{project_id}/deliveries")).json()
    assert row["state"] == "pending" and row["held_until"] is not None
    listed = (await ui.get(f"/ui/projects/{project_id}/deliveries")).text
    assert f"Quiet hours: waiting until {form['quiet_until']} UTC" in listed
    shown = (await ui.get(f"/ui/deliveries/{row['id']}")).text
    assert 'data-testid="quiet"' in shown and f"{form['quiet_until']} UTC" in shown
    assert bot.received == []


async def test_turning_quiet_hours_off_sends_what_they_held_as_one_digest(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    project_id, token = await create_project(client)
    webhook = await create_webhook(
        client,
        project_id,
        platform="discord",
        url=bot.url,
        triggers=TRIGGERS,
        branches_to_be_notified="all",
        **window_around(datetime.now(UTC)),
    )
    for n in range(3):
        await post_push(client, token, n)
    rows = await deliveries(client, project_id)
    assert [r["state"] for r in rows] == ["pending"] * 3 and all(r["held_until"] for r in rows)
    off = await client.patch(f"/api/v1/webhooks/{webhook['id']}", json={"quiet_from": "", "quiet_until": ""})
    assert off.status_code == 200, off.text
    rows = await settled(client, project_id, count=3)
    assert {r["state"] for r in rows} == {"delivered"}
    assert len(bot.received) == 1
    assert sorted(numbers_in([bot.received[0][1]])) == [0, 1, 2]
