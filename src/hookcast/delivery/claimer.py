"""Claiming due deliveries as jobs: the rows (``outbox.claim``), with their events (handed over
in-process when this process accepted them, else read back), webhooks, mentions and, for direct
messages, the IM apps, all read in the claim's transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Text, select
from sqlalchemy import cast as cast_as
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hookcast.clock import utcnow
from hookcast.delivery.composer import Composer
from hookcast.delivery.direct import DirectMessages
from hookcast.delivery.jobs import Destination, Job
from hookcast.delivery.leases import HeldLeases
from hookcast.delivery.mentions import directory_for, mentions_for, named_people, ruled_people
from hookcast.events import Event, Person
from hookcast.kinds import spec_of
from hookcast.living import Plan, Remembered, plan
from hookcast.services import message_modes, people
from hookcast.services.decisions import Candidates
from hookcast.sources.caps import capped
from hookcast.store import message_refs, outbox
from hookcast.store.config_cache import ConfigCache
from hookcast.store.outbox import Channel
from hookcast.store.tables import EventRow, Webhook

RECENT_EVENTS = 5000  # events handed over and not yet claimed, at most


class Claimer:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        composer: Composer,
        direct: DirectMessages,
        paused: set[int],
        leases: HeldLeases,
        *,
        skip_locked: bool,
        config: ConfigCache,
    ) -> None:
        """``paused``: the webhooks this worker saw paused; one found claimable again leaves it.
        ``leases``: what this worker holds; a row it claims again (its lease ran out while it
        waited here) gets the new lease, and no second job."""
        self._sessions = sessions
        self._composer = composer
        self._direct = direct
        self._paused = paused
        self._leases = leases
        self._skip_locked = skip_locked
        self._config = config
        self._recent_events: dict[int, Event] = {}
        self._candidates = Candidates()  # each webhook's rules, parsed once per version

    def expect(self, events: dict[int, Event]) -> None:
        """Keep events accepted in this process at hand for their claim (saves reading and
        parsing them back)."""
        if len(self._recent_events) > RECENT_EVENTS:
            self._recent_events.clear()  # claimed elsewhere or long ago: read back when needed
        self._recent_events.update(events)

    async def claim(self, limit: int) -> list[Job]:
        now = utcnow()
        lease_until = self._leases.lease_from(now)
        async with self._sessions.begin() as session:
            claimed = await outbox.claim(
                session,
                holder=self._leases.holder,
                now=now,
                lease_until=lease_until,
                limit=limit,
                skip_locked=self._skip_locked,
            )
            rows = [row for row in claimed if not self._leases.holds(row.id)]  # others: already in a lane
            jobs = await self._jobs(session, rows, now) if rows else []
        self._leases.taken((row.id for row in claimed), lease_until)  # committed: ours
        self._paused.difference_update(row.webhook_id for row in rows)  # claimed, so not paused (any more)
        return jobs

    async def _jobs(self, session: AsyncSession, rows: list[outbox.Claimed], now: datetime) -> list[Job]:
        """Jobs of the claimed rows: their events, webhooks, mentions, recipients and, for living
        messages, the plan for their object's message (what is remembered: one query)."""
        wanted = {r.event_id for r in rows}
        events = {i: e for i in wanted if (e := self._recent_events.pop(i, None)) is not None}
        if len(events) < len(wanted):
            events |= await _load_events(session, wanted - events.keys())
        webhooks = await self._config.webhooks(session, {r.webhook_id for r in rows})
        direct = any(row.channel is Channel.DIRECT for row in rows)
        if direct:
            await self._direct.load_apps(session)
        mentioned = {
            r.id: _mentioned(events[r.event_id], webhooks[r.webhook_id], r.channel, self._candidates)
            for r in rows
        }
        directory = await directory_for(
            session, ((p, events[r.event_id].source) for r in rows for p in mentioned[r.id])
        )
        living = [(r.webhook_id, r.object_key) for r in rows if r.object_key and r.channel is Channel.GROUP]
        remembered = await message_refs.load(session, living) if living else {}
        jobs = []
        for row in rows:
            webhook = webhooks[row.webhook_id]
            destination = self._composer.destination(webhook, row.channel, row.recipient)
            job = Job(
                delivery_id=row.id,
                attempts=row.attempts,
                idempotency_key=row.idempotency_key,
                event=events[row.event_id],
                event_id=row.event_id,
                destination=destination,
                mentions=mentions_for(mentioned[row.id], directory, events[row.event_id].source)
                if mentioned[row.id]
                else (),
                held=row.held,
            )
            if row.object_key and row.channel is Channel.GROUP:
                memory = remembered.get((row.webhook_id, row.object_key))
                job = replace(
                    job,
                    object_key=row.object_key,
                    plan=_plan(webhook, destination, memory, job.event, now),
                )
            jobs.append(job)
        if direct:
            jobs = [await _with_known_recipient(session, job) for job in jobs]
        return jobs


def _mentioned(event: Event, webhook: Webhook, channel: Channel, candidates: Candidates) -> list[Person]:
    """Whom a group message mentions: the people the event names (when the webhook mentions them,
    or the kind always does), then those its mention rules add."""
    named = named_people(event) if webhook.mention_people or spec_of(event.kind).always_mention else []
    rules = candidates.of(webhook).rules if webhook.rules else ()
    ruled = ruled_people(event, rules) if channel is Channel.GROUP and rules else []
    return named + ruled


def _plan(
    webhook: Webhook, destination: Destination, memory: Remembered | None, event: Event, now: datetime
) -> Plan:
    """The webhook's mode for its full URL (the platform's word; the stored mode when offered)."""
    modes = destination.platform.message_modes(destination.target.url)
    mode = message_modes.effective(webhook, modes)
    return plan(mode, memory, event, now, flap_window=message_modes.flap_window(webhook), modes=modes)


async def _with_known_recipient(session: AsyncSession, job: Job) -> Job:
    """A direct message to someone whose id on the platform the directory holds needs no
    look-up; one to someone the event named by login only is looked up by the e-mail or mobile
    the directory holds for them."""
    destination = job.destination
    if destination.recipient is None:
        return job
    recipient, known = await people.as_known(
        session, destination.recipient, destination.platform.name, job.event.source
    )
    return replace(job, destination=replace(destination, recipient=recipient, recipient_user_id=known))


async def _load_events(session: AsyncSession, ids: set[int]) -> dict[int, Event]:
    """Read as text and parsed by pydantic in one pass: no intermediate dicts. Events stored by a
    release that did not cut texts at parse time are cut now (`capped`: the same event when it
    already was), so rendering them costs no more than rendering a new one."""
    as_text = cast_as(EventRow.event, Text).label("event")
    rows = await session.execute(select(EventRow.id, as_text).where(EventRow.id.in_(ids)))
    return {row.id: capped(Event.model_validate_json(row.event)) for row in rows}
