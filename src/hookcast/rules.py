"""A webhook's routing rules: an ordered list that decides, after GitLab's filters, whether the
webhook sends an event, sends it elsewhere, or mentions more people. Pure: no I/O, no clock.

Semantics (also in docs/rules.md):

1. Rules run only for the webhooks whose filters let the event through (`routing.py`: active,
   trigger, quiet updates, pipeline states, branches, labels). A filtered-out event never meets
   the rules.
2. The rules are tried in order. A rule *matches* when the event meets every condition of its
   ``match`` (`matching.EventMatch`; an empty match matches every event).
3. The first matching ``deliver``, ``skip`` or ``redirect`` rule decides, and no later rule is
   tried. A matching ``mention`` rule adds its people to the message and evaluation goes on, so
   mention rules after the deciding rule add nobody.
4. No deciding rule matched: the webhook delivers (no rules at all is the same as before rules
   existed).
5. ``redirect`` sends the event to another webhook of the same project (``to``) instead. ``to``
   is given as the webhook's id or its name and stored as its id (`services/webhook_rules.py`
   resolves a name within the project on save; a project document writes the name).
   The target's own filters and rules are *not* applied: the redirecting rule already chose, and
   a redirect can therefore never loop. An inactive target stays silent (switched off means
   off), and a target that already sends the event on its own sends it once. A target that is
   not (or no longer) one of the project's webhooks fails open: the webhook holding the rule
   delivers the event itself (outcome delivered, ``detail.target`` missing), so nothing is lost
   to a target deleted behind the rule's back (deleting a target is refused,
   `services/webhook_rules.py`, but rows can go other ways).
6. ``mention`` names people by username or e-mail; they are looked up in the user directory the
   way the people an event names are (`delivery/mentions.py`), and someone the directory does not
   know is not mentioned. A webhook's mention rules apply to every message it sends, one that
   was redirected to it included.

`route_all` applies the filters and the rules for every webhook of a project at once and says,
per webhook, what decided (`Decision`): what intake stores with the event (``events.decisions``)
and what "why did (not) this notify?" shows. `trace` is "try this rule": every rule, whether it
matched, and the first condition that did not hold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from hookcast.events import Event
from hookcast.matching import EventMatch, Name, first_mismatch
from hookcast.routing import RouteRules, decide

MAX_RULES = 50  # rules of one webhook
MAX_MENTIONS = 50  # people one rule mentions


class RuleAction(StrEnum):
    DELIVER = "deliver"
    SKIP = "skip"
    REDIRECT = "redirect"
    MENTION = "mention"


MAX_TARGET_NAME = 200  # a webhook's name, as `to`
DECIDING: frozenset[RuleAction] = frozenset({RuleAction.DELIVER, RuleAction.SKIP, RuleAction.REDIRECT})


class Rule(BaseModel):
    """One rule: when the event meets ``match``, do ``action``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="", max_length=200, description="A name to recognise the rule by.")
    note: str = Field(default="", max_length=2000, description="Why the rule is there.")
    match: EventMatch = Field(default_factory=EventMatch, description="The conditions (empty: every event).")
    action: RuleAction = Field(
        description="deliver | skip | redirect (with `to`) | mention (with `mention`)."
    )
    to: int | str | None = Field(
        default=None,
        description="redirect: a webhook of the same project, by id or by name (stored as its id).",
        json_schema_extra={  # what `_target` takes, for the schema's readers
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "minLength": 1, "maxLength": MAX_TARGET_NAME},
                {"type": "null"},
            ]
        },
    )
    mention: tuple[Name, ...] = Field(
        default=(), max_length=MAX_MENTIONS, description="mention: usernames or e-mail addresses."
    )

    @field_validator("to", mode="before")
    @classmethod
    def _target(cls, value: object) -> object:
        """One message for a wrong target, rather than one per member of ``int | str``."""
        if value is None or (type(value) is int and value >= 1):
            return value
        if isinstance(value, str) and 0 < len(value.strip()) <= MAX_TARGET_NAME:
            return value.strip()
        raise ValueError(
            f"`to` is a webhook's id (a whole number from 1) or its name (1 to {MAX_TARGET_NAME} characters)"
        )

    @model_validator(mode="after")
    def _action_arguments(self) -> Self:
        if (self.action is RuleAction.REDIRECT) != (self.to is not None):
            raise ValueError("`to` (a webhook id or name) goes with the redirect action, and only with it")
        if (self.action is RuleAction.MENTION) != bool(self.mention):
            raise ValueError(
                "`mention` (usernames or e-mails) goes with the mention action, and only with it"
            )
        return self


