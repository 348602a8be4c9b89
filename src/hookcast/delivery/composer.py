"""Turning claimed rows into requests: where a delivery goes (its webhook's decrypted target,
cached per version of the webhook) and what it says (rendered once per event and language,
then encoded for the platform; several jobs become one digest).

A living message (`Job.plan`) is the cached rendering with its plan applied
(`messages.living.living_message`: the history line, or the compact form), never cached itself
(it differs per plan), and encoded as the plan says: a post whose answer names the message, an
edit or a reply of the remembered one, or a plain post; an edit of a failure also gets a
compact reply in the card's thread (`thread_reply`). Only thread mode names the object's thread
(`thread_key`). A digest is always plain; its entries are the jobs' messages, templated or not.

A webhook's message template for the event's kind (`messages/templates.py`) rewords the built-in
message; when it fails, the built-in message is sent and the failure is kept for the attempt's
record (`template_note`), so a broken template never loses an event."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from hookcast.crypto import SecretBox
from hookcast.delivery.jobs import Destination, Job
from hookcast.events import Person
from hookcast.living import Action, Plan
from hookcast.messages.digest import render_digest
from hookcast.messages.living import living_message
from hookcast.messages.model import Message
from hookcast.messages.render import render
from hookcast.messages.silence_action import with_silence_action
from hookcast.messages.templates import Template, TemplateError, failure_note, reworded
from hookcast.platforms import get_platform
from hookcast.platforms.base import EncodeContext, HttpRequest, WebhookTarget
from hookcast.services import message_templates
from hookcast.services.webhooks import target_of
from hookcast.store.outbox import Channel
from hookcast.store.tables import Webhook

CACHE_LIMIT = 10_000  # entries; a full cache is simply emptied


class Composer:
    def __init__(self, box: SecretBox, public_url: str | None = None) -> None:
        """``public_url`` (``HOOKCAST_PUBLIC_URL``): alert cards link to the silence form there
        (`messages/silence_action.py`); without it they have no such button."""
        self._box = box
        self._public_url = public_url
        self._rendered: dict[tuple[int, str, str], tuple[Message, TemplateError | None]] = {}
        self._templates: dict[tuple[int, object, str], Template | TemplateError | None] = {}
        self._targets: dict[tuple[int, Any], WebhookTarget] = {}

    def destination(
        self, webhook: Webhook, channel: Channel, recipient: dict[str, Any] | None
    ) -> Destination:
        return Destination(
            webhook_id=webhook.id,
            platform=get_platform(webhook.platform),
            target=self._target(webhook),
            language=webhook.language,
            bot_key=webhook.url_digest
            if channel is Channel.GROUP
            else f"dm:{webhook.platform}:{_identity(recipient)}",
            channel=channel,
            recipient=Person.model_validate(recipient) if recipient else None,
            direct_only=webhook.direct_only,
            project_id=webhook.project_id,
            templates=webhook.templates or None,
            version=webhook.updated_at,
        )

    def message(self, job: Job) -> Message:
        return self.composed(job)[0]

    def template_note(self, job: Job) -> str:
        """What the attempt records of ``job``'s template: why it failed (the built-in message
        was sent instead), or "" when it rendered or there is none."""
        failure = self.composed(job)[1]
        return "\n" + failure_note(failure) if failure is not None else ""

    def composed(self, job: Job) -> tuple[Message, TemplateError | None]:
        """``job``'s message (its webhook's template for the event's kind when there is one, else
        the built-in rendering, also when the template fails: with the failure), cached per event,
        language and template version."""
        destination = job.destination
        template = self._template(destination, job.event.kind.value)
        if job.mentions:  # the same event renders differently with mentions: not cached
            return self._composed(job, template)
        key = (job.event_id, destination.language, template.digest if isinstance(template, Template) else "")
        found = self._rendered.get(key)
        if found is None:
            if len(self._rendered) > CACHE_LIMIT:
                self._rendered.clear()
            found = self._rendered[key] = self._composed(job, template)
        return found

    def _composed(
        self, job: Job, template: Template | TemplateError | None
    ) -> tuple[Message, TemplateError | None]:
        """Rendered (and reworded by the template), with the alert card's "Silence 1 h" button
        (an event's deliveries are all of one project, so the cache per event holds)."""
        language = job.destination.language
        builtin = render(job.event, language, mentions=job.mentions)
        message, failure = reworded(builtin, job.event, language, template)
        return with_silence_action(message, job.event, self._public_url, job.destination.project_id), failure

    def _template(self, destination: Destination, kind: str) -> Template | TemplateError | None:
        """The webhook's template for ``kind``, compiled once per version of the webhook."""
        if not destination.templates or kind not in destination.templates:
            return None
        key = (destination.webhook_id, destination.version, kind)
        if key not in self._templates:
            if len(self._templates) > CACHE_LIMIT:
                self._templates.clear()
            self._templates[key] = message_templates.compiled(destination.templates, kind)
        return self._templates[key]

    def request(self, jobs: Sequence[Job]) -> HttpRequest:
        """The request carrying one message (as its plan says, for a living one), or for several
        jobs their digest."""
        head = jobs[0]
        destination = head.destination
        if len(jobs) == 1:
            return self.planned(head, head.plan)
        message = render_digest([self.message(job) for job in jobs], destination.language)
        return destination.platform.encode(
            message, destination.target, EncodeContext(time.time(), head.idempotency_key)
        )

    def planned(self, job: Job, plan: Plan | None) -> HttpRequest:
        """``job``'s message encoded as ``plan`` says (None: a plain post)."""
        platform, target = job.destination.platform, job.destination.target
        message = self.message(job)
        if plan is None or plan.action is Action.PLAIN:
            return platform.encode(message, target, EncodeContext(time.time(), job.idempotency_key))
        message = living_message(message, plan)
        key = thread_key(job) if plan.threaded else None  # other modes' messages stand alone
        ctx = EncodeContext(time.time(), job.idempotency_key, thread_key=key)
        if plan.action is Action.EDIT and plan.ref:
            return platform.encode_edit(message, target, ctx, plan.ref)
        if plan.action is Action.REPLY and plan.ref:
            return platform.encode_reply(message, target, ctx, plan.ref)
        if plan.action is Action.POST:
            return platform.encode_post(message, target, ctx)
        return platform.encode(message, target, ctx)

    def reposted(self, job: Job) -> HttpRequest | None:
        """A new full message for ``job`` when its edit or reply was refused (the earlier message
        is gone); its history is kept. None when ``job`` was no edit or reply."""
        plan = job.plan
        if plan is None or plan.action not in (Action.EDIT, Action.REPLY):
            return None
        return self.planned(job, replace(plan, action=Action.POST, ref=None, also_reply=False))

    def thread_reply(self, job: Job) -> HttpRequest | None:
        """The compact reply in the card's thread that goes with an edit of a failure
        (`Plan.also_reply`), or None when the job's plan asks for none."""
        plan = job.plan
        if plan is None or plan.action is not Action.EDIT or not plan.also_reply or not plan.ref:
            return None
        return self.planned(job, replace(plan, action=Action.REPLY, also_reply=False))

    def _target(self, webhook: Webhook) -> WebhookTarget:
        """The webhook's decrypted URL and secret, decrypted once per version of the webhook."""
        key = (webhook.id, webhook.updated_at)
        target = self._targets.get(key)
        if target is None:
            if len(self._targets) > CACHE_LIMIT:
                self._targets.clear()
            target = self._targets[key] = target_of(webhook, self._box)
        return target


def thread_key(job: Job) -> str | None:
    """An opaque, stable name of the job's object, for platforms that thread by a key of the
    sender's choosing: the same for every message of the object on this webhook, and naming
    neither the project nor the object."""
    if job.object_key is None:
        return None
    named = f"{job.destination.webhook_id}:{job.object_key}".encode()
    return "hc-" + hashlib.sha256(named).hexdigest()[:32]


def _identity(recipient: dict[str, Any] | None) -> str:
    person = recipient or {}
    return str(person.get("email") or person.get("mobile") or person.get("username") or person.get("name"))
