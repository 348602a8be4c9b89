"""Why did (not) this notify? For one received event: each webhook of its project, what decided
for it, and what became of its deliveries; and "try these rules" against a sample or a recent
event.

What decided at intake is read from ``events.decisions`` (written with the event, one entry per
webhook: `hookcast.rules.Decision`), never recomputed from today's settings: a filter changed
since does not rewrite history. What happened after intake is read from the delivery rows: held
by quiet hours (``held_until``), sent in a digest with others when the rate limit or quiet hours
gathered them (``digest_of``), silenced (state `SILENCED`, ``silence_id``), set aside while the
webhook was paused (``skipped``), and the states of sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import Event, EventKind
from hookcast.routing import FilterName, decide
from hookcast.rules import MAX_RULES, Outcome, Rule, RuleAction, trace
from hookcast.services import projects, webhook_rules
from hookcast.services.decisions import candidate_of
from hookcast.services.errors import Invalid, NotFound
from hookcast.services.intake import IGNORED_KIND
from hookcast.services.projects import split_patterns
from hookcast.services.text_input import TextInput
from hookcast.services.webhook_rules import RULES_HELP
from hookcast.services.webhooks import rules_input
from hookcast.store.outbox import State
from hookcast.store.tables import Delivery, EventRow, Webhook

SILENCED = State.SILENCED.value  # the state a silence gives a delivery (`services/silences.py`)
UNRECORDED = "unrecorded"  # ``outcome`` of a webhook no decision was recorded for
RECENT_EVENTS = 20


class DeliveryStep(BaseModel):
    id: int
    channel: str
    recipient: str | None = Field(description="A direct message's person.")
    state: str
    attempts: int
    held_until: datetime | None = Field(description="Held by the webhook's quiet hours until then.")
    digest_of: int | None = Field(
        description="Sent in one digest with other messages (rate limit or quiet hours): the "
        "digest's first delivery."
    )
    silence_id: int | None = Field(description="The silence that kept it from the chat.")
    last_error: str | None


class WebhookExplanation(BaseModel):
    webhook_id: int
    name: str = Field(description="The webhook's name ('' when it was deleted since).")
    platform: str
    exists: bool = Field(description="False: the webhook was deleted since.")
    outcome: str = Field(
        description="delivered | filtered | skipped | redirected, as decided when the event arrived; "
        "unrecorded for an event from before decisions were recorded or a webhook made after it."
    )
    by: str = Field(
        description="What decided: a filter (inactive, trigger, quiet_update, pipeline_state, branch, "
        "labels), rule, or default (no rule decided)."
    )
    detail: dict[str, Any] = Field(
        description="rule (its index), action, name; to (a redirect's target) and target (inactive: "
        "nothing sent; missing: the target no longer exists, so this webhook delivered it, outcome "
        "delivered); mentions added and the mention_rules that added them; redirected_from."
    )
    deliveries: list[DeliveryStep]


class Explanation(BaseModel):
    event_id: int
    project_id: int
    kind: str
    action: str
    title: str
    received_at: datetime
    ignored: str | None = Field(
        description="Why hookcast did not notify about it at all (no webhook saw it)."
    )
    recorded: bool = Field(description="Whether the decisions were recorded when it arrived.")
    webhooks: list[WebhookExplanation]


class RecentEvent(BaseModel):
    id: int
    kind: str
    action: str
    title: str
    received_at: datetime


async def explain(session: AsyncSession, project_id: int, event_id: int) -> Explanation:
    """Why the event ``event_id`` of the project notified where it did; `NotFound` when it is not
    the project's."""
    row = await session.get(EventRow, event_id)
    if row is None or row.project_id != project_id:
        raise NotFound("event {id} not found", id=event_id)
    hooks = {
        w.id: w
        for w in await session.scalars(
            select(Webhook).where(Webhook.project_id == project_id).order_by(Webhook.id)
        )
    }
    rows = await session.scalars(select(Delivery).where(Delivery.event_id == event_id).order_by(Delivery.id))
    steps: dict[int, list[DeliveryStep]] = {}
    for delivery in rows:
        steps.setdefault(delivery.webhook_id, []).append(_step(delivery))
    decided = {int(d["webhook_id"]): d for d in row.decisions or () if isinstance(d, dict)}
    order = list(decided) + [i for i in hooks if i not in decided] + [i for i in steps if i not in decided]
    if row.kind == IGNORED_KIND:
        order = []  # no webhook saw it
    webhooks: list[WebhookExplanation] = []
    for webhook_id in dict.fromkeys(order):
        if row.decisions is not None and webhook_id not in decided and webhook_id not in steps:
            continue  # made after the event: it never had a say
        webhook = hooks.get(webhook_id)
        decision = decided.get(webhook_id, {})
        webhooks.append(
            WebhookExplanation(
                webhook_id=webhook_id,
                name=webhook.name if webhook is not None else "",
                platform=webhook.platform if webhook is not None else "",
                exists=webhook is not None,
                outcome=str(decision.get("outcome", UNRECORDED)),
                by=str(decision.get("by", "")),
                detail=dict(decision.get("detail") or {}),
                deliveries=steps.get(webhook_id, []),
            )
        )
    event = row.event or {}
    return Explanation(
        event_id=row.id,
        project_id=row.project_id,
        kind=row.kind,
        action=row.action,
        title=str(event.get("title", "")),
        received_at=row.received_at,
        ignored=str(event.get("reason") or "") or None if row.kind == IGNORED_KIND else None,
        recorded=row.decisions is not None,
        webhooks=webhooks,
    )