RULES_SCHEMA = TypeAdapter(list[Rule])


class RulesError(ValueError):
    """Rules that do not validate: ``position`` says where (``rules[2].match.refs[0]``)."""

    def __init__(self, position: str, problem: str) -> None:
        super().__init__(f"{position}: {problem}")
        self.position = position
        self.problem = problem


def parse_rules(data: object, root: str = "rules") -> tuple[Rule, ...]:
    """Validated rules from JSON data (a list of objects), or a `RulesError` naming the position of
    the first error, e.g. ``rules[2].match.refs[0]: invalid regular expression …``."""
    if not isinstance(data, list | tuple):
        raise RulesError(root, "a list of rules is expected")
    if len(data) > MAX_RULES:
        raise RulesError(root, f"at most {MAX_RULES} rules")
    try:
        return tuple(RULES_SCHEMA.validate_python(list(data)))
    except ValidationError as error:
        first = error.errors()[0]
        raise RulesError(_position(root, first["loc"]), _problem(first)) from None


def _position(root: str, loc: Sequence[int | str]) -> str:
    text = root
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _problem(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "invalid"))
    return message.removeprefix("Value error, ")


def stored_rules(stored: object) -> tuple[Rule, ...]:
    """The rules kept in ``webhooks.rules`` (validated on save); none for none. Rules that no
    longer validate (a condition renamed since) count as none rather than stop the webhook."""
    if not stored:
        return ()
    try:
        return parse_rules(stored)
    except RulesError:
        return ()


