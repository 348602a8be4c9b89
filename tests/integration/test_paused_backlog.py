"""A paused webhook's backlog is bounded: beyond ``HOOKCAST_PAUSED_BACKLOG`` waiting deliveries,
new ones are set aside (``skipped``, with the reason) instead of piling up; the counts are in the
API and the UI, and resuming sends what waited. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ADMIN_TOKEN
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually, settled
from tests.integration.ui_helpers import ui_client
from tests.markers import numbered_push, numbers_in

CAP = 5
BACKLOG_FULL = "webhook paused; backlog full"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def markers(bot: FakeBot) -> list[int]:
    return numbers_in(body for _, body in bot.received)


async def post_in_order(http: httpx.AsyncClient, token: str, numbers: range) -> None:
    """One after the other, so the oldest are the ones that wait."""
    for n in numbers:
        answer = await http.post(
            "/hooks/gitlab",
            json=numbered_push(n),
            headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"},
        )
        assert answer.status_code == 202, answer.text
        assert answer.json()["status"] == "accepted"


async def webhook_view(http: httpx.AsyncClient, webhook_id: object) -> dict[str, Any]:
    answer = await http.get(f"/api/v1/webhooks/{webhook_id}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


async def history(http: httpx.AsyncClient, project_id: int) -> list[dict[str, Any]]:
    answer = await http.get(f"/api/v1/projects/{project_id}/deliveries", headers=ADMIN)
    rows: list[dict[str, Any]] = answer.json()
    return rows


async def test_a_paused_webhook_waits_with_a_bounded_backlog_and_sets_the_rest_aside(
    database_url: str, tmp_path: Path, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    bot.script(["unknown_webhook"])  # the first message pauses the webhook for good
    async with ui_client(database_url, tmp_path, paused_backlog=CAP) as ui:
        await ui.sign_in()
        http = ui.http
        http.headers.update(ADMIN)
        project_id, token = await create_project(http)
        webhook = await create_webhook(
            http, project_id, platform="discord", url=bot.url, branches_to_be_notified="all"
        )
        assert (webhook["waiting"], webhook["set_aside"]) == (0, 0)
        await post_in_order(http, token, range(1))

        async def paused() -> bool:
            return (await webhook_view(http, webhook["id"]))["paused_until"] is not None

        await _until(paused)
        await settled(http, project_id, 1)
        await post_in_order(http, token, range(1, 13))

        view = await webhook_view(http, webhook["id"])
        assert (view["waiting"], view["set_aside"]) == (CAP, 12 - CAP)
        rows = await history(http, project_id)
        assert Counter(r["state"] for r in rows) == {"failed": 1, "pending": CAP, "skipped": 12 - CAP}
        set_aside = [r for r in rows if r["state"] == "skipped"]
        assert {r["last_error"] for r in set_aside} == {BACKLOG_FULL}
        listed = (await http.get(f"/api/v1/projects/{project_id}/webhooks")).json()
        assert [(w["waiting"], w["set_aside"]) for w in listed] == [(CAP, 12 - CAP)]

        http.headers.pop("Authorization")
        page = (await ui.get(f"/ui/webhooks/{webhook['id']}")).text
        assert f"{CAP} waiting, {12 - CAP} set aside while paused" in page
        project_page = (await ui.get(f"/ui/projects/{project_id}")).text
        assert f"{CAP} waiting, {12 - CAP} set aside while paused" in project_page
        skipped_list = await ui.get(f"/ui/projects/{project_id}/deliveries?state=skipped")
        assert skipped_list.status_code == 200
        assert skipped_list.text.count("badge badge-skipped") == 12 - CAP
        http.headers.update(ADMIN)

        assert bot.requests == 1, "nothing is sent while paused"
        resumed = await http.patch(f"/api/v1/webhooks/{webhook['id']}", json={"active": True})
        assert resumed.status_code == 200 and resumed.json()["paused_until"] is None
        await eventually(lambda: sorted(markers(bot)) == list(range(1, CAP + 1)), what="the backlog")
        rows = await settled(http, project_id, 13)
        assert Counter(r["state"] for r in rows) == {"failed": 1, "delivered": CAP, "skipped": 12 - CAP}
        view = await webhook_view(http, webhook["id"])
        assert (view["waiting"], view["set_aside"]) == (0, 12 - CAP)

        # What was set aside stays in the history and can be sent on request.
        oldest_set_aside = min(r["id"] for r in rows if r["state"] == "skipped")
        resent = await http.post(f"/api/v1/deliveries/{oldest_set_aside}/resend")
        assert resent.status_code == 202
        await eventually(lambda: CAP + 1 in markers(bot), what="the resent delivery")
        await settled(http, project_id, 13)
        assert (await webhook_view(http, webhook["id"]))["set_aside"] == 12 - CAP - 1


async def test_a_webhook_that_is_not_paused_has_no_cap(
    database_url: str, tmp_path: Path, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("feishu")
    async with ui_client(database_url, tmp_path, paused_backlog=1) as ui:
        http = ui.http
        http.headers.update(ADMIN)
        project_id, token = await create_project(http)
        await create_webhook(http, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
        await post_in_order(http, token, range(6))
        rows = await settled(http, project_id, 6)
        assert {r["state"] for r in rows} == {"delivered"}
        assert sorted(markers(bot)) == list(range(6))


async def _until(check: Any, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)
