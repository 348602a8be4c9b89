"""A delivery a worker holds (``sending``, under its lease) cannot be queued again behind its back:
a resend is refused (409 in the API, a notice in the UI), a replay leaves it alone, and it is sent
once. Once it is finished, or its worker's lease ran out, it can be resent. On SQLite and
PostgreSQL, through the worker's own claim."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookcast.app import create_app
from hookcast.clock import utcnow
from hookcast.runtime import ProcessRole, Runtime
from hookcast.store import outbox
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually, settled
from tests.integration.ui_helpers import ui_client
from tests.markers import numbered_push

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def post_push(http: httpx.AsyncClient, token: str) -> None:
    answer = await http.post(
        "/hooks/gitlab",
        json=numbered_push(1),
        headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"},
    )
    assert answer.status_code == 202, answer.text


async def only_delivery(http: httpx.AsyncClient, project_id: int) -> dict[str, Any]:
    [row] = (await http.get(f"/api/v1/projects/{project_id}/deliveries")).json()
    result: dict[str, Any] = row
    return result


async def test_a_delivery_being_sent_is_not_resent_until_it_is_done(
    database_url: str, tmp_path: Path, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("feishu")
    bot.script(["slow:2"])  # the first send takes a while: the row stays "sending" meanwhile
    async with ui_client(database_url, tmp_path) as ui:
        await ui.sign_in()
        http = ui.http
        http.headers.update(ADMIN)
        project_id, token = await create_project(http)
        await create_webhook(http, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
        before = datetime.now(UTC) - timedelta(seconds=1)
        await post_push(http, token)
        await eventually(lambda: bot.requests == 1, what="the slow send to start")
        row = await only_delivery(http, project_id)
        assert row["state"] == "sending"

        refused = await http.post(f"/api/v1/deliveries/{row['id']}/resend")
        assert refused.status_code == 409
        assert "being sent" in refused.json()["detail"]
        in_ui = await ui.post(f"/ui/deliveries/{row['id']}/resend")
        assert in_ui.status_code == 409
        assert "being sent right now" in in_ui.text
        replayed = await http.post(
            f"/api/v1/projects/{project_id}/replay", params={"since": before.isoformat()}
        )
        assert replayed.json() == {"queued": 0}, "a replay leaves a delivery in flight alone"

        rows = await settled(http, project_id, 1)
        assert rows[0]["state"] == "delivered"
        assert bot.requests == 1 and len(bot.received) == 1, "sent once"

        again = await http.post(f"/api/v1/deliveries/{row['id']}/resend")
        assert again.status_code == 202, "a finished delivery can be resent"
        await eventually(lambda: len(bot.received) == 2, what="the resent message")


@asynccontextmanager
async def api_only(database_url: str, data_dir: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """hookcast without a worker (``hookcast api``): the test claims as a worker would."""
    app = create_app(make_settings(database_url, data_dir), ProcessRole.API)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hookcast.test", headers=ADMIN
        ) as http:
            yield http, app.state.runtime


async def claim_all(runtime: Runtime, holder: str, lease: timedelta) -> list[int]:
    now = utcnow()
    async with runtime.sessions.begin() as session:
        claimed = await outbox.claim(
            session,
            holder=holder,
            now=now,
            lease_until=now + lease,
            limit=10,
            skip_locked=runtime.engine.dialect.name == "postgresql",
        )
    return [c.id for c in claimed]


@pytest.mark.parametrize("lease", [timedelta(minutes=1), timedelta(seconds=-1)], ids=["held", "lapsed"])
async def test_a_resend_after_a_workers_claim(
    database_url: str, tmp_path: Path, fake: FakePlatformServer, lease: timedelta
) -> None:
    """Refused while the worker's lease runs, allowed once it ran out (the worker is gone, and the
    row would be claimed again anyway)."""
    bot = fake.add_bot("feishu")
    async with api_only(database_url, tmp_path) as (http, runtime):
        project_id, token = await create_project(http)
        await create_webhook(http, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
        await post_push(http, token)
        delivery_id = (await only_delivery(http, project_id))["id"]
        assert await claim_all(runtime, "worker-a", lease) == [delivery_id]

        answer = await http.post(f"/api/v1/deliveries/{delivery_id}/resend")
        held = lease > timedelta(0)
        assert answer.status_code == (409 if held else 202), answer.text
        again = await claim_all(runtime, "worker-b", timedelta(minutes=1))
        assert again == ([] if held else [delivery_id]), "only one worker ever holds it"
