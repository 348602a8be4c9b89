"""Every golden body is accepted by the fake platform server.

One bot per platform, with the golden secret where the platform signs. The goldens are signed with
a frozen clock the fake would refuse as stale, so each case is encoded again with the real clock
for the bot's URL: that body must equal its golden file apart from the signature and its
timestamp, and the platform must answer with its success answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from tests.fakes import FakeBot, FakePlatformServer
from tests.golden.cases import SECRET, SIGNED, Case, cases, encode, without_clock
from yarl import URL

from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import Delivered, EncodeContext, HttpRequest, HttpResponse, PlatformName

CASES = cases()


@pytest.fixture
async def server() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(http: aiohttp.ClientSession, request: HttpRequest) -> HttpResponse:
    url = URL(request.url, encoded=True)  # a signed query must not be encoded again
    async with http.request(request.method, url, data=request.body, headers=request.headers) as answer:
        headers = {name.lower(): value for name, value in answer.headers.items()}
        return HttpResponse(answer.status, headers, await answer.read())


async def deliver_all(http: aiohttp.ClientSession, bot: FakeBot, selected: list[Case]) -> list[str]:
    """Post every case to ``bot``; the problems found, one line each."""
    problems: list[str] = []
    for case in selected:
        fresh = encode(case, EncodeContext(now=time.time(), idempotency_key="golden"), url=bot.url)
        golden = json.loads(case.path.read_text(encoding="utf-8"))["body"]
        if without_clock(json.loads(fresh.body)) != without_clock(golden):
            problems.append(f"{case.id}: re-encoded body differs from the golden file")
        bot._times.clear()  # the cases are sent back to back: stay inside the bot's rate limit
        response = await post(http, fresh)
        outcome = PLATFORMS[bot.platform].classify(response)
        if outcome != Delivered():
            problems.append(f"{case.id}: {outcome} ({bot.rejections[-1:]})")
    return problems


@pytest.mark.parametrize("platform", list(PLATFORMS))
async def test_every_golden_body_is_accepted(
    server: FakePlatformServer, http: aiohttp.ClientSession, platform: PlatformName
) -> None:
    bot = server.add_bot(platform, secret=SECRET if platform in SIGNED else None)
    selected = [case for case in CASES if case.platform == platform]
    assert len(selected) >= 100
    problems = await deliver_all(http, bot, selected)
    assert not problems, "\n".join(problems)
    assert len(bot.received) == len(selected) and not bot.rejections


async def test_golden_messages_are_accepted_by_legacy_teams_connectors(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    """The same messages as a MessageCard, for Office 365 connector URLs."""
    bot = server.add_bot(PlatformName.TEAMS, legacy=True)
    for case in (case for case in CASES if case.platform == PlatformName.TEAMS):
        request = encode(case, EncodeContext(now=time.time(), idempotency_key="golden"), url=bot.url)
        assert json.loads(request.body)["@type"] == "MessageCard"
        bot._times.clear()
        outcome = PLATFORMS[PlatformName.TEAMS].classify(await post(http, request))
        assert outcome == Delivered(), (case.id, bot.rejections[-1:])
    assert bot.received and not bot.rejections


async def test_a_frozen_clock_golden_is_refused_as_stale(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    """Why the bodies are re-signed: the fake checks signature freshness like the platforms do."""
    bot = server.add_bot(PlatformName.FEISHU, secret=SECRET)
    case = next(case for case in CASES if case.platform == PlatformName.FEISHU)
    outcome = PLATFORMS[PlatformName.FEISHU].classify(await post(http, encode(case, url=bot.url)))
    assert outcome != Delivered()
    assert bot.received == []
