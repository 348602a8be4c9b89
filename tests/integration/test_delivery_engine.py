"""The delivery engine against fake platforms: rate limits held with digests, cool-downs,
Retry-After, pausing failing webhooks, replay. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.events import Event
from tests.fakes.platform_server import FakeBot, FakePlatformServer
from tests.integration.helpers import create_project, create_webhook, eventually, settled
from tests.markers import numbered_push, numbers_in


def push_with_marker(n: int) -> dict[str, object]:
    return numbered_push(n)


def markers(bot: FakeBot) -> list[int]:
    return numbers_in(body for _, body in bot.received)


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as server:
        yield server


async def post_pushes(client: httpx.AsyncClient, token: str, count: int, start: int = 0) -> None:
    headers = {"X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"}
    answers = await asyncio.gather(
        *(
            client.post("/hooks/gitlab", json=push_with_marker(n), headers=headers)
            for n in range(start, start + count)
        )
    )
    assert all(a.status_code == 202 for a in answers)


async def test_a_burst_is_held_to_the_rate_limit_and_digested(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await post_pushes(client, token, 60)
    await eventually(lambda: sorted(set(markers(bot))) == list(range(60)), timeout=30, what="all 60 events")
    assert bot.violations == [], "Feishu's 5 / s limit was never exceeded"
    assert sorted(markers(bot)) == list(range(60)), "each event exactly once"
    assert len(bot.received) < 60, "waiting events were merged into digests"
    titles = [body["card"]["header"]["title"]["content"] for _, body in bot.received]
    assert any("notifications" in title for title in titles)


async def test_a_burst_bigger_than_the_minute_is_carried_in_the_same_minute(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    """DingTalk lets 20 messages a minute through. 100 pushes arriving in waves used to go out
    as 20 singles, and the other 80 waited for the next minute; now the last slots of the
    minute carry them as digests. The fake counts the platform's window strictly."""
    bot = fake.add_bot("dingtalk", secret="SEC" + "x" * 20)
    project_id, token = await create_project(client)
    await create_webhook(
        client, project_id, platform="dingtalk", url=bot.url, secret=bot.secret, branches_to_be_notified="all"
    )
    for wave in range(5):  # the waves follow each other, as a busy push day's do
        await post_pushes(client, token, 20, start=wave * 20)
    # The deadline is for a hang only; the window is a minute, so anything left for the next
    # one would show as a missing number here, not as a slow test.
    await eventually(lambda: len(set(markers(bot))) == 100, timeout=40, what="all 100 events")
    assert bot.violations == [] and bot.rejections == [], "never too fast for DingTalk's window"
    assert bot.requests <= 20, "all 100 within one window's 20 messages"
    assert sorted(markers(bot)) == list(range(100)), "each event exactly once"


async def test_a_too_fast_answer_rests_the_bot(client: httpx.AsyncClient, fake: FakePlatformServer) -> None:
    bot = fake.add_bot("feishu")
    bot.script(["throttle"])
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await post_pushes(client, token, 1)
    await eventually(lambda: len(bot.received) == 1, what="the card after the cool-down")
    history = await settled(client, project_id)
    attempts = history[0]["attempt_log"]
    assert isinstance(attempts, list) and [a["outcome"] for a in attempts] == ["retry_after", "delivered"]
    first, second = (datetime.fromisoformat(a["started_at"]) for a in attempts)
    cool_down = client.app.state.runtime.settings.cool_down_seconds  # type: ignore[attr-defined]
    assert second - first >= timedelta(seconds=cool_down)


async def test_retry_after_is_honoured(client: httpx.AsyncClient, fake: FakePlatformServer) -> None:
    bot = fake.add_bot("slack")
    bot.script(["429:1.5"])
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="slack", url=bot.url, branches_to_be_notified="all")
    await post_pushes(client, token, 1)
    await eventually(lambda: len(bot.received) == 1, what="the message after Retry-After")
    attempts = (await settled(client, project_id))[0]["attempt_log"]
    assert isinstance(attempts, list)
    first, second = (datetime.fromisoformat(a["started_at"]) for a in attempts)
    assert second - first >= timedelta(seconds=1.5)


