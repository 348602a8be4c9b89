"""Real encoded requests against the fake platform servers: the platform's success answer for a
good request, its own error for a bad one, and classify() reading each answer right."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import aiohttp
import pytest
from tests.fakes import FakeBot, FakePlatformServer
from tests.fakes.platforms import FAKES
from tests.golden.cases import SIGNED as SIGNED_PLATFORMS
from yarl import URL

from hookcast.events import Tone
from hookcast.messages.model import Action, Message, MessageField, Text
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import (
    Delivered,
    EncodeContext,
    HttpRequest,
    HttpResponse,
    Outcome,
    Permanent,
    PlatformName,
    RetryAfter,
    WebhookTarget,
)

MESSAGE = Message(
    title="Pipeline #42 failed",
    tone=Tone.FAILURE,
    url="https://gitlab.example/p/-/pipelines/42",
    lines=((Text("Branch main by Ann"),),),
    fields=(MessageField("Stage", (Text("test"),)),),
    actions=(Action("View", "https://gitlab.example/p/-/pipelines/42"),),
    footer="group/project",
)
SIGNED = sorted(SIGNED_PLATFORMS)
CASES = [(name, False) for name in PLATFORMS] + [
    (name, True) for name, fake in FAKES.items() if fake.has_legacy
]


@pytest.fixture
async def server() -> AsyncIterator[FakePlatformServer]:
    async with FakePlatformServer() as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def target_for(bot: FakeBot, **overrides: str | None) -> WebhookTarget:
    secret = bot.secret if bot.platform in SIGNED else None
    return replace(WebhookTarget(bot.url, secret=secret, keyword=bot.keyword), **overrides)


def encode(
    bot: FakeBot, message: Message = MESSAGE, now: float | None = None, **overrides: str | None
) -> HttpRequest:
    ctx = EncodeContext(now=time.time() if now is None else now, idempotency_key="k")
    return PLATFORMS[bot.platform].encode(message, target_for(bot, **overrides), ctx)


async def send(http: aiohttp.ClientSession, request: HttpRequest) -> HttpResponse:
    url = URL(request.url, encoded=True)  # signed queries must not be encoded again
    async with http.request(request.method, url, data=request.body, headers=request.headers) as answer:
        headers = {name.lower(): value for name, value in answer.headers.items()}
        return HttpResponse(answer.status, headers, await answer.read())


def classify(bot: FakeBot, response: HttpResponse) -> Outcome:
    return PLATFORMS[bot.platform].classify(response)


def add(server: FakePlatformServer, name: PlatformName, legacy: bool = False) -> FakeBot:
    signed = name in SIGNED
    return server.add_bot(
        name, secret="SECtest" if signed else None, keyword="Pipeline" if signed else None, legacy=legacy
    )


def test_every_platform_has_its_fake() -> None:
    """A registered platform without a fake module (tests/fakes/platforms/<name>.py) is found here,
    not as a 404 in some integration test."""
    assert list(FAKES) == list(PLATFORMS)
    assert SIGNED, "the golden files sign some platforms' requests"


@pytest.mark.parametrize(("name", "legacy"), CASES)
async def test_good_request_is_delivered(
    server: FakePlatformServer, http: aiohttp.ClientSession, name: PlatformName, legacy: bool
) -> None:
    bot = add(server, name, legacy)
    response = await send(http, encode(bot))
    assert classify(bot, response) == Delivered(), response
    assert len(bot.received) == 1 and not bot.rejections


@pytest.mark.parametrize("name", SIGNED)
async def test_wrong_signature_is_refused(
    server: FakePlatformServer, http: aiohttp.ClientSession, name: PlatformName
) -> None:
    bot = add(server, name)
    outcome = classify(bot, await send(http, encode(bot, secret="SECwrong")))
    assert isinstance(outcome, Permanent) and not outcome.pause
    assert ("19021" in outcome.reason) or ("310000" in outcome.reason)
    stale = classify(bot, await send(http, encode(bot, now=time.time() - 7200)))
    assert isinstance(stale, Permanent)
    assert bot.received == [] and len(bot.rejections) == 2


@pytest.mark.parametrize("name", SIGNED)
async def test_missing_keyword_is_refused(
    server: FakePlatformServer, http: aiohttp.ClientSession, name: PlatformName
) -> None:
    bot = server.add_bot(name, keyword="DEPLOY")
    outcome = classify(bot, await send(http, encode(bot, keyword=None)))
    assert isinstance(outcome, Permanent) and ("19024" in outcome.reason or "310000" in outcome.reason)
    assert classify(bot, await send(http, encode(bot))) == Delivered()  # encoder adds the keyword


@pytest.mark.parametrize(("name", "legacy"), CASES)
async def test_malformed_shape_is_refused(
    server: FakePlatformServer, http: aiohttp.ClientSession, name: PlatformName, legacy: bool
) -> None:
    bot = server.add_bot(name, legacy=legacy)
    good = encode(bot)
    bad = replace(good, body=json.dumps({"msg_type": "nonsense", "msgtype": "nonsense"}).encode())
    outcome = classify(bot, await send(http, bad))
    assert isinstance(outcome, Permanent), outcome
    assert bot.received == [] and bot.rejections


@pytest.mark.parametrize(("name", "legacy"), CASES)
async def test_oversized_body_is_refused(
    server: FakePlatformServer, http: aiohttp.ClientSession, name: PlatformName, legacy: bool
) -> None:
    bot = server.add_bot(name, legacy=legacy)
    good = json.loads(encode(bot).body)
    filler = "x" * 9_000_000 if name is PlatformName.DISCORD else "x" * 40_000
    good["padding"] = filler
    if name is PlatformName.WECOM:
        good["markdown"]["content"] = filler
    if name is PlatformName.MATTERMOST:  # limits are on the post's text and attachments
        good["attachments"][0]["text"] = filler
    outcome = classify(bot, await send(http, replace(encode(bot), body=json.dumps(good).encode())))
    assert isinstance(outcome, Permanent), outcome


@pytest.mark.parametrize(("name", "legacy"), CASES)
async def test_long_message_is_encoded_to_fit(
    server: FakePlatformServer, http: aiohttp.ClientSession, name: PlatformName, legacy: bool
) -> None:
    bot = add(server, name, legacy)
    long = replace(MESSAGE, lines=tuple((Text("提交 commit 😀 " * 60),) for _ in range(200)))
    assert classify(bot, await send(http, encode(bot, long))) == Delivered()


@pytest.mark.parametrize(("name", "legacy"), CASES)
async def test_scripted_answers_are_classified(
    server: FakePlatformServer, http: aiohttp.ClientSession, name: PlatformName, legacy: bool
) -> None:
    bot = add(server, name, legacy)
    bot.script(["throttle", "500", "429:2", "permanent", "ok"])
    outcomes = []
    for _ in range(5):
        outcomes.append(classify(bot, await send(http, encode(bot))))
        bot._times.clear()  # keep these requests inside the rate limit
    throttled, busy, later, gone, ok = outcomes
    assert isinstance(throttled, RetryAfter) and throttled.throttled
    assert isinstance(busy, RetryAfter) and not busy.throttled
    assert isinstance(later, RetryAfter)
    if not legacy:
        assert later.seconds == 2.0
    assert isinstance(gone, Permanent) and gone.pause
    assert ok == Delivered()


async def test_rate_limit_answers_too_fast_and_counts_violations(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    bot = server.add_bot(PlatformName.FEISHU)
    outcomes = [classify(bot, await send(http, encode(bot))) for _ in range(7)]
    assert outcomes[:5] == [Delivered()] * 5
    assert all(isinstance(o, RetryAfter) and o.throttled for o in outcomes[5:])
    assert len(bot.violations) == 2


async def test_close_drops_the_connection(server: FakePlatformServer, http: aiohttp.ClientSession) -> None:
    bot = server.add_bot(PlatformName.SLACK)
    bot.script(["close"])
    with pytest.raises(aiohttp.ClientError):
        await send(http, encode(bot))


async def test_unknown_bot_gets_the_bad_token_answer(
    server: FakePlatformServer, http: aiohttp.ClientSession
) -> None:
    bot = server.add_bot(PlatformName.DINGTALK)
    request = replace(encode(bot), url=bot.url.replace(bot.token, "nope"))
    outcome = classify(bot, await send(http, request))
    assert isinstance(outcome, Permanent) and outcome.pause
    async with http.get(server.base_url + "/__stats") as answer:
        stats = await answer.json()
    assert stats["totals"]["unknown"] == 1
