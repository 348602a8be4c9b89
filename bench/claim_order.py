"""The cost of the claim's per-object ordering rule (living messages, `outbox.rows.in_object_order`).

Fills an empty database with 20,000 due deliveries of one webhook, without an object key or with
one (4 rows per object), and times `outbox.claim` of 200 rows (median of 15, each rolled back),
with the rule and with it replaced by "true". Run it on an empty database::

    .venv/bin/python bench/claim_order.py                                  # SQLite in a temp dir
    .venv/bin/python bench/claim_order.py --database-url postgresql+asyncpg://postgres@127.0.0.1/empty
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.store import migrate, outbox
from hookcast.store.db import create_engine, session_factory
from hookcast.store.outbox import rows
from hookcast.store.tables import Delivery, EventRow, Project, Webhook

ROWS = 20_000
CLAIM = 200
ROUNDS = 15


async def fill(sessions: async_sessionmaker[AsyncSession], keyed: bool) -> None:
    now = utcnow()
    async with sessions.begin() as s:
        await s.execute(text("DELETE FROM projects"))  # the previous round's (cascades)
        await s.execute(
            insert(Project).values(
                id=1, name="p", token_digest="x" * 64, protected_branches="", created_at=now, updated_at=now
            )
        )
        await s.execute(
            insert(Webhook).values(
                id=1,
                project_id=1,
                name="",
                platform="discord",
                url_sealed="-",
                url_redacted="-",
                url_digest="d",
                settings={},
                active=True,
                language="en",
                triggers=[],
                consecutive_failures=0,
                created_at=now,
                updated_at=now,
            )
        )
        await s.execute(
            insert(EventRow).values(
                id=1,
                project_id=1,
                idempotency_key="k",
                source="gitlab",
                kind="push",
                action="",
                event={},
                received_at=now,
            )
        )
        due = now - timedelta(seconds=10)
        batch = [
            outbox.new_delivery(
                event_id=1,
                webhook_id=1,
                project_id=1,
                now=due,
                object_key=f"merge_request:g/a:{i % (ROWS // 4)}" if keyed else None,
            )
            for i in range(ROWS)
        ]
        for start in range(0, ROWS, 2000):
            await s.execute(insert(Delivery), batch[start : start + 2000])


async def median_claim(sessions: async_sessionmaker[AsyncSession], skip_locked: bool) -> float:
    times = []
    for _ in range(ROUNDS):
        async with sessions() as s, s.begin():
            started = time.perf_counter()
            now = utcnow()
            await outbox.claim(
                s,
                holder="bench",
                now=now,
                lease_until=now + timedelta(minutes=5),
                limit=CLAIM,
                skip_locked=skip_locked,
            )
            times.append(time.perf_counter() - started)
            await s.rollback()
    return sorted(times)[ROUNDS // 2] * 1000


async def main(url: str) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    sessions = session_factory(engine)
    postgres = engine.dialect.name == "postgresql"
    rule = rows.in_object_order
    for keyed in (False, True):
        await fill(sessions, keyed)
        if postgres:
            async with engine.connect() as c:
                await c.execute(text("ANALYZE deliveries"))
                await c.commit()
        with_rule = await median_claim(sessions, postgres)
        rows.in_object_order = lambda: text("1 = 1")  # type: ignore[assignment,return-value]
        without = await median_claim(sessions, postgres)
        rows.in_object_order = rule
        print(
            f"{engine.dialect.name}, {ROWS} due rows, keyed={keyed}: "
            f"{with_rule:.1f} ms with the rule, {without:.1f} ms without"
        )
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"))