async def test_a_webhook_failing_again_and_again_is_paused_then_resumed(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("feishu")
    bot.script(["503"] * 4)
    project_id, token = await create_project(client)
    webhook = await create_webhook(
        client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all"
    )
    await post_pushes(client, token, 1)

    state: dict[str, object] = {}

    async def paused() -> bool:
        state.update((await client.get(f"/api/v1/webhooks/{webhook['id']}")).json())
        return state["paused_until"] is not None

    await _until(paused)
    assert state["consecutive_failures"] == 4
    assert "4 failures in a row" in str(state["pause_reason"])
    await post_pushes(client, token, 1, start=1)
    await asyncio.sleep(0.5)
    assert bot.received == [], "a paused webhook is sent nothing"
    resumed = await client.patch(f"/api/v1/webhooks/{webhook['id']}", json={"active": True})
    assert resumed.json()["paused_until"] is None
    await eventually(lambda: markers(bot) == [1], what="the held event after resuming")


async def test_an_unknown_webhook_is_paused_at_once(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("discord")
    bot.script(["unknown_webhook"])
    project_id, token = await create_project(client)
    webhook = await create_webhook(
        client, project_id, platform="discord", url=bot.url, branches_to_be_notified="all"
    )
    await post_pushes(client, token, 1)

    async def paused() -> bool:
        view = (await client.get(f"/api/v1/webhooks/{webhook['id']}")).json()
        return view["paused_until"] is not None and view["pause_reason"]

    await _until(paused)
    history = await settled(client, project_id)
    assert history[0]["state"] == "failed"
    assert bot.requests == 1


async def test_replay_queues_a_range_again(client: httpx.AsyncClient, fake: FakePlatformServer) -> None:
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    before = datetime.now(UTC) - timedelta(seconds=1)
    await post_pushes(client, token, 2)
    await eventually(lambda: sorted(markers(bot)) == [0, 1])
    # The bot has both cards before the recorder has written the second: until then its row is
    # still held (`sending`), and a replay rightly leaves a held row alone.
    assert [row["state"] for row in await settled(client, project_id, count=2)] == ["delivered"] * 2
    later = datetime.now(UTC) + timedelta(hours=1)
    nothing = await client.post(f"/api/v1/projects/{project_id}/replay", params={"since": later.isoformat()})
    assert nothing.json() == {"queued": 0}
    replayed = await client.post(
        f"/api/v1/projects/{project_id}/replay", params={"since": before.isoformat()}
    )
    assert replayed.status_code == 202 and replayed.json() == {"queued": 2}
    await eventually(lambda: sorted(markers(bot)) == [0, 0, 1, 1], what="the replayed cards")


async def _until(check: object, timeout: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_an_endpoint_that_does_not_answer_in_time_is_retried(
    client: httpx.AsyncClient, fake: FakePlatformServer
) -> None:
    bot = fake.add_bot("feishu")
    timeout = client.app.state.runtime.settings.delivery_timeout  # type: ignore[attr-defined]
    bot.script([f"slow:{timeout + 1}"])
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await post_pushes(client, token, 1)
    history = await settled(client, project_id, timeout=30)
    attempts = history[0]["attempt_log"]
    assert history[0]["state"] == "delivered"
    assert f"no answer within {timeout:g} s" in attempts[0]["error"]


async def test_a_refused_connection_is_retried_until_the_schedule_ends(client: httpx.AsyncClient) -> None:
    project_id, token = await create_project(client)
    closed_port = "http://127.0.0.1:9/open-apis/bot/v2/hook/nobody-listens"
    await create_webhook(
        client, project_id, platform="feishu", url=closed_port, branches_to_be_notified="all"
    )
    await post_pushes(client, token, 1)
    history = await settled(client, project_id)
    schedule = client.app.state.runtime.settings.retry_schedule  # type: ignore[attr-defined]
    assert history[0]["state"] == "dead"
    assert len(history[0]["attempt_log"]) == len(schedule)
    assert "Connect" in history[0]["attempt_log"][0]["error"]


def attempt_outcomes(metrics_text: str, platform: str) -> set[str]:
    """The outcome labels of hookcast_delivery_attempts_total for ``platform`` in a /metrics page."""
    found = re.findall(r"^hookcast_delivery_attempts_total\{([^}]*)\} ", metrics_text, re.MULTILINE)
    labels = [dict(re.findall(r'(\w+)="([^"]*)"', text)) for text in found]
    return {label["outcome"] for label in labels if label.get("platform") == platform}


async def test_a_refused_connection_is_counted_as_a_connection_error(client: httpx.AsyncClient) -> None:
    """Not as "retry after" (the platform asking to slow down): nobody answered at all."""
    project_id, token = await create_project(client)
    closed_port = "http://127.0.0.1:9/api/webhooks/1/nobody-listens"
    await create_webhook(
        client, project_id, platform="discord", url=closed_port, branches_to_be_notified="all"
    )
    await post_pushes(client, token, 1)
    history = await settled(client, project_id)
    assert {a["outcome"] for a in history[0]["attempt_log"]} == {"connection_error"}
    scraped = await client.get("/metrics")
    assert scraped.status_code == 200
    outcomes = attempt_outcomes(scraped.text, "discord")
    assert "connection_error" in outcomes
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", outcome) for outcome in outcomes), outcomes


async def test_a_message_that_cannot_be_rendered_fails_alone(
    client: httpx.AsyncClient, fake: FakePlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hookcast.delivery import composer

    real_render = composer.render

    def render_or_break(event: Event, language: str, **kwargs: object) -> object:
        if event.detail("after") == f"1{0:039d}":
            raise ValueError("a renderer bug")
        return real_render(event, language, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(composer, "render", render_or_break)
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    await post_pushes(client, token, 1)
    await post_pushes(client, token, 1, start=1)
    history = await settled(client, project_id, count=2)
    states = {row["id"]: (row["state"], row["last_error"]) for row in history}
    assert sorted(s for s, _ in states.values()) == ["delivered", "failed"]
    assert any("could not render" in (error or "") for _, error in states.values())
    assert markers(bot) == [1], "the lane went on with the next event"


async def test_a_claim_that_fails_does_not_stop_the_worker(
    client: httpx.AsyncClient, fake: FakePlatformServer, store: async_sessionmaker[AsyncSession]
) -> None:
    """The database away for a moment (here: the outbox table gone, so every claim fails) is
    logged and the claim tried again at the next poll; before, the first failed claim ended the
    worker's loop and nothing was sent again until a restart."""
    bot = fake.add_bot("feishu")
    project_id, token = await create_project(client)
    await create_webhook(client, project_id, platform="feishu", url=bot.url, branches_to_be_notified="all")
    async with store.begin() as session:
        await session.execute(text("ALTER TABLE deliveries RENAME TO deliveries_away"))
    poll = client.app.state.runtime.settings.poll_interval  # type: ignore[attr-defined]
    await asyncio.sleep(poll * 5)  # several claims fail meanwhile
    async with store.begin() as session:
        await session.execute(text("ALTER TABLE deliveries_away RENAME TO deliveries"))
    await post_pushes(client, token, 1)
    await eventually(lambda: markers(bot) == [0], what="the card sent after the failed claims")
