"""Web UI passwords are hashed with argon2id at RFC 9106's low-memory setting unless the instance
says otherwise (``HOOKCAST_PASSWORD_HASH_MEMORY_KIB``); a hash made at another setting is
redone at the next sign-in, and a setting too small to mean anything is refused at start."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters
from pydantic import ValidationError

from hookcast.services.passwords import PasswordHashing
from hookcast.settings import DEFAULT_PASSWORD_HASH_MEMORY_KIB, Settings


async def test_the_default_is_64_mib_three_passes() -> None:
    stored = await PasswordHashing().hash("correct horse")
    parameters = extract_parameters(stored)
    assert (parameters.memory_cost, parameters.time_cost) == (DEFAULT_PASSWORD_HASH_MEMORY_KIB, 3)
    assert stored.startswith("$argon2id$")


async def test_a_lowered_setting_verifies_and_redoes_hashes_made_at_another() -> None:
    small = PasswordHashing(memory_kib=2048)
    stored = await small.hash("correct horse")
    assert extract_parameters(stored).memory_cost == 2048
    assert await small.verify(stored, "correct horse")
    assert not await small.verify(stored, "wrong horse")
    assert not small.needs_rehash(stored)

    made_at_default = await PasswordHashing().hash("correct horse")
    assert await small.verify(made_at_default, "correct horse"), "old hashes still sign in"
    assert small.needs_rehash(made_at_default), "and are redone at that sign-in"


def test_a_setting_below_one_mib_is_refused() -> None:
    with pytest.raises(ValidationError, match="password_hash_memory_kib"):
        Settings(_env_file=None, password_hash_memory_kib=64)
