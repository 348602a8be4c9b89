"""The message hookcast posted for each living object (`hookcast.living`), per webhook: read for
a batch of claimed deliveries (`load`), written by the recorder with the delivery's new state
(`remember`, in the caller's transaction).

A platform's reference comes from its answer, so it is bounded and cleaned before it is stored
(`clean_ref`); a history read back is bounded again (`hookcast.living.with_step` keeps it short
when written, a hand-edited row must not make a card huge)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.living import HISTORY_STEPS, MAX_OBJECT_KEY, Remembered, Step
from hookcast.store.tables import MessageRef

MAX_REF = 200  # characters: message ids, ts and resource names are far shorter
MAX_STEP_TEXT = 64  # an action word or an actor's name on a card's history line
LOAD_CHUNK = 500

Key = tuple[int, str]  # (webhook id, object key)


def clean_ref(ref: str) -> str:
    """``ref`` as it may be stored and sent back: no NUL or other control character, bounded;
    "" when it is not that (a reference that does not fit is no reference)."""
    if len(ref) > MAX_REF or any(ord(c) < 32 or c == "\x7f" for c in ref):
        return ""
    return ref


async def load(session: AsyncSession, keys: Iterable[Key]) -> dict[Key, Remembered]:
    """What is remembered for each of ``keys`` that has a message (one query per chunk)."""
    wanted = sorted(set(keys))
    found: dict[Key, Remembered] = {}
    for start in range(0, len(wanted), LOAD_CHUNK):
        chunk = wanted[start : start + LOAD_CHUNK]
        rows = await session.scalars(
            select(MessageRef).where(tuple_(MessageRef.webhook_id, MessageRef.object_key).in_(chunk))
        )
        for row in rows:
            found[(row.webhook_id, row.object_key)] = Remembered(
                ref=row.ref,
                history=_steps(row.history),
                last_action=row.last_action,
                updated_at=row.updated_at,
                flaps=row.flaps,
            )
    return found


async def remember(session: AsyncSession, memories: Mapping[Key, Remembered], now: datetime) -> None:
    """Store what is now remembered of each object's message, replacing what was (an upsert on
    (webhook, object)); ``posted_at`` is when a new message was first remembered for it."""
    if not memories:
        return
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for (webhook_id, key), memory in sorted(memories.items()):
        if len(key) > MAX_OBJECT_KEY:
            continue
        values: dict[str, Any] = {
            "ref": clean_ref(memory.ref),
            "history": [_stored(step) for step in memory.history[-HISTORY_STEPS:]],
            "last_action": memory.last_action[:64],
            "flaps": memory.flaps,
            "updated_at": memory.updated_at,
        }
        insert = dialect_insert(MessageRef).values(
            webhook_id=webhook_id, object_key=key, posted_at=now, **values
        )
        # A new message (another ref) was posted now; an edit or a follow-up keeps the date.
        posted_at = case((MessageRef.ref != insert.excluded.ref, now), else_=MessageRef.posted_at)
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=[MessageRef.webhook_id, MessageRef.object_key],
                set_={**values, "posted_at": posted_at},
            )
        )


def _stored(step: Step) -> dict[str, str]:
    return {"action": step.action[:MAX_STEP_TEXT], "actor": step.actor[:MAX_STEP_TEXT]}


def _steps(history: Any) -> tuple[Step, ...]:
    if not isinstance(history, list):
        return ()
    steps = [
        Step(str(item.get("action", ""))[:MAX_STEP_TEXT], str(item.get("actor", ""))[:MAX_STEP_TEXT])
        for item in history[-HISTORY_STEPS:]
        if isinstance(item, dict)
    ]
    return tuple(step for step in steps if step.action)
