"""Posting to a group bot: one message (or a digest of several jobs) through the courier, the
answer classified, one `Result` per job.

A living message's edit or reply that the platform refuses because the message is gone
(`Platform.edit_refused`) is posted anew at once, in the same lane step; a living message that
landed carries what to remember of its object's message (`Result.memory`, from
`living.after_posting` with the platform's reference read from the answer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hookcast.clock import utcnow
from hookcast.delivery.composer import Composer
from hookcast.delivery.courier import Courier
from hookcast.delivery.jobs import Job, Result
from hookcast.living import Action, Remembered, after_posting
from hookcast.metrics import Metrics
from hookcast.platforms.base import Delivered, HttpRequest, HttpResponse, Outcome
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
        self._count(platform.name.value, sent.outcome, sent.duration)
        plan = head.plan if len(jobs) == 1 else None
        reposted = False
        if plan is not None and sent.response is not None and platform.edit_refused(sent.response):
            try:
                again = self._composer.reposted(head)
            except Exception:  # cannot be encoded as a post: the refusal stands (a permanent outcome)
                again = None
            if again is not None:  # the message is gone: a new one, remembered in its place
                sent = await self._courier.deliver(platform, destination.target, again)
                self._count(platform.name.value, sent.outcome, sent.duration)
                reposted = True
        memory = None
        if plan is not None and plan.remembers and head.object_key and isinstance(sent.outcome, Delivered):
            memory = self._memory(head, sent.response, reposted)
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
                memory=memory,
            )
            for job in jobs
        ]
        return results, sent.response

    def _count(self, platform: str, outcome: Outcome, duration: float) -> None:
        self._metrics.attempts.labels(platform, outcome_label(outcome)).inc()
        self._metrics.attempt_seconds.labels(platform).observe(duration)

    @staticmethod
    def _memory(
        job: Job, response: HttpResponse | None, reposted: bool
    ) -> tuple[tuple[int, str], Remembered] | None:
        plan, key = job.plan, job.object_key
        if plan is None or key is None:
            return None
        if reposted:
            plan = replace(plan, action=Action.POST, ref=None)
        ref = job.destination.platform.posted_ref(response) if response is not None else ""
        return (job.destination.webhook_id, key), after_posting(plan, job.event, ref, utcnow())
