"""What Feishu / Lark pushed to the assistant bot, stored once per event id before it is answered.

Feishu re-sends an event until it gets HTTP 200 within a few seconds, so the web layer only stores
the event here and answers; the bot runner does the work from the table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.feishubot.pushed import Envelope
from hookcast.platforms.base import PlatformName
from hookcast.store.feishu_chats import FeishuBotEvent
from hookcast.store.outbox import State

ID_CHARS = 128


async def store_event(
    session: AsyncSession,
    platform: PlatformName,
    event: Envelope,
    base_url: str,
    now: datetime,
    *,
    is_sqlite: bool,
) -> bool:
    """True when the event is new; False when this event id was stored before (a re-send)."""
    insert = sqlite.insert if is_sqlite else postgresql.insert
    statement = (
        insert(FeishuBotEvent)
        .values(
            platform=platform.value,
            event_id=event.event_id[:ID_CHARS],
            event_type=event.event_type[:ID_CHARS],
            payload=event.body,
            base_url=base_url.rstrip("/"),
            state=State.PENDING,
            attempts=0,
            next_attempt_at=now,
            received_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(FeishuBotEvent.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None