def _step(delivery: Delivery) -> DeliveryStep:
    recipient = delivery.recipient or {}
    return DeliveryStep(
        id=delivery.id,
        channel=delivery.channel,
        recipient=str(recipient.get("name") or recipient.get("username") or recipient.get("email") or "")
        or None,
        state=delivery.state,
        attempts=delivery.attempts,
        held_until=delivery.held_until,
        digest_of=delivery.digest_of,
        silence_id=delivery.silence_id,
        last_error=delivery.last_error,
    )


async def recent_events(
    session: AsyncSession, project_id: int, limit: int = RECENT_EVENTS
) -> list[RecentEvent]:
    """The project's newest events hookcast notified about (not the ignored ones), newest first."""
    await projects.get(session, project_id)
    rows = await session.scalars(
        select(EventRow)
        .where(EventRow.project_id == project_id, EventRow.kind != IGNORED_KIND)
        .order_by(EventRow.id.desc())
        .limit(limit)
    )
    return [
        RecentEvent(
            id=r.id,
            kind=r.kind,
            action=r.action,
            title=str((r.event or {}).get("title", "")),
            received_at=r.received_at,
        )
        for r in rows
    ]


async def stored_event(session: AsyncSession, project_id: int, event_id: int) -> Event:
    """The event ``event_id`` of the project, as stored; `NotFound` for another project's, or an
    ignored one."""
    row = await session.get(EventRow, event_id)
    if row is None or row.project_id != project_id or row.kind == IGNORED_KIND:
        raise NotFound("event {id} not found", id=event_id)
    return Event.model_validate(row.event)


class TryInput(TextInput):
    """Rules to try (unsaved) on a sample of a kind or on a recent event of the project."""

    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(default_factory=list, max_length=MAX_RULES, description=RULES_HELP)
    sample: EventKind | None = Field(default=None, description="Try them on the shipped sample of this kind.")
    event_id: int | None = Field(default=None, ge=1, description="Try them on this event of the project.")

    @field_validator("rules", mode="before")
    @classmethod
    def _rules_with_position(cls, value: Any) -> Any:
        return rules_input(value)

    @model_validator(mode="after")
    def _one_event(self) -> TryInput:
        if (self.sample is None) == (self.event_id is None):
            raise ValueError("give either sample (an event kind) or event_id (a recent event)")
        return self


class RuleStep(BaseModel):
    index: int
    name: str
    action: RuleAction
    tried: bool = Field(description="False: an earlier rule had decided.")
    matched: bool
    failed: str | None = Field(description="The first condition the event did not meet.")


class TryAnswer(BaseModel):
    """What the webhook would do with the event under the rules tried."""

    outcome: Outcome = Field(description="delivered | skipped | redirected | filtered")
    filtered_by: FilterName | None = Field(
        description="The webhook's saved filter that keeps the event out before any rule (the rules are "
        "still tried below, for what they would do)."
    )
    rule: int | None = Field(description="The deciding rule's index (none: no rule decided, deliver).")
    to: int | str | None = Field(
        description="A redirect's target webhook: its id once resolved among the project's webhooks, "
        "else as the rule names it (see to_problem)."
    )
    to_name: str | None = Field(
        default=None, description="The redirect's target webhook's name, once resolved."
    )
    to_problem: str | None = Field(
        default=None,
        description="Why the redirect's target names no webhook of the project (no webhook of that name, "
        "two of it, another project's, the webhook itself): these rules would be refused on save.",
    )
    mentions: list[str] = Field(description="The people mention rules add.")
    rules: list[RuleStep]
    event_kind: str
    event_action: str
    event_title: str
    _refusal: Invalid | None = PrivateAttr(default=None)

    def refusal(self) -> Invalid | None:
        """``to_problem`` as the error it was (its message id and values: the UI translates it)."""
        return self._refusal


async def try_rules(
    session: AsyncSession, webhook: Webhook, rules: Sequence[Rule], event: Event
) -> TryAnswer:
    """What ``webhook`` (with its saved filters) would do with ``event`` under ``rules``; a deciding
    redirect's target is resolved among the project's webhooks as saving would (its id and name),
    or ``to_problem`` says why it names none."""
    project = await projects.get(session, webhook.project_id)
    candidate = candidate_of(webhook, rules)
    filtered = decide(event, candidate.filters, split_patterns(project.protected_branches))
    verdict, traces = trace(event, rules)
    outcome = {
        RuleAction.SKIP: Outcome.SKIPPED,
        RuleAction.REDIRECT: Outcome.REDIRECTED,
    }.get(verdict.action, Outcome.DELIVERED)
    to, to_name, refusal = verdict.to, None, None
    if verdict.rule is not None and verdict.to is not None:
        known = await webhook_rules.targets(session, webhook.project_id)
        try:
            to = known.resolve(verdict.rule, verdict.to, webhook.id)
            to_name = known.names[to]
        except Invalid as error:
            refusal = error
    answer = TryAnswer(
        outcome=Outcome.FILTERED if filtered is not None else outcome,
        filtered_by=filtered,
        rule=verdict.rule,
        to=to,
        to_name=to_name,
        to_problem=refusal.message if refusal is not None else None,
        mentions=list(verdict.mentions),
        rules=[
            RuleStep(
                index=t.index,
                name=rules[t.index].name,
                action=rules[t.index].action,
                tried=t.tried,
                matched=t.matched,
                failed=t.failed,
            )
            for t in traces
        ],
        event_kind=event.kind.value,
        event_action=event.action,
        event_title=event.title,
    )
    answer._refusal = refusal
    return answer
