"""What hookcast knows of merge requests, for review reminders (`store.tables.MergeRequestRow`,
the deciding is `hookcast.reminders`).

Intake calls `remember` for every GitLab merge request event it is about to store, in the
event's own transaction (like `services/pipeline_results.py` for pipelines). Opening, updating,
asking for review, approving and taking an approval back keep the row up to date; merging and
closing mark it so (``state``). A merged or closed row stays for `KEEP_CLOSED`, so that an event
that arrives late (its merge request time older than the row's) cannot bring it back; an event
arriving later than that could, and would be listed until the next event about it.

Events are applied when their own time (GitLab's ``updated_at`` of the merge request, else the
receive time) is not older than the row's: approvals do not change GitLab's time, so an equal
time applies. On a ``review_requested`` event GitLab names only the reviewers just added, which
are added to those known; any other event names them all, and replaces them. GitLab sends no
event when a new push resets approvals, so those stay counted until an ``unapproval`` comes.

Several intake processes may write at once: the row is read ``FOR UPDATE`` on PostgreSQL
(SQLite has one writer), and a first insert that loses a race reads the winner's row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import Event, EventKind, Person, Role
from hookcast.reminders import OpenMergeRequest, person_key
from hookcast.sources.caps import CAPS
from hookcast.sources.tolerant import iso_time
from hookcast.store.tables import MergeRequestRow

OPENED, MERGED, CLOSED = "opened", "merged", "closed"
KEEP_CLOSED = timedelta(days=7)
_BIGINT_MAX = 2**63 - 1
# Longer project paths are not remembered: the path is part of the primary key, and PostgreSQL's
# index entries hold at most about 2.7 kB (GitLab's real paths are far shorter).
_MAX_PATH_BYTES = 1024
_ENDED = {"merge": MERGED, "merged": MERGED, "close": CLOSED, "closed": CLOSED}
_APPROVING = frozenset({"approved", "approval"})
_UNAPPROVING = frozenset({"unapproved", "unapproval"})


def _iid(event: Event) -> int | None:
    text = event.object_id or ""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= _BIGINT_MAX else None


def _people(event: Event, role: Role) -> list[Person]:
    return [related.person for related in event.related_users if related.role is role]


def _dumped(people: Iterable[Person]) -> list[dict[str, Any]]:
    unique: dict[str, Person] = {}
    for person in people:
        unique.setdefault(person_key(person), person)
    return [p.model_dump(mode="json", exclude_defaults=True) for p in list(unique.values())[: CAPS.entries]]


def _loaded(people: Sequence[dict[str, Any]] | None) -> list[Person]:
    return [Person.model_validate(p) for p in people or () if isinstance(p, dict)]


def _state(event: Event) -> str:
    ended = _ENDED.get(event.action) or _ENDED.get(event.detail("state") or "")
    return ended or OPENED


async def remember(session: AsyncSession, project_id: int, event: Event, now: datetime) -> None:
    """Apply a merge request event to what is known of its merge request (anything else, and a
    merge request event without a usable number or project path, changes nothing)."""
    iid, path = _iid(event), event.project.path_with_namespace
    if event.kind != EventKind.MERGE_REQUEST or iid is None or not path:
        return
    if len(path.encode()) > _MAX_PATH_BYTES:
        return
    at = event.occurred_at or now
    row = await _row_for_update(session, project_id, path, iid)
    if row is None:
        dialect_insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        opened = iso_time((event.detail("created_at") or "")[:64]) or at
        values = {
            "project_id": project_id,
            "gitlab_path": path,
            "iid": iid,
            "state": OPENED,
            "title": event.title,
            "url": event.url,
            "author": {},
            "reviewers": [],
            "approved_by": [],
            "draft": False,
            "approved": False,
            "opened_at": opened,
            "updated_at": at,
        }
        await session.execute(dialect_insert(MergeRequestRow).values(values).on_conflict_do_nothing())
        row = await _row_for_update(session, project_id, path, iid)
        if row is None:  # deleted meanwhile (its project was): nothing to remember it in
            return
    elif at < row.updated_at:
        return  # older than what is known: a late arrival changes nothing
    _apply(row, event, at)
    await session.flush()


async def _row_for_update(
    session: AsyncSession, project_id: int, path: str, iid: int
) -> MergeRequestRow | None:
    query = (
        select(MergeRequestRow)
        .where(
            MergeRequestRow.project_id == project_id,
            MergeRequestRow.gitlab_path == path,
            MergeRequestRow.iid == iid,
        )
        .execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return (await session.scalars(query)).first()


def _apply(row: MergeRequestRow, event: Event, at: datetime) -> None:
    row.state = _state(event)
    row.title = event.title or row.title
    row.url = event.url or row.url
    row.draft = event.detail("draft") == "true"
    row.updated_at = at
    authors = _people(event, Role.AUTHOR)
    if authors:
        row.author = authors[0].model_dump(mode="json", exclude_defaults=True)
    reviewers = _people(event, Role.REVIEWER)
    if event.action == "review_requested":
        row.reviewers = _dumped([*_loaded(row.reviewers), *reviewers])
    else:
        row.reviewers = _dumped(reviewers)
    approved_by = _loaded(row.approved_by)
    if event.action in _APPROVING:
        row.approved_by = _dumped([*approved_by, event.actor])
        row.approved = row.approved or event.action == "approved"
    elif event.action in _UNAPPROVING:
        gone = person_key(event.actor)
        row.approved_by = _dumped(p for p in approved_by if person_key(p) != gone)
        row.approved = False


async def open_requests(session: AsyncSession, project_id: int) -> list[OpenMergeRequest]:
    """The open merge requests known in the project."""
    rows = await session.scalars(
        select(MergeRequestRow).where(
            MergeRequestRow.project_id == project_id, MergeRequestRow.state == OPENED
        )
    )
    return [
        OpenMergeRequest(
            gitlab_path=row.gitlab_path,
            iid=row.iid,
            title=row.title,
            url=row.url,
            author=Person.model_validate(row.author or {}),
            reviewers=tuple(_loaded(row.reviewers)),
            approved_by=tuple(_loaded(row.approved_by)),
            draft=row.draft,
            approved=row.approved,
            opened_at=row.opened_at,
        )
        for row in rows
    ]


async def forget_closed(session: AsyncSession, now: datetime) -> int:
    """Delete merged and closed merge requests older than `KEEP_CLOSED`; how many."""
    result = await session.execute(
        delete(MergeRequestRow).where(
            MergeRequestRow.state != OPENED, MergeRequestRow.updated_at < now - KEEP_CLOSED
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
