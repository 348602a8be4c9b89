"""The memory behind "fixed" and "still failing": the result of the newest finished pipeline seen
on each ref of each project (`store.tables.PipelineResult`).

Intake calls `with_previous_status` for every event it is about to store, in arrival order and
in the event's own transaction, and stores the event it gets back: a finished pipeline then
carries its ref's previous result (`Event.previous_status`), which routing and rendering read as
data (`events.pipeline_change`) without touching the database or the clock.

Pipelines of one ref may arrive out of order, and several intake processes may write at once.
One upsert per pipeline settles both: it replaces the remembered result only for a newer
pipeline (a higher id, or the same pipeline finishing again later after a retry of its jobs),
and writes the result it replaces next to the new one, so the statement itself answers "what
came before me" atomically (PostgreSQL locks the conflicting row; SQLite has one writer). A
pipeline that is not newer changes nothing and is marked `SUPERSEDED`: it neither breaks nor
fixes the ref.
"""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import REMEMBERED_RESULTS, SUPERSEDED, Event, EventKind
from hookcast.store.tables import PipelineResult

_BIGINT_MAX = 2**63 - 1


def ref_key(event: Event) -> str:
    """``refs/heads/<branch>`` or ``refs/tags/<tag>``: a branch and a tag may share a name."""
    name = (event.ref or "").removeprefix("refs/heads/").removeprefix("refs/tags/")
    return ("refs/tags/" if event.is_tag else "refs/heads/") + name


def path_key(event: Event) -> str:
    """The project path, and for a GitHub run its workflow (``owner/repo workflow:123``): each
    workflow of a ref passes or fails on its own, so one's pass does not "fix" another's failure."""
    workflow = event.detail("workflow")
    path = event.project.path_with_namespace
    return f"{path} workflow:{workflow}" if workflow else path


def _pipeline_id(event: Event) -> int | None:
    text = event.object_id or ""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= _BIGINT_MAX else None


async def with_previous_status(session: AsyncSession, project_id: int, event: Event) -> Event:
    """``event`` as it is to be stored: a finished pipeline (passed or failed) with its ref's
    previous result, after remembering its own; any other event unchanged."""
    pipeline_id = _pipeline_id(event)
    if (
        event.kind != EventKind.PIPELINE
        or event.action not in REMEMBERED_RESULTS
        or not event.ref
        or pipeline_id is None
    ):
        return event
    dialect_insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    insert = dialect_insert(PipelineResult).values(
        project_id=project_id,
        gitlab_path=path_key(event),
        ref=ref_key(event),
        pipeline_id=pipeline_id,
        finished_at=event.occurred_at,
        status=event.action,
        previous_status=None,
    )
    newer = or_(
        insert.excluded.pipeline_id > PipelineResult.pipeline_id,
        and_(
            insert.excluded.pipeline_id == PipelineResult.pipeline_id,
            insert.excluded.finished_at > PipelineResult.finished_at,
        ),
    )
    statement = insert.on_conflict_do_update(
        index_elements=[PipelineResult.project_id, PipelineResult.gitlab_path, PipelineResult.ref],
        set_={
            "pipeline_id": insert.excluded.pipeline_id,
            "finished_at": insert.excluded.finished_at,
            "status": insert.excluded.status,
            "previous_status": PipelineResult.status,  # the row's value before this update
        },
        where=newer,
    ).returning(PipelineResult.previous_status)
    written = (await session.execute(statement)).first()
    if written is None:
        return event.model_copy(update={"previous_status": SUPERSEDED})
    if written.previous_status is None:
        return event  # the first result seen on this ref
    return event.model_copy(update={"previous_status": written.previous_status})
