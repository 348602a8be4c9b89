"""A burst to one DingTalk robot (20 messages a minute): 600 events over 60 seconds arrive as
digests, the robot never answers "too fast", sees at most 20 messages in any minute, and every
event is in some message. Real time: this test takes a little over a minute."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from hookcast.app import create_app
from hookcast.runtime import ProcessRole
from tests.conftest import ADMIN_TOKEN, make_settings
from tests.fakes.platform_server import FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually
from tests.markers import numbered_push, numbers_in

EVENTS = 600
SECONDS = 60


async def test_600_events_in_a_minute_to_one_dingtalk_robot(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'hookcast.db'}", tmp_path)
    app = create_app(settings, ProcessRole.SERVE)
    async with FakePlatformServer() as chat, app.router.lifespan_context(app):
        robot = chat.add_bot("dingtalk", secret="SECdingtalk-secret")
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://hookcast.test", headers=headers
        ) as client:
            project_id, token = await create_project(client)
            await create_webhook(
                client,
                project_id,
                platform="dingtalk",
                url=robot.url,
                secret="SECdingtalk-secret",
                branches_to_be_notified="all",
            )
            loop = asyncio.get_running_loop()
            started = loop.time()
            for n in range(EVENTS):
                await asyncio.sleep(max(0.0, started + n * SECONDS / EVENTS - loop.time()))
                answer = await client.post(
                    "/hooks/gitlab",
                    json=numbered_push(n),
                    headers={"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"},
                )
                assert answer.status_code == 202
            await eventually(
                lambda: set(numbers_in(body for _, body in robot.received)) == set(range(EVENTS)),
                timeout=150,
                what="every event in some message",
            )
    assert robot.rejections == [], "no 'too fast' (or any other) refusal"
    assert robot.violations == []
    arrivals = [moment for moment, _ in robot.received]
    busiest = max(sum(1 for other in arrivals if start <= other < start + 60) for start in arrivals)
    assert busiest <= 20
    assert len(robot.received) < EVENTS / 10, "the backlog went out as digests"
