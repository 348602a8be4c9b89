"""Failed sign-ins slow the guesser down, not the service: per client address and per username.

After ``limit`` failures within ``window`` seconds from one address, or against one username, the
next attempt is refused (429 with Retry-After) until the oldest of those failures leaves the
window; nothing is hashed for a refused attempt. A right password clears its username's count
(but not the address's, so one account of the guesser's own does not reset the count).

Counts are kept in memory, per process, for at most ``max_keys`` addresses and names (the oldest
are forgotten first), so a flood of made-up names cannot grow memory without bound. With several
``api`` processes each counts its own share, which multiplies the rate a guesser gets by their
number; that is the documented limit of this fence.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    seconds: float


class FailureCounts:
    """Failure times per key within one window, the least recently failed key forgotten first."""

    def __init__(self, window: Window, max_keys: int) -> None:
        self.window = window
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0 when it may now)."""
        times = self._recent(key, now)
        if times is None or len(times) < self.window.limit:
            return 0.0
        return times[-self.window.limit] + self.window.seconds - now

    def add(self, key: str, now: float) -> None:
        times = self._recent(key, now) or deque()
        times.append(now)
        while len(times) > self.window.limit:
            times.popleft()
        self._failures[key] = times
        self._failures.move_to_end(key)
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window.seconds:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times


class SignInThrottle:
    def __init__(
        self,
        *,
        per_address: Window = Window(limit=10, seconds=300),
        per_username: Window = Window(limit=5, seconds=300),
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._addresses = FailureCounts(per_address, max_keys)
        self._usernames = FailureCounts(per_username, max_keys)
        self._clock = clock

    def wait(self, address: str, username: str) -> int:
        """Whole seconds this attempt must wait (0: go ahead)."""
        now = self._clock()
        seconds = max(self._addresses.wait(address, now), self._usernames.wait(_name(username), now))
        return int(seconds) + 1 if seconds > 0 else 0

    def failed(self, address: str, username: str) -> None:
        now = self._clock()
        self._addresses.add(address, now)
        self._usernames.add(_name(username), now)

    def succeeded(self, username: str) -> None:
        self._usernames.clear(_name(username))


def _name(username: str) -> str:
    # Usernames are matched as typed after trimming (as users.authenticate does); capped so a
    # megabyte "username" is not kept as a key.
    return username.strip()[:100]
