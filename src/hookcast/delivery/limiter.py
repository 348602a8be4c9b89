"""Per-bot rate limits, enforced before sending, shared across processes through Redis.

Each platform declares its limits (e.g. Feishu 5 / s and 100 / min per bot); a bot is one webhook
URL. The windows are moving windows (the ``limits`` library), kept in memory for one process or in
Redis when ``HOOKCAST_REDIS_URL`` is set. Answers saying "too fast" put the bot on a cool-down that
every process honours.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import redis.asyncio
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from hookcast.platforms.base import RateLimit

NAMESPACE = "hookcast"
# A freed slot is used only this long after the window says it is free, so that the platform,
# which counts arrivals (a few ms later, in its own clock), never sees one request too many.
GUARD_SECONDS = 0.06


def _item(limit: RateLimit) -> RateLimitItem:
    return RateLimitItemPerSecond(limit.count, limit.seconds)


class BotLimiter:
    def __init__(self, redis_url: str | None = None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._storage: Storage
        self._redis: redis.asyncio.Redis | None = None
        if redis_url:
            uri = redis_url.removeprefix("async+")
            self._storage = RedisStorage(
                f"async+{uri}", implementation="redispy", key_prefix="hookcast-limits"
            )
            self._redis = redis.asyncio.from_url(uri)
        else:
            self._storage = MemoryStorage()
        self._windows = MovingWindowRateLimiter(self._storage)
        self._cool_local: dict[str, float] = {}

    async def reserve(self, bot: str, limits: Sequence[RateLimit]) -> float:
        """Take a slot for one message to ``bot`` and return 0, or return how many seconds to wait
        before asking again (no slot taken)."""
        if not self.enabled:
            return 0.0
        cooling = await self.cooling_for(bot)
        if cooling > 0:
            return cooling
        items = [_item(limit) for limit in limits]
        for item in items:
            if not await self._windows.test(item, NAMESPACE, bot):
                return await self._wait_for(item, bot)
        for item in items:
            if not await self._windows.hit(item, NAMESPACE, bot):
                return await self._wait_for(item, bot)  # another process took the slot first
        return 0.0

    async def remaining(self, bot: str, limits: Sequence[RateLimit]) -> int:
        """How many more messages ``bot`` may be sent right now."""
        if not self.enabled or not limits:
            return 1_000_000
        stats = [await self._windows.get_window_stats(_item(limit), NAMESPACE, bot) for limit in limits]
        return min(s.remaining for s in stats)

    async def cool_down(self, bot: str, seconds: float) -> None:
        """The platform said "too fast": send nothing to ``bot`` for ``seconds``."""
        until = time.time() + seconds
        self._cool_local[bot] = max(self._cool_local.get(bot, 0.0), until)
        if self._redis is not None:
            await self._redis.set(f"hookcast-cool:{bot}", str(until), px=max(1, int(seconds * 1000)))

    async def cooling_for(self, bot: str) -> float:
        until = self._cool_local.get(bot, 0.0)
        if self._redis is not None:
            shared = await self._redis.get(f"hookcast-cool:{bot}")
            if shared:
                until = max(until, float(shared))
        return max(0.0, until - time.time())

    async def _wait_for(self, item: RateLimitItem, bot: str) -> float:
        stats = await self._windows.get_window_stats(item, NAMESPACE, bot)
        return max(0.01, stats.reset_time - time.time()) + GUARD_SECONDS

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
