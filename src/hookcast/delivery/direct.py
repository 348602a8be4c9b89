"""Direct messages: one person, through the platform's IM app (one client per app, kept while
its row is unchanged so its token and look-up caches live on)."""

from __future__ import annotations

import time
from dataclasses import replace

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.delivery.composer import Composer
from hookcast.delivery.jobs import Job, Result
from hookcast.delivery.posting import Poster
from hookcast.directmessages import MessengerPool
from hookcast.events import Person
from hookcast.metrics import Metrics
from hookcast.platforms.app_client.base import describe
from hookcast.platforms.base import Delivered, Outcome, Permanent, RetryAfter
from hookcast.platforms.url_secrets import scrub
from hookcast.store.directory import ImAppRow
from hookcast.store.outbox import Channel, outcome_label

log = structlog.get_logger("hookcast.delivery")


class DirectMessages:
    def __init__(
        self, messengers: MessengerPool, composer: Composer, poster: Poster, metrics: Metrics
    ) -> None:
        self._metrics = metrics
        self._messengers = messengers
        self._composer = composer
        self._poster = poster
        self._apps: dict[str, ImAppRow] = {}

    async def load_apps(self, session: AsyncSession) -> None:
        """Read the IM app rows again (a claim with direct messages does, so a changed app is
        used from its next message on)."""
        self._apps = {app.platform: app for app in await session.scalars(select(ImAppRow))}

    async def attempt(self, job: Job) -> list[Result]:
        """Message one person through the IM app. When that cannot be done, the group hears of
        the event anyway: it already has (the group message went out as usual), or, for a
        "direct only" webhook, the group message is sent now instead; the reason is recorded."""
        destination = job.destination
        platform = destination.platform
        person = destination.recipient or Person()
        messenger = self._messengers.get(platform.name, self._apps.get(platform.name.value))
        started_at = utcnow()
        clock = time.perf_counter()
        outcome: Outcome
        found: str | None = None
        if messenger is None:
            outcome = Permanent(f"no {platform.label} IM app is set up")
        else:
            try:
                outcome = await messenger.send(
                    self._composer.message(job),
                    person,
                    idempotency_key=job.idempotency_key,
                    user_id=destination.recipient_user_id,
                )
                if isinstance(outcome, Delivered) and destination.recipient_user_id is None:
                    found = await messenger.resolve(person)  # just looked up: from the client's cache
            except Exception as exc:
                log.exception("direct message failed unexpectedly", to=describe(person))
                outcome = RetryAfter(reason=scrub(f"direct message failed: {exc!r}", messenger.secrets()))
        self._metrics.attempts.labels(f"{platform.name.value}-im", outcome_label(outcome)).inc()
        if isinstance(outcome, Permanent):
            log.info("direct message not sent", to=describe(person), reason=outcome.reason)
            if destination.direct_only:
                as_group = replace(
                    job, destination=replace(destination, channel=Channel.GROUP, recipient=None)
                )
                [sent], _ = await self._poster.attempt([as_group])
                note = f"direct message not sent ({outcome.reason}); posted to the group instead"
                return [replace(sent, job=job, error=f"{note}: {sent.error}" if sent.error else note)]
            outcome = Permanent(f"direct message not sent ({outcome.reason}); the group message carries it")
        return [
            Result(
                job=job,
                outcome=outcome,
                started_at=started_at,
                duration_ms=round((time.perf_counter() - clock) * 1000),
                status_code=None,
                response_excerpt=self._composer.template_note(job).lstrip(),
                error=None if isinstance(outcome, Delivered) else outcome.reason,
                request_url=f"{platform.name.value} IM app",
                request_body=f"direct message to {describe(person)}",
                found_user_id=found,
            )
        ]
