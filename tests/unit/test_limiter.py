"""The per-bot rate limiter: the pure window arithmetic, and both stores (memory, Redis)."""

from __future__ import annotations

import uuid

import pytest
import redis.asyncio

from hookcast.delivery.limiter import BotLimiter, wait_before_next, widened
from hookcast.platforms.base import RateLimit
from tests.conftest import REDIS_URL, unavailable

FEISHU = (RateLimit(5, 1), RateLimit(100, 60))


def test_windows_are_widened_by_a_margin() -> None:
    assert widened(RateLimit(5, 1)) == pytest.approx(1.25)
    assert widened(RateLimit(20, 60)) == pytest.approx(66)


def test_wait_is_zero_until_a_window_is_full() -> None:
    assert wait_before_next([], FEISHU, now=100.0) == 0
    assert wait_before_next([99.5, 99.6, 99.7, 99.8], FEISHU, now=100.0) == 0


def test_a_full_window_waits_for_its_oldest_send_to_leave() -> None:
    sends = [99.5, 99.6, 99.7, 99.8, 99.9]
    assert wait_before_next(sends, FEISHU, now=100.0) == pytest.approx(99.5 + 1.25 - 100.0)


def test_the_longest_wait_of_all_windows_wins() -> None:
    sends = [40.0 + i * 0.3 for i in range(100)]  # 100 sends in the last minute, 3 in the last second
    wait = wait_before_next(sends, FEISHU, now=70.0)
    assert wait == pytest.approx(40.0 + 66 - 70.0)


async def limiter_under_test(store: str) -> BotLimiter:
    if store == "memory":
        return BotLimiter()
    client = redis.asyncio.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as exc:
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    finally:
        await client.aclose()
    return BotLimiter(REDIS_URL)


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_a_bot_gets_its_count_then_must_wait(store: str) -> None:
    limiter = await limiter_under_test(store)
    bot = uuid.uuid4().hex
    try:
        waits = [await limiter.reserve(bot, FEISHU) for _ in range(6)]
        assert waits[:5] == [0, 0, 0, 0, 0]
        assert 1.0 < waits[5] <= 1.25
        assert await limiter.remaining(bot, FEISHU) == 0
        assert await limiter.remaining(uuid.uuid4().hex, FEISHU) == 5
    finally:
        await limiter.close()


async def test_two_processes_share_the_redis_window() -> None:
    first, second = await limiter_under_test("redis"), await limiter_under_test("redis")
    bot = uuid.uuid4().hex
    try:
        taken = [await (first if i % 2 else second).reserve(bot, (RateLimit(3, 1),)) for i in range(4)]
        assert taken[:3] == [0, 0, 0] and taken[3] > 0
    finally:
        await first.close()
        await second.close()


@pytest.mark.parametrize("store", ["memory", "redis"])
async def test_a_cool_down_holds_the_bot(store: str) -> None:
    limiter = await limiter_under_test(store)
    bot = uuid.uuid4().hex
    try:
        await limiter.cool_down(bot, 30)
        assert 29 < await limiter.reserve(bot, FEISHU) <= 30
    finally:
        await limiter.close()


async def test_a_disabled_limiter_never_waits() -> None:
    limiter = BotLimiter(enabled=False)
    assert [await limiter.reserve("bot", (RateLimit(1, 60),)) for _ in range(3)] == [0, 0, 0]
