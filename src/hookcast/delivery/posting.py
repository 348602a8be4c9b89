"""Posting to a group bot: one message (or a digest of several jobs) through the courier, the
answer classified, one `Result` per job.

A living message's edit or reply that the platform refuses because the message is gone
(`Platform.edit_refused`) is posted anew at once, in the same lane step; a living message that
landed carries what to remember of its object's message (`Result.memory`, from
`living.after_posting` with the platform's reference read from the answer).

An edit of a failure that landed is followed, in the same step, by a compact reply in the card's
thread (`Plan.also_reply`: an edit notifies nobody). The edit decides the delivery's outcome: the
card shows the new state, and retrying the delivery for a lost reply would edit it again for
nothing. So the reply is tried once; what became of it is appended to the attempt's response
excerpt (shown in the delivery history) and a reply that did not land is logged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

import structlog

from hookcast.clock import utcnow
from hookcast.delivery.composer import Composer
from hookcast.delivery.courier import Courier, Exchange
from hookcast.delivery.jobs import Job, Result
from hookcast.living import Action, Remembered, after_posting
from hookcast.metrics import Metrics
from hookcast.platforms.base import Delivered, HttpRequest, HttpResponse, Outcome
from hookcast.store.outbox import outcome_label

log = structlog.get_logger("hookcast.delivery")
# Waits for the bot's next rate-limit slot: whether the second request of a step may still go.
Pace = Callable[[], Awaitable[bool]]
REPLY_NOTE_CHARS = 300  # what the excerpt says of the thread reply, at most


class Poster:
    def __init__(self, courier: Courier, composer: Composer, metrics: Metrics) -> None:
        self._metrics = metrics
        self._courier = courier
        self._composer = composer

    async def attempt(self, jobs: Sequence[Job]) -> tuple[list[Result], HttpResponse | None]:
        """Compose and send: for callers that need no gap between the two."""
        return await self.send(jobs, self._composer.request(jobs))

    async def send(
        self, jobs: Sequence[Job], request: HttpRequest, *, pace: Pace | None = None
    ) -> tuple[list[Result], HttpResponse | None]:
        """Send the request composed for ``jobs``: the results, and the answer when there was one.
        ``pace`` waits for the bot's next rate-limit slot before a failure's thread reply (the
        lane's; without it the reply goes at once) and says whether it may still go."""
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
        answer = sent.answer
        if plan is not None and plan.also_reply and not reposted and isinstance(sent.outcome, Delivered):
            answer += await self._thread_reply(head, pace)
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
                response_excerpt=answer + self._composer.template_note(job),
                error=sent.error,
                request_url=sent.request_url,
                request_body=sent.request_body,
                digest_of=head.delivery_id if len(jobs) > 1 else None,
                memory=memory,
            )
            for job in jobs
        ]
        return results, sent.response

    async def _thread_reply(self, job: Job, pace: Pace | None) -> str:
        """Send the reply that goes with ``job``'s landed edit of a failure: the note for the
        attempt's excerpt (its outcome; never a failure of the delivery)."""
        platform = job.destination.platform
        try:
            request = self._composer.thread_reply(job)
        except Exception:  # the platform cannot encode it: the edit stands alone
            log.exception("thread reply could not be encoded", delivery=job.delivery_id)
            return "\n[thread reply: could not be encoded]"
        if request is None:
            return ""
        if pace is not None and not await pace():
            log.warning("thread reply not sent: the worker stops or lost the row", delivery=job.delivery_id)
            return "\n[thread reply: not sent]"
        replied: Exchange = await self._courier.deliver(platform, job.destination.target, request)
        self._count(platform.name.value, replied.outcome, replied.duration)
        if isinstance(replied.outcome, Delivered):
            return "\n[thread reply: delivered]"
        reason = (replied.error or outcome_label(replied.outcome))[:REPLY_NOTE_CHARS]
        log.warning("thread reply not delivered", delivery=job.delivery_id, reason=reason)
        return f"\n[thread reply not delivered: {reason}]"

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
            plan = replace(plan, action=Action.POST, ref=None, also_reply=False)
        ref = job.destination.platform.posted_ref(response) if response is not None else ""
        return (job.destination.webhook_id, key), after_posting(plan, job.event, ref, utcnow())
