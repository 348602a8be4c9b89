"""Accepting events: store each event and its fan-out (one delivery per webhook that wants it) in
one transaction, so that a 2xx answer means nothing can be lost any more.

:func:`accept_many` takes a batch in one transaction with a fixed number of statements, whatever
the batch size, plus one per finished pipeline (its ref's memory, `pipeline_results`) and a few
per merge request event (what review reminders know of it, `services/merge_requests.py`);
:class:`IntakeQueue` groups concurrent requests into such batches (group commit): an idle service
commits each event at once, a busy one commits what arrived meanwhile together.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

import structlog
from sqlalchemy import Insert, Table, select, tuple_
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.directmessages.recipients import direct_recipients
from hookcast.events import Event
from hookcast.living import MessageMode, object_key
from hookcast.logs import error_fields, short_digest
from hookcast.quiet_hours import breaks_through, quiet_until
from hookcast.rules import Routing
from hookcast.services import decisions, merge_requests, message_modes, quiet_hours, silences
from hookcast.services.inbound_scope import stored_key, target_project
from hookcast.services.pipeline_results import with_previous_status
from hookcast.services.projects import split_patterns
from hookcast.store import outbox
from hookcast.store.config_cache import ConfigCache
from hookcast.store.tables import EventRow, Project, Webhook

log = structlog.get_logger("hookcast.intake")

IGNORED_KIND = "ignored"
MAX_BATCH = 500


@dataclass(frozen=True, slots=True)
class Submission:
    """One inbound event for the project ``project_id`` authenticated. ``event`` is None for a
    well-formed request hookcast does not notify about (kept with ``reason``).
    ``named_by_route``: the route's path named the project, so the body never re-routes it."""

    project_id: int
    event: Event | None
    idempotency_key: str | None
    source: str
    reason: str | None = None
    named_by_route: bool = False


@dataclass(frozen=True, slots=True)
class Accepted:
    """``event``: the event as stored, which may know more than the one submitted (a finished
    pipeline's `Event.previous_status`); set when deliveries were made of it."""

    event_id: int
    duplicate: bool
    deliveries: int
    ignored_reason: str | None = None
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class ProjectGone:
    """The authenticated project was deleted meanwhile."""


class NotStored(Exception):
    """The event could not be stored (the reason is logged, with ids): nothing was accepted, the
    sender may try again."""

    def __init__(self) -> None:
        super().__init__("the event could not be stored; try again later")


# What intake answers for one submission (not a platform's `Outcome`).
IntakeResult = Accepted | ProjectGone


async def accept_many(
    session: AsyncSession,
    submissions: Sequence[Submission],
    *,
    paused_backlog: int,
    config: ConfigCache,
    candidates: decisions.Candidates | None = None,
) -> list[IntakeResult]:
    """Store the submissions and their deliveries. A paused webhook keeps at most
    ``paused_backlog`` deliveries waiting; its new ones beyond that are set aside
    (``outbox.bound``). Projects and webhooks come from this process's ``config`` cache, and
    how routing sees each webhook from ``candidates`` (worked out anew when not given)."""
    projects = await config.projects(session, {s.project_id for s in submissions})
    paths = {
        s.event.project.path_with_namespace
        for s in submissions
        if s.event is not None
        and not s.named_by_route
        and s.project_id in projects
        and projects[s.project_id].routes_other_projects
    }
    paths.discard("")
    by_path: dict[str, Project] = {}
    if paths:
        for project in await session.scalars(select(Project).where(Project.gitlab_path.in_(paths))):
            by_path[project.gitlab_path or ""] = project

    # Where each submission goes, and as what.
    plans: list[_Plan | None] = []
    received = utcnow()
    for submission in submissions:
        owner = projects.get(submission.project_id)
        if owner is None:
            plans.append(None)
            continue
        event, reason = submission.event, submission.reason
        target = owner
        if event is not None:
            found = target_project(
                owner, event.project.path_with_namespace, by_path, named_by_route=submission.named_by_route
            )
            if found is None:
                reason = f"project {event.project.path_with_namespace!r} is outside this token's scope"
                event = None
            else:
                target = found
        key = stored_key(submission.idempotency_key or f"auto:{uuid.uuid4().hex}", owner, target)
        if event is not None:
            event = await with_previous_status(session, target.id, event)
            await merge_requests.remember(session, target.id, event, received)
        plans.append(_Plan(target, event, key, submission.source, reason))

    notify_projects = {p.project.id for p in plans if p is not None and p.event is not None}
    webhooks_by_project: dict[int, list[Webhook]] = defaultdict(
        list, await config.webhooks_of(session, notify_projects) if notify_projects else {}
    )
    plans = [_decided(plan, webhooks_by_project, candidates) for plan in plans]

    stored = await _insert_events(session, [p for p in plans if p is not None])
    now = utcnow()
    muted = await silences.in_force(session, notify_projects, now)
    deliveries: list[dict[str, Any]] = []
    outcomes: list[IntakeResult] = []
    for plan in plans:
        if plan is None:
            outcomes.append(ProjectGone())
            continue
        event_id, fresh = stored[(plan.project.id, plan.key)]
        if plan.event is None:
            outcomes.append(Accepted(event_id, not fresh, 0, plan.reason))
            continue
        if not fresh:
            outcomes.append(Accepted(event_id, True, 0))
            continue
        fresh_rows = _fan_out(plan, event_id, webhooks_by_project[plan.project.id], now)
        silences.mute(fresh_rows, muted.silencing(plan.event, plan.project.id))
        deliveries.extend(fresh_rows)
        outcomes.append(Accepted(event_id, False, len(fresh_rows), event=plan.event))
        stored[(plan.project.id, plan.key)] = (event_id, False)  # a repeat within the batch
    paused = {w.id for hooks in webhooks_by_project.values() for w in hooks if outbox.is_paused(w, now)}
    if paused:  # the cached pause may be a second old: one lifted meanwhile must not set rows aside
        paused = await outbox.still_paused(session, paused, now)
    await outbox.bound(session, deliveries, paused, paused_backlog)
    await outbox.enqueue(session, deliveries)
    return outcomes


