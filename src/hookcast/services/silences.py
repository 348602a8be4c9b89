"""Silences: made, listed, expired and deleted here, for the API, the UI and the CLI; loaded once
per intake batch, and applied to the batch's new deliveries (`mute`).

What a silence is and when it mutes an event is decided purely in `hookcast.silencing`. A
silence belongs to one project, or (``project_id`` None) to every project; the API lets a
project's token reach only its own project's silences, and only an admin token reach
instance-wide ones (`web/silences_api.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast import silencing
from hookcast.matching import EventMatch
from hookcast.services import projects
from hookcast.services.errors import Invalid, NotFound
from hookcast.services.text_input import TextInput
from hookcast.store.outbox import State
from hookcast.store.tables import Silence

MAX_COMMENT = 1000
MAX_AUTHOR = 200
LONGEST_MINUTES = int(silencing.LONGEST.total_seconds() // 60)
# The order lists show them in.
STATUSES = (silencing.Status.ACTIVE, silencing.Status.PENDING, silencing.Status.EXPIRED)


class SilenceInput(TextInput):
    """A new silence. Its end is ``ends_at`` or ``duration_minutes`` after its start (one of
    them); its start is ``starts_at``, else now."""

    match: EventMatch = Field(description="The conditions, as in routing rules; at least one must be set.")
    starts_at: datetime | None = Field(
        default=None, description="When it starts (ISO 8601); now if left out."
    )
    ends_at: datetime | None = Field(default=None, description="When it ends (ISO 8601).")
    duration_minutes: int | None = Field(
        default=None, ge=1, le=LONGEST_MINUTES, description="Or: how long it lasts from its start."
    )
    comment: str = Field(
        min_length=1, max_length=MAX_COMMENT, description="Why: shown with every event it mutes."
    )

    @model_validator(mode="after")
    def _one_end(self) -> SilenceInput:
        if (self.ends_at is None) == (self.duration_minutes is None):
            raise ValueError("give either ends_at or duration_minutes")
        return self


class SilenceView(BaseModel):
    id: int
    project_id: int | None = Field(description="None: the silence mutes events of every project.")
    match: EventMatch
    conditions: str = Field(description="The conditions that are set, in one line.")
    starts_at: datetime
    ends_at: datetime
    author: str
    comment: str
    created_at: datetime
    status: silencing.Status
    expiring_soon: bool = Field(description="In force and ends within 24 hours.")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def decided(row: Silence) -> silencing.Silence:
    return silencing.Silence(
        id=row.id,
        project_id=row.project_id,
        match=EventMatch.model_validate(row.match),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )


def view(row: Silence, now: datetime) -> SilenceView:
    pure = decided(row)
    return SilenceView(
        id=row.id,
        project_id=row.project_id,
        match=pure.match,
        conditions=silencing.conditions_text(pure.match),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        author=row.author,
        comment=row.comment,
        created_at=row.created_at,
        status=silencing.status(pure, now),
        expiring_soon=silencing.expiring_soon(pure, now),
    )


async def create(
    session: AsyncSession, project_id: int | None, data: SilenceInput, *, author: str, now: datetime
) -> SilenceView:
    """Refused (`Invalid`, 422): no condition, an end not after the start, a window over a year."""
    if project_id is not None:
        await projects.get(session, project_id)
    if silencing.is_empty(data.match):
        raise Invalid(
            "a silence needs at least one condition (an empty one would mute every event); "
            "to mute every event of a project, pause its webhooks instead",
            field="match",
        )
    starts = _aware(data.starts_at) if data.starts_at is not None else now
    if data.ends_at is not None:
        ends = _aware(data.ends_at)
    else:
        assert data.duration_minutes is not None
        try:
            ends = starts + timedelta(minutes=data.duration_minutes)
        except OverflowError as error:  # a start at the end of the calendar
            longest = silencing.LONGEST.days
            raise Invalid("a silence may last at most {days} days", field="ends_at", days=longest) from error
    if ends <= starts:
        raise Invalid("a silence must end after it starts", field="ends_at")
    if ends <= now:
        raise Invalid("a silence must end in the future", field="ends_at")
    if ends - starts > silencing.LONGEST:
        raise Invalid("a silence may last at most {days} days", field="ends_at", days=silencing.LONGEST.days)
    row = Silence(
        project_id=project_id,
        match=data.match.model_dump(mode="json", exclude_defaults=True),
        starts_at=starts,
        ends_at=ends,
        author=author[:MAX_AUTHOR],
        comment=data.comment,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return view(row, now)


async def list_for(session: AsyncSession, project_id: int | None, now: datetime) -> list[SilenceView]:
    """The project's silences (``project_id`` None: the instance-wide ones), those in force first
    (soonest to end first), then those to come, then the expired ones (latest ended first)."""
    if project_id is not None:
        await projects.get(session, project_id)
    scope = Silence.project_id.is_(None) if project_id is None else Silence.project_id == project_id
    return _ordered([view(row, now) for row in await session.scalars(select(Silence).where(scope))])


async def list_visible(session: AsyncSession, project_id: int | None, now: datetime) -> list[SilenceView]:
    """Every silence (``project_id`` None), or those that reach that project: its own and the
    instance-wide ones; ordered as `list_for`. For the UI, whose users see every project."""
    query = select(Silence)
    if project_id is not None:
        query = query.where(or_(Silence.project_id.is_(None), Silence.project_id == project_id))
    return _ordered([view(row, now) for row in await session.scalars(query)])


def _ordered(views: list[SilenceView]) -> list[SilenceView]:
    order = {status: place for place, status in enumerate(STATUSES)}

    def key(v: SilenceView) -> tuple[int, float, int]:
        at = v.ends_at.timestamp()
        return order[v.status], (-at if v.status is silencing.Status.EXPIRED else at), v.id

    return sorted(views, key=key)


async def get(session: AsyncSession, silence_id: int, project_id: int | None = None) -> Silence:
    """The silence; with ``project_id``, only one of that project (a project token's reach)."""
    row = await session.get(Silence, silence_id)
    if row is None or (project_id is not None and row.project_id != project_id):
        raise NotFound("silence {id} not found", id=silence_id)
    return row


async def expire(session: AsyncSession, row: Silence, now: datetime) -> SilenceView:
    """End it now (one that has not started yet ends before it starts); an expired one stays as
    it is."""
    if row.ends_at > now:
        row.ends_at = now
        row.starts_at = min(row.starts_at, now)
    await session.flush()
    return view(row, now)


async def remove(session: AsyncSession, row: Silence) -> None:
    """Delete it; the deliveries it muted keep their state and its id (the history says it was
    deleted)."""
    await session.execute(delete(Silence).where(Silence.id == row.id))


async def in_force(session: AsyncSession, project_ids: Collection[int], now: datetime) -> silencing.InForce:
    """The silences in force at ``now`` for these projects and every project: one query."""
    if not project_ids:
        return silencing.InForce((), now)
    rows = await session.scalars(
        select(Silence).where(
            Silence.ends_at > now,
            Silence.starts_at <= now,
            or_(Silence.project_id.is_(None), Silence.project_id.in_(list(project_ids))),
        )
    )
    return silencing.InForce(tuple(decided(row) for row in rows), now)


def mute(rows: Sequence[dict[str, Any]], silence: silencing.Silence | None) -> None:
    """Mark new delivery rows (`outbox.new_delivery`) as born under ``silence``: never claimed,
    never sent, kept in the history."""
    if silence is None:
        return
    for row in rows:
        row["state"] = State.SILENCED.value
        row["silence_id"] = silence.id


async def comments_of(session: AsyncSession, silence_ids: Collection[int]) -> dict[int, str]:
    """Each existing silence's comment, for the history ("silenced by …")."""
    if not silence_ids:
        return {}
    rows = await session.execute(select(Silence.id, Silence.comment).where(Silence.id.in_(list(silence_ids))))
    return {row.id: row.comment for row in rows}
