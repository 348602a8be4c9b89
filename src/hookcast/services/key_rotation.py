"""Re-sealing every secret at rest with the newest key (``hookcast keys rotate``), and checking
that none still needs an older one (``hookcast keys retire``).

The sealed columns are the ones the tables declare so (``store/sealed.py``). Rows are taken in
primary-key order, a batch per transaction, locked while they are re-sealed (``FOR UPDATE`` on
PostgreSQL, the write lock taken first on SQLite), so an edit made meanwhile through the API is
neither lost nor overwritten. A value that already opens with the newest key is left as it is:
a run that stopped half way (a crash, a lost connection) is finished by running it again, and a
second run finds nothing to do. A value no key opens is counted and left alone: it was unreadable
before the rotation too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, false, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.crypto import SecretBox
from hookcast.services import webhook_settings
from hookcast.store import accounts, directory, feishu_chats  # noqa: F401  (their tables join Base.metadata)
from hookcast.store.sealed import Sealed, SealedTable, sealed_tables
from hookcast.store.tables import Base

BATCH_SIZE = 200


@dataclass(slots=True)
class ColumnCount:
    """What a pass found in one sealed column."""

    older: int = 0  # was sealed with an older key (and is re-sealed, when the pass writes)
    current: int = 0  # already sealed with the newest key
    unreadable: int = 0  # no key opens it

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass(slots=True)
class Tally:
    """Counts per ``table.column``, in the order the columns were visited."""

    columns: dict[str, ColumnCount] = field(default_factory=dict)

    def of(self, name: str) -> ColumnCount:
        return self.columns.setdefault(name, ColumnCount())

    @property
    def older(self) -> int:
        return sum(count.older for count in self.columns.values())

    @property
    def unreadable(self) -> int:
        return sum(count.unreadable for count in self.columns.values())


def sealed() -> list[SealedTable]:
    """Every table holding sealed values (all the tables' modules are imported above)."""
    return sealed_tables(Base.metadata)


def _outcome(box: SecretBox, token: str, write: bool) -> tuple[str, str | None]:
    """("current" | "older" | "unreadable", and the token sealed anew when ``write``)."""
    if box.is_current(token):
        return "current", None
    try:
        opened = box.open(token)
    except ValueError:
        return "unreadable", None
    return "older", box.seal(opened) if write else None


def _values(kind: Sealed, value: Any) -> Iterator[tuple[str, str]]:
    """(name, sealed token) of one cell: the cell itself, or each sealed webhook setting."""
    if value is None:
        return
    if kind is Sealed.VALUE:
        yield "", str(value)
    else:
        yield from webhook_settings.sealed_values(value).items()


def _rebuilt(kind: Sealed, value: Any, new: dict[str, str]) -> Any:
    if kind is Sealed.VALUE:
        return new[""]
    return webhook_settings.with_sealed(value, {**webhook_settings.sealed_values(value), **new})


def _row_changes(
    where: SealedTable, cells: Sequence[Any], box: SecretBox, tally: Tally, write: bool
) -> dict[str, Any]:
    """The row's sealed cells counted; those holding a value on an older key, sealed anew (when
    ``write``), by column name."""
    changes: dict[str, Any] = {}
    for (column, kind), value in zip(where.columns, cells, strict=True):
        count = tally.of(f"{where.table.name}.{column.name}")
        new: dict[str, str] = {}
        for name, token in _values(kind, value):
            outcome, sealed_anew = _outcome(box, token, write)
            count.add(outcome)
            if sealed_anew is not None:
                new[name] = sealed_anew
        if new:
            changes[column.name] = _rebuilt(kind, value, new)
    return changes


async def _batch(
    session: AsyncSession,
    where: SealedTable,
    after: Any,
    size: int,
    box: SecretBox,
    tally: Tally,
    write: bool,
) -> Any:
    """One batch of rows after key ``after``: counted, and re-sealed when ``write``. The last
    key of the batch (None when there were no rows)."""
    table, key = where.table, where.key
    query = select(key, *(column for column, _ in where.columns)).order_by(key).limit(size)
    if after is not None:
        query = query.where(key > after)
    if write:
        query = query.with_for_update()
        if session.get_bind().dialect.name == "sqlite":
            # SQLite has no FOR UPDATE: an empty write takes the database's write lock first, so
            # the rows read next cannot change before they are written back.
            await session.execute(update(table).where(false()).values({key.name: key}))
    rows = (await session.execute(query)).all()
    writes: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # rows, by the columns they change
    for row in rows:
        changes = _row_changes(where, row[1:], box, tally, write)
        if changes:
            bound = {f"new_{name}": value for name, value in changes.items()}
            writes.setdefault(tuple(sorted(changes)), []).append({"row_key": row[0], **bound})
    for names, values in writes.items():  # one statement for the batch's rows
        new = {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names}
        await session.execute(update(table).where(key == bindparam("row_key")).values(new), values)
    return rows[-1][0] if rows else None


async def _pass(
    sessions: async_sessionmaker[AsyncSession],
    box: SecretBox,
    *,
    write: bool,
    batch_size: int,
) -> Tally:
    tally = Tally()
    for where in sealed():
        for column, _ in where.columns:
            tally.of(f"{where.table.name}.{column.name}")
        after: Any = None
        while True:
            async with sessions.begin() as session:
                after = await _batch(session, where, after, batch_size, box, tally, write)
            if after is None:
                break
    return tally


async def reseal(
    sessions: async_sessionmaker[AsyncSession],
    box: SecretBox,
    *,
    batch_size: int = BATCH_SIZE,
) -> Tally:
    """Seal every value sealed with an older key again with the newest one, a batch per
    transaction."""
    return await _pass(sessions, box, write=True, batch_size=batch_size)


async def survey(
    sessions: async_sessionmaker[AsyncSession], box: SecretBox, *, batch_size: int = BATCH_SIZE
) -> Tally:
    """The same counts without writing: ``older`` is then what still needs an older key."""
    return await _pass(sessions, box, write=False, batch_size=batch_size)
