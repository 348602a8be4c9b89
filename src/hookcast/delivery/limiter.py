"""Per-bot rate limits, enforced before sending, shared across processes through Redis.

Each platform declares its limits (e.g. Feishu 5 / s and 100 / min per bot); a bot is one webhook
URL. Limits are sliding windows over the sends themselves (a log of send times), in memory for one
process or in a Redis sorted set when ``HOOKCAST_REDIS_URL`` is set, where one Lua script checks
every window and records the send atomically, on Redis's clock.

Why not the ``limits`` library (docs/architecture.md, "Lanes, rate limits and digests"): its
windows are whole seconds, and a platform counts *arrivals*, some milliseconds after our send and
with jitter. With exact windows,
two sends from different processes that left 1.00 s apart can arrive 0.98 s apart and be refused
(measured: throttled answers in the 2 api + 3 worker test). Each window here is widened by a
margin instead, which only a log with fractional windows can do.

Answers saying "too fast" put the bot on a cool-down that every process honours.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookcast.platforms.base import RateLimit

if TYPE_CHECKING:
    import redis.asyncio

MARGIN_FRACTION = 0.1
MARGIN_MIN_SECONDS = 0.25
KEY_PREFIX = "hookcast-limits:"
COOL_PREFIX = "hookcast-cool:"

# KEYS[1]: the bot's log; ARGV[1]: a unique member, or "" to only look; ARGV[2..]: pairs of
# (count, window ms). Returns 0 when the send fits (and is recorded, unless looking), else the
# milliseconds to wait.
RESERVE_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local longest, wait = 0, 0
for i = 2, #ARGV, 2 do
  local count, window = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  if window > longest then longest = window end
  local inside = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf')
  if inside >= count then
    local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf',
                              'WITHSCORES', 'LIMIT', inside - count, 1)
    local free_in = tonumber(oldest[2]) + window - now
    if free_in > wait then wait = free_in end
  end
end
if wait > 0 or ARGV[1] == '' then return wait end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], longest)
return 0
"""


def widened(limit: RateLimit) -> float:
    """The window enforced for ``limit``, in seconds: the platform's plus a safety margin."""
    return limit.seconds + max(MARGIN_MIN_SECONDS, limit.seconds * MARGIN_FRACTION)


def wait_before_next(sends: Sequence[float], limits: Sequence[RateLimit], now: float) -> float:
    """Seconds until one more send fits every window, given the past send times (ascending). Pure."""
    wait = 0.0
    for limit in limits:
        window = widened(limit)
        inside = [moment for moment in sends if moment > now - window]
        if len(inside) >= limit.count:
            wait = max(wait, inside[len(inside) - limit.count] + window - now)
    return wait


class BotLimiter:
    def __init__(self, redis_url: str | None = None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._redis: redis.asyncio.Redis | None = None
        if redis_url:
            # Imported only when used: the client costs ~20 MiB of every process's memory.
            import redis.asyncio

            self._redis = redis.asyncio.from_url(redis_url)
        self._script = self._redis.register_script(RESERVE_SCRIPT) if self._redis is not None else None
        self._sends: dict[str, deque[float]] = {}
        self._cool_local: dict[str, float] = {}

    async def reserve(self, bot: str, limits: Sequence[RateLimit]) -> float:
        """Take a slot for one message to ``bot`` and return 0, or return how many seconds to wait
        before asking again (no slot taken)."""
        return await self._check(bot, limits, take=True)

    async def wait_time(self, bot: str, limits: Sequence[RateLimit]) -> float:
        """How long until ``bot`` may be sent one more message (nothing taken)."""
        return await self._check(bot, limits, take=False)

    async def _check(self, bot: str, limits: Sequence[RateLimit], *, take: bool) -> float:
        if not self.enabled:
            return 0.0
        cooling = await self.cooling_for(bot)
        if cooling > 0 or not limits:
            return cooling
        if self._script is not None:
            args: list[str | int] = [uuid.uuid4().hex if take else ""]
            for limit in limits:
                args += [limit.count, round(widened(limit) * 1000)]
            waited_ms = await self._script(keys=[KEY_PREFIX + bot], args=args)
            return float(waited_ms) / 1000
        sends = self._sends.setdefault(bot, deque())
        now = time.monotonic()
        longest = max(widened(limit) for limit in limits)
        while sends and sends[0] <= now - longest:
            sends.popleft()
        wait = wait_before_next(sends, limits, now)
        if wait == 0 and take:
            sends.append(now)
        return wait

    async def remaining(self, bot: str, limits: Sequence[RateLimit]) -> int:
        """How many more messages ``bot`` may be sent right now (at most; others may take them)."""
        if not self.enabled or not limits:
            return 1_000_000
        if self._redis is not None:
            now_ms = await self._redis_now_ms()
            counts = [
                limit.count
                - await self._redis.zcount(
                    KEY_PREFIX + bot, f"({now_ms - round(widened(limit) * 1000)}", "+inf"
                )
                for limit in limits
            ]
        else:
            now = time.monotonic()
            sends = self._sends.get(bot, deque())
            counts = [
                limit.count - sum(1 for moment in sends if moment > now - widened(limit)) for limit in limits
            ]
        return max(0, min(counts))

    async def cool_down(self, bot: str, seconds: float) -> None:
        """The platform said "too fast": send nothing to ``bot`` for ``seconds``."""
        until = time.time() + seconds
        self._cool_local[bot] = max(self._cool_local.get(bot, 0.0), until)
        if self._redis is not None:
            await self._redis.set(COOL_PREFIX + bot, str(until), px=max(1, int(seconds * 1000)))

    async def cooling_for(self, bot: str) -> float:
        until = self._cool_local.get(bot, 0.0)
        if self._redis is not None:
            shared = await self._redis.get(COOL_PREFIX + bot)
            if shared:
                until = max(until, float(shared))
        return max(0.0, until - time.time())

    async def _redis_now_ms(self) -> int:
        assert self._redis is not None
        seconds, micros = await self._redis.time()
        return int(seconds) * 1000 + int(micros) // 1000

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