@dataclass(frozen=True, slots=True)
class _Plan:
    project: Project
    event: Event | None
    key: str
    source: str
    reason: str | None
    routing: Routing | None = None  # what the project's webhooks decided (filters and rules)


def _decided(
    plan: _Plan | None,
    webhooks_by_project: dict[int, list[Webhook]],
    candidates: decisions.Candidates | None,
) -> _Plan | None:
    """``plan`` with its webhooks' decisions, made before the event is stored: they go in its row."""
    if plan is None or plan.event is None:
        return plan
    protected = split_patterns(plan.project.protected_branches)
    decided = decisions.routing(plan.event, webhooks_by_project[plan.project.id], protected, candidates)
    return replace(plan, routing=decided)


def _fan_out(plan: _Plan, event_id: int, webhooks: list[Webhook], now: Any) -> list[dict[str, Any]]:
    assert plan.event is not None
    protected = split_patterns(plan.project.protected_branches)
    chosen = decisions.sending(plan.routing, webhooks)
    rows: list[dict[str, Any]] = []
    for webhook in chosen:
        where = {"event_id": event_id, "webhook_id": webhook.id, "project_id": plan.project.id, "now": now}
        recipients = direct_recipients(plan.event) if webhook.direct_messages else ()
        if not (recipients and webhook.direct_only):
            held_until = _held_until(plan.event, webhook, protected, now)
            living = message_modes.effective(webhook) is not MessageMode.EVERY_EVENT
            key = object_key(plan.event) if living else None
            rows.append(outbox.new_delivery(**where, held_until=held_until, object_key=key))
        rows.extend(
            outbox.new_delivery(
                **where,
                channel=outbox.Channel.DIRECT,
                recipient=person.model_dump(mode="json", exclude_defaults=True),
            )
            for person in recipients
        )
    return rows


def _held_until(event: Event, webhook: Webhook, protected: Sequence[str], now: datetime) -> datetime | None:
    """When the group message must wait for the webhook's quiet hours to end, None to send it
    now. Direct messages are never held: they are one person's, not a group's night."""
    hours = quiet_hours.effective(webhook.quiet_hours)
    if hours is None or breaks_through(event, hours, protected):
        return None
    return quiet_until(hours, now)


async def _insert_events(
    session: AsyncSession, plans: Sequence[_Plan]
) -> dict[tuple[int, str], tuple[int, bool]]:
    """Insert the events, skipping keys already stored: ``(project, key) -> (event id, fresh)``."""
    now = utcnow()
    rows = []
    for plan in plans:
        event = plan.event
        rows.append(
            {
                "project_id": plan.project.id,
                "idempotency_key": plan.key,
                "source": plan.source,
                "kind": event.kind.value if event is not None else IGNORED_KIND,
                "action": (event.action if event is not None else "")[:64],
                "event": event.model_dump(mode="json", exclude_unset=True)
                if event is not None
                else {"reason": plan.reason},
                "received_at": now,
                "decisions": plan.routing.stored() if plan.routing is not None else None,
            }
        )
    result: dict[tuple[int, str], tuple[int, bool]] = {}
    unique_rows = list({(r["project_id"], r["idempotency_key"]): r for r in rows}.values())
    connection = await session.connection()  # Core: the ORM's bulk insert costs more than the rows
    statement = _insert_new_events(connection.dialect.name)
    for row in (await connection.execute(statement, unique_rows)).all():
        result[(row.project_id, row.idempotency_key)] = (row.id, True)
    missing = [
        (r["project_id"], r["idempotency_key"])
        for r in unique_rows
        if (r["project_id"], r["idempotency_key"]) not in result
    ]
    if missing:
        existing = await session.execute(
            select(EventRow.id, EventRow.project_id, EventRow.idempotency_key).where(
                tuple_(EventRow.project_id, EventRow.idempotency_key).in_(missing)
            )
        )
        for row in existing:
            result[(row.project_id, row.idempotency_key)] = (row.id, False)
    return result


