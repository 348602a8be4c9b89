"""Posting to a group bot: one message (or a digest of several jobs) through the courier, the
answer classified, one `Result` per job."""

from __future__ import annotations

from collections.abc import Sequence

from hookcast.clock import utcnow
from hookcast.delivery.composer import Composer
from hookcast.delivery.courier import Courier
from hookcast.delivery.jobs import Job, Result
from hookcast.metrics import Metrics
from hookcast.platforms.base import HttpRequest, HttpResponse
from hookcast.store.outbox import outcome_label


class Poster:
    def __init__(self, courier: Courier, composer: Composer, metrics: Metrics) -> None:
        self._metrics = metrics
        self._courier = courier
        self._composer = composer

    async def attempt(self, jobs: Sequence[Job]) -> tuple[list[Result], HttpResponse | None]:
        """Compose and send: for callers that need no gap between the two."""
        return await self.send(jobs, self._composer.request(jobs))

    async def send(
        self, jobs: Sequence[Job], request: HttpRequest
    ) -> tuple[list[Result], HttpResponse | None]:
        """Send the request composed for ``jobs``: the results, and the answer when there was one."""
        head = jobs[0]
        destination = head.destination
        platform = destination.platform
        if len(jobs) > 1:
            self._metrics.digests_sent.labels(platform.name.value).inc()
        started_at = utcnow()
        sent = await self._courier.deliver(platform, destination.target, request)
        self._metrics.attempts.labels(platform.name.value, outcome_label(sent.outcome)).inc()
        self._metrics.attempt_seconds.labels(platform.name.value).observe(sent.duration)
        results = [
            Result(
                job=job,
                outcome=sent.outcome,
                started_at=started_at,
                duration_ms=round(sent.duration * 1000),
                status_code=sent.status_code,
                response_excerpt=sent.answer,
                error=sent.error,
                request_url=sent.request_url,
                request_body=sent.request_body,
                digest_of=head.delivery_id if len(jobs) > 1 else None,
            )
            for job in jobs
        ]
        return results, sent.response