def to_stored(rules: Sequence[Rule]) -> list[dict[str, Any]] | None:
    """What ``webhooks.rules`` keeps: each rule without its defaults; None for no rules."""
    return [rule.model_dump(mode="json", exclude_defaults=True) for rule in rules] or None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a webhook's rules decided for one event: ``action`` (deliver, skip or redirect to
    ``to``), ``rule`` the index of the deciding rule (None: no rule decided, so deliver), and the
    people the mention rules met before it add (``mentions``, from the rules ``mention_rules``)."""

    action: RuleAction = RuleAction.DELIVER
    rule: int | None = None
    to: int | str | None = None  # a name only for rules not saved yet ("try")
    mentions: tuple[str, ...] = ()
    mention_rules: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """One rule as "try this rule" shows it: ``tried`` (False: a rule after the deciding one),
    ``matched``, and ``failed``, the first condition the event did not meet."""

    index: int
    tried: bool
    matched: bool
    failed: str | None


def trace(event: Event, rules: Sequence[Rule]) -> tuple[Verdict, tuple[RuleTrace, ...]]:
    """The verdict of ``rules`` on ``event``, and what each rule did on the way."""
    mentions: dict[str, None] = {}
    mention_rules: list[int] = []
    traces: list[RuleTrace] = []
    verdict: Verdict | None = None
    for index, rule in enumerate(rules):
        if verdict is not None:
            traces.append(RuleTrace(index, tried=False, matched=False, failed=None))
            continue
        failed = first_mismatch(event, rule.match)
        traces.append(RuleTrace(index, tried=True, matched=failed is None, failed=failed))
        if failed is not None:
            continue
        if rule.action is RuleAction.MENTION:
            mentions.update(dict.fromkeys(rule.mention))
            mention_rules.append(index)
        else:
            verdict = Verdict(action=rule.action, rule=index, to=rule.to)
    found = verdict or Verdict()
    return Verdict(found.action, found.rule, found.to, tuple(mentions), tuple(mention_rules)), tuple(traces)


def evaluate(event: Event, rules: Sequence[Rule]) -> Verdict:
    """`trace` without the traces."""
    return trace(event, rules)[0]


class Outcome(StrEnum):
    """What happened to an event at one webhook, as intake records it."""

    DELIVERED = "delivered"  # it sends the event (its rules let it, or none decided)
    FILTERED = "filtered"  # a filter of `routing.py` said no (``by`` names it)
    SKIPPED = "skipped"  # a skip rule
    REDIRECTED = "redirected"  # a redirect rule sent it to another webhook (``detail.to``)


RULE = "rule"  # ``by`` of a decision a rule made
TARGET_INACTIVE = "inactive"  # ``detail.target``: the redirect's target is switched off, nothing sent
TARGET_MISSING = "missing"  # ``detail.target``: the target is gone, the rule's own webhook sent it
DEFAULT = "default"  # ``by`` of a delivery no rule decided


@dataclass(frozen=True, slots=True)
class Candidate:
    """A webhook as routing sees it: its id, filters and rules."""

    webhook_id: int
    filters: RouteRules
    rules: Sequence[Rule] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """What decided for one webhook: ``outcome``, ``by`` (a filter's name, ``rule`` or
    ``default``) and ``detail`` (the rule's index and action, a redirect's target, the mentions
    added, the webhooks that redirected to this one)."""

    webhook_id: int
    outcome: Outcome
    by: str
    detail: dict[str, Any] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id,
            "outcome": self.outcome.value,
            "by": self.by,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Routing:
    """Every webhook's `Decision`, and the webhooks that send the event (in the candidates' order)."""

    decisions: tuple[Decision, ...]
    sending: tuple[int, ...]

    def stored(self) -> list[dict[str, Any]]:
        return [decision.stored() for decision in self.decisions]


def route_all(
    event: Event, candidates: Sequence[Candidate], protected_branches: Sequence[str] = ()
) -> Routing:
    """Filters, then rules, for each webhook of the project; redirects land on their targets."""
    decisions: list[Decision] = []
    sending: dict[int, None] = {}
    redirected: dict[int, list[int]] = {}
    active = {c.webhook_id for c in candidates if c.filters.active}
    known = {c.webhook_id for c in candidates}
    for candidate in candidates:
        failed = decide(event, candidate.filters, protected_branches)
        if failed is not None:
            decisions.append(Decision(candidate.webhook_id, Outcome.FILTERED, failed))
            continue
        verdict = evaluate(event, candidate.rules)
        detail: dict[str, Any] = {}
        if verdict.rule is not None:
            detail |= {"rule": verdict.rule, "action": verdict.action.value}
            if name := candidate.rules[verdict.rule].name:
                detail["name"] = name
        if verdict.mentions:
            detail |= {"mentions": list(verdict.mentions), "mention_rules": list(verdict.mention_rules)}
        by = DEFAULT if verdict.rule is None else RULE
        if verdict.action is RuleAction.SKIP:
            decisions.append(Decision(candidate.webhook_id, Outcome.SKIPPED, by, detail))
        elif verdict.action is RuleAction.REDIRECT and verdict.to is not None:
            target = verdict.to
            detail["to"] = target
            if isinstance(target, int) and target in active:
                redirected.setdefault(target, []).append(candidate.webhook_id)
                decisions.append(Decision(candidate.webhook_id, Outcome.REDIRECTED, by, detail))
            elif target in known:  # switched off means off: nothing is sent
                detail["target"] = TARGET_INACTIVE
                decisions.append(Decision(candidate.webhook_id, Outcome.REDIRECTED, by, detail))
            else:  # gone (or a name, never saved): fail open, the rule's own webhook sends it
                detail["target"] = TARGET_MISSING
                sending[candidate.webhook_id] = None
                decisions.append(Decision(candidate.webhook_id, Outcome.DELIVERED, by, detail))
        else:
            sending[candidate.webhook_id] = None
            decisions.append(Decision(candidate.webhook_id, Outcome.DELIVERED, by, detail))
    for target in redirected:
        sending[target] = None
    order = [c.webhook_id for c in candidates]
    final = tuple(
        Decision(d.webhook_id, d.outcome, d.by, d.detail | {"redirected_from": redirected[d.webhook_id]})
        if d.webhook_id in redirected
        else d
        for d in decisions
    )
    return Routing(final, tuple(sorted(sending, key=order.index)))