@functools.cache  # per kind of database: built and keyed once
def _insert_new_events(dialect: str) -> Insert:
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    events = cast(Table, EventRow.__table__)
    return (
        dialect_insert(events)
        .on_conflict_do_nothing(index_elements=["project_id", "idempotency_key"])
        .returning(events.c.id, events.c.project_id, events.c.idempotency_key)
    )


@dataclass
class _Waiting:
    submission: Submission
    future: asyncio.Future[IntakeResult]


class IntakeQueue:
    """Group commit: concurrent submissions are written together, each caller answered once its
    batch is committed. A batch that fails is retried one submission at a time, so one bad event
    cannot sink the others."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        on_work: Callable[[dict[int, Event]], None] | None = None,
        *,
        paused_backlog: int,
        config: ConfigCache,
    ) -> None:
        """``on_work`` hears of each committed batch that has deliveries, with its new events by
        id (an in-process worker then need not read them back). ``paused_backlog``
        (``HOOKCAST_PAUSED_BACKLOG``) and ``config``: see `accept_many`."""
        self._sessions = sessions
        self._paused_backlog = paused_backlog
        self._config = config
        self._candidates = decisions.Candidates()
        self._on_work = on_work
        self._queue: asyncio.Queue[_Waiting] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hookcast-intake")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        while not self._queue.empty():
            waiting = self._queue.get_nowait()
            if not waiting.future.done():
                waiting.future.set_exception(RuntimeError("hookcast is shutting down"))

    async def submit(self, submission: Submission) -> IntakeResult:
        if self._task is None or self._task.done():
            raise RuntimeError("the intake queue is not running")
        future: asyncio.Future[IntakeResult] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Waiting(submission, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < MAX_BATCH:
                batch.append(self._queue.get_nowait())
            try:
                await self._store(batch)
            except Exception:  # the queue must outlive any one batch
                # Something failed outside the database work (a log handler, say): whoever still
                # waits is told the event was not stored, and the next batch is served.
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(NotStored())

    async def _store(self, batch: list[_Waiting]) -> None:
        try:
            outcomes = await self._write([w.submission for w in batch])
        except Exception as error:
            log.error(
                "intake batch failed; storing its events one by one",
                size=len(batch),
                project_ids=sorted({w.submission.project_id for w in batch}),
                **error_fields(error),
            )
            await self._write_one_by_one(batch)
            return
        self._settle(batch, outcomes)

    async def _write(self, submissions: list[Submission]) -> list[IntakeResult]:
        on_work = self._on_work
        async with self._sessions.begin() as session:
            outcomes = await accept_many(
                session,
                submissions,
                paused_backlog=self._paused_backlog,
                config=self._config,
                candidates=self._candidates,
            )
            fresh = {
                outcome.event_id: outcome.event
                for outcome in outcomes
                if isinstance(outcome, Accepted)
                and outcome.deliveries
                and not outcome.duplicate
                and outcome.event is not None
            }
            if on_work is not None and fresh:
                # Right after COMMIT, before the connection is handed on: a worker claiming
                # these deliveries next finds their events at hand. Nothing is told on rollback.
                sa_event.listen(session.sync_session, "after_commit", lambda _: on_work(fresh), once=True)
        return outcomes

    async def _write_one_by_one(self, batch: list[_Waiting]) -> None:
        for waiting in batch:
            submission = waiting.submission
            try:
                [outcome] = await self._write([submission])
            except Exception as error:
                log.error(
                    "could not store an event",
                    project_id=submission.project_id,
                    source=submission.source,
                    key=short_digest(submission.idempotency_key) if submission.idempotency_key else None,
                    **error_fields(error),
                )
                if not waiting.future.done():
                    # Not the error itself: its text carries the event, and the caller may log it.
                    waiting.future.set_exception(NotStored())
                continue
            self._settle([waiting], [outcome])

    @staticmethod
    def _settle(batch: list[_Waiting], outcomes: list[IntakeResult]) -> None:
        for waiting, outcome in zip(batch, outcomes, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(outcome)
