"""The ``silences`` section: a project's silences that are in force or still to come.

A silence has no name, so it is matched by what it is: its conditions, window and comment
(`identity`). A silence changed in the document is therefore another one: it is added, and the
old one is kept (or removed with ``prune``). Its author is not part of it: it is exported, and
given to a silence the import makes, but a matched silence keeps its own.

Expired silences are history, not configuration: they are not exported, not listed by the
diff, and never pruned. An entry of the document that has ended by the time it is imported
(an export taken before it ended) is skipped, and the diff says so; the silences service would
refuse to make it. Instance-wide silences belong to no project and are not in any document.
Silences are made and removed through `services.silences` (its checks apply, each problem
named by the entry's path: ``silences[1].ends_at``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ConfigDict, Field, ValidationError
from sqlalchemy import select

from hookcast import silencing
from hookcast.matching import EventMatch
from hookcast.services import silences
from hookcast.services.config_document.sections import Context, Shown, Snapshot, Untouched, at, refused
from hookcast.services.errors import Invalid, ServiceError
from hookcast.services.silences import MAX_AUTHOR, MAX_COMMENT, SilenceInput
from hookcast.services.text_input import TextInput
from hookcast.store.tables import Project, Silence

# What a silence is matched by: its conditions, start, end and comment.
Identity = tuple[EventMatch, datetime, datetime, str]


class SilenceEntry(TextInput):
    model_config = ConfigDict(extra="forbid")

    match: EventMatch = Field(description="The conditions, as in routing rules (at least one).")
    starts_at: datetime = Field(description="When it starts (ISO 8601; UTC when no zone is given).")
    ends_at: datetime = Field(description="When it ends; an entry already ended is skipped on import.")
    author: str = Field(min_length=1, max_length=MAX_AUTHOR, description="Who made it.")
    comment: str = Field(min_length=1, max_length=MAX_COMMENT, description="Why.")


class SilencesSection:
    key = "silences"
    noun = "silence"
    annotation = list[SilenceEntry]
    description = (
        "The project's silences in force or to come (expired ones are not exported), matched by "
        "their conditions, start, end and comment; left out: the silences stay as they are."
    )

    async def export(self, ctx: Context, project: Project, *, sealed: bool) -> list[dict[str, Any]]:
        return [exported(row) for row in await _current(ctx, project)]

    async def snapshot(self, ctx: Context, project: Project) -> Snapshot:
        rows = await _current(ctx, project)
        return {_label(row, rows): _shown(row) for row in rows}

    async def apply(self, ctx: Context, project: Project, value: Any, *, prune: bool) -> list[Untouched]:
        entries: Sequence[SilenceEntry] = value
        _refuse_twins(entries)
        rows = await _current(ctx, project)
        unmatched: dict[Identity, list[Silence]] = {}
        for row in rows:
            unmatched.setdefault(_identity_of(row), []).append(row)
        untouched = []
        for index, entry in enumerate(entries):
            identity = identity_of(entry)
            if unmatched.get(identity):
                unmatched[identity].pop(0)
                continue
            if _aware(entry.ends_at) <= ctx.now:
                untouched.append(Untouched(label(identity), skipped=skipped_note(identity)))
                continue
            path = f"silences[{index}]"
            try:
                data = SilenceInput(
                    match=entry.match, starts_at=entry.starts_at, ends_at=entry.ends_at, comment=entry.comment
                )
                await silences.create(ctx.session, project.id, data, author=entry.author, now=ctx.now)
            except ServiceError as error:
                raise at(path, error) from error
            except ValidationError as error:
                raise refused(path, error) from error
        for row in (row for left in unmatched.values() for row in left):
            if prune:
                await silences.remove(ctx.session, row)
            else:
                untouched.append(Untouched(_label(row, rows)))
        return untouched


def identity_of(entry: SilenceEntry) -> Identity:
    return entry.match, _aware(entry.starts_at), _aware(entry.ends_at), entry.comment


def label(identity: Identity) -> str:
    """How the diff names a silence: all it is matched by (so two silences share a label only
    when they are the same silence twice)."""
    match, starts, ends, comment = identity
    return f"{silencing.conditions_text(match)}, {_moment(starts)} to {_moment(ends)}: {comment}"


def skipped_note(identity: Identity) -> str:
    return f"ended {_moment(identity[2])}: an expired silence is not imported"


def exported(row: Silence) -> dict[str, Any]:
    """The silence's entry, its conditions as stored (only those set)."""
    return {
        "match": EventMatch.model_validate(row.match).model_dump(mode="json", exclude_defaults=True),
        "starts_at": _aware(row.starts_at).isoformat(),
        "ends_at": _aware(row.ends_at).isoformat(),
        "author": row.author,
        "comment": row.comment,
    }


async def _current(ctx: Context, project: Project) -> list[Silence]:
    """The project's silences that have not ended at the import's instant, in the order they
    were made."""
    query = select(Silence).where(Silence.project_id == project.id, Silence.ends_at > ctx.now)
    return list(await ctx.session.scalars(query.order_by(Silence.id)))


def _identity_of(row: Silence) -> Identity:
    match = EventMatch.model_validate(row.match)
    return match, _aware(row.starts_at), _aware(row.ends_at), row.comment


def _label(row: Silence, rows: Sequence[Silence]) -> str:
    """The silence's label, with its id when another silence is the very same."""
    identity = _identity_of(row)
    twins = sum(_identity_of(other) == identity for other in rows) > 1
    return f"{label(identity)} #{row.id}" if twins else label(identity)


def _shown(row: Silence) -> dict[str, Shown]:
    return {name: Shown(json.dumps(value, ensure_ascii=False)) for name, value in exported(row).items()}


def _refuse_twins(entries: Sequence[SilenceEntry]) -> None:
    first: dict[Identity, int] = {}
    for index, entry in enumerate(entries):
        identity = identity_of(entry)
        if identity in first:
            raise Invalid(
                "this silence is also silences[{first}]: silences are matched by their conditions, "
                "start, end and comment, so the same one cannot be given twice",
                field=f"silences[{index}]",
                first=first[identity],
            )
        first[identity] = index


def _aware(moment: datetime) -> datetime:
    """In UTC; a time without a zone is taken as UTC (as the silences service takes it)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _moment(moment: datetime) -> str:
    """In UTC, so that equal instants read the same."""
    return _aware(moment).isoformat(sep=" ").replace("+00:00", " UTC")
