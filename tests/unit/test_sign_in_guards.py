"""Sign-in guards: the failure throttle (per address and per username) and bounded hashing."""

from __future__ import annotations

import asyncio

import pytest

from hookcast.services.errors import Busy
from hookcast.services.passwords import PasswordHashing
from hookcast.services.sign_in_throttle import SignInThrottle, Window


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, max_keys: int = 10_000) -> SignInThrottle:
    return SignInThrottle(
        per_address=Window(limit=4, seconds=60),
        per_username=Window(limit=2, seconds=60),
        max_keys=max_keys,
        clock=clock,
    )


def test_a_username_is_held_after_its_failures_until_the_oldest_leaves_the_window() -> None:
    clock = Clock()
    guard = throttle(clock)
    guard.failed("10.0.0.1", "ann")
    clock.now += 10
    assert guard.wait("10.0.0.1", "ann") == 0
    guard.failed("10.0.0.2", "ann")  # from anywhere: the name is what is guessed
    assert guard.wait("10.0.0.3", "ann") == 51  # the first failure leaves the window in 50 s
    assert guard.wait("10.0.0.3", "bob") == 0
    clock.now += 50.5
    assert guard.wait("10.0.0.3", "ann") == 0


def test_an_address_is_held_after_failures_on_any_names() -> None:
    clock = Clock()
    guard = throttle(clock)
    for name in ("a", "b", "c", "d"):
        guard.failed("10.0.0.1", name)
    assert guard.wait("10.0.0.1", "someone-else") > 0
    assert guard.wait("10.0.0.2", "someone-else") == 0


def test_a_right_password_clears_the_name_but_not_the_address() -> None:
    clock = Clock()
    guard = throttle(clock)
    guard.failed("10.0.0.1", "ann")
    guard.failed("10.0.0.1", "ann")
    guard.succeeded("ann")
    assert guard.wait("10.0.0.9", "ann") == 0
    guard.failed("10.0.0.1", "own-account")
    guard.failed("10.0.0.1", "own-account")
    guard.succeeded("own-account")
    assert guard.wait("10.0.0.1", "x") > 0  # four failures from this address stay counted


def test_made_up_names_cannot_grow_memory_without_bound() -> None:
    clock = Clock()
    guard = throttle(clock, max_keys=100)
    for n in range(5_000):
        guard.failed(f"10.0.{n // 256}.{n % 256}", f"user{n}")
    assert len(guard._usernames._failures) == 100
    assert len(guard._addresses._failures) == 100


def test_names_are_matched_trimmed_and_capped() -> None:
    clock = Clock()
    guard = throttle(clock)
    guard.failed("a", " ann ")
    guard.failed("b", "ann")
    assert guard.wait("c", "ann") > 0
    huge = "x" * 1_000_000
    guard.failed("a", huge)
    assert max(len(key) for key in guard._usernames._failures) == 100


async def test_hashing_runs_off_the_loop_and_verifies() -> None:
    hashing = PasswordHashing()
    stored = await hashing.hash("correct-horse")
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    right = await hashing.verify(stored, "correct-horse")
    wrong = await hashing.verify(stored, "wrong-horse")
    missing = await hashing.verify(None, "correct-horse")
    done.set()
    await ticking
    assert (right, wrong, missing) == (True, False, False)
    assert ticks > 3  # the loop kept serving other work while argon2 ran


async def test_too_many_hashes_at_once_are_refused_not_queued() -> None:
    hashing = PasswordHashing(parallel=1, waiting=1)
    stored = await hashing.hash("pw")
    first = asyncio.create_task(hashing.verify(stored, "pw"))
    second = asyncio.create_task(hashing.verify(stored, "pw"))
    await asyncio.sleep(0)
    with pytest.raises(Busy) as refused:
        await hashing.verify(stored, "pw")
    assert refused.value.retry_after > 0
    assert await first and await second
