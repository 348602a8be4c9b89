"""The rules editor of the webhook form: rules as a JSON text (validated on the server, which names
the position of an error), a one-click "exclude bots and service accounts" rule, and the "try"
box's choices (a sample of each kind, or a recent event of the project)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from hookcast.events import Event, EventKind
from hookcast.messages.render import kind_label
from hookcast.rules import stored_rules, to_stored
from hookcast.sample_events import sample_event, sample_kinds
from hookcast.services import explain
from hookcast.services.errors import Invalid
from hookcast.services.explain import RecentEvent, TryInput

# The rule the "exclude bots and service accounts" button adds (docs/rules.md).
EXCLUDE_BOTS_RULE: dict[str, Any] = {
    "name": "exclude bots and service accounts",
    "match": {"only_bots": True},
    "action": "skip",
}
ADD_EXCLUDE_BOTS = "add_exclude_bots"  # the button's name, when the form is sent without JavaScript
SAMPLE = "sample:"
EVENT = "event:"


def rules_text(stored: object) -> str:
    """The form's text of stored rules: indented JSON, empty for none."""
    kept = to_stored(stored_rules(stored))
    return json.dumps(kept, indent=2, ensure_ascii=False) if kept else ""


def rules_from(form: FormData) -> Any:
    """The rules the form carries (empty text: none), None when the form has no rules field
    (leave them as they are). Text that is not JSON is refused with its line and column; the
    rules themselves are checked by the webhook models (with their position)."""
    if "rules" not in form:
        return None
    raw = form.get("rules")
    body = raw.strip() if isinstance(raw, str) else ""
    if not body:
        return []
    try:
        data = json.loads(body)
    except ValueError as error:
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        raise Invalid(
            "rules: not JSON (line {line}, column {column})", field="rules", line=line, column=column
        ) from None
    return data


def with_exclude_bots(text: str) -> str:
    """The rules text with `EXCLUDE_BOTS_RULE` first (a skip rule decides only where it comes
    before the rules that deliver); text that is not a JSON list is left as it is."""
    try:
        listed = json.loads(text) if text.strip() else []
    except ValueError:
        return text
    if not isinstance(listed, list):
        return text
    return json.dumps([EXCLUDE_BOTS_RULE, *listed], indent=2, ensure_ascii=False)


def try_choices(language: str, recent: Sequence[RecentEvent]) -> list[tuple[str, str]]:
    """(value, label) of what the "try" box can run the rules on: recent events first, then a
    sample of each kind."""
    events = [
        (f"{EVENT}{event.id}", f"#{event.id} · {_kind(event.kind, language)} · {event.title[:80]}")
        for event in recent
    ]
    return events + [(f"{SAMPLE}{kind.value}", kind_label(kind, language)) for kind in sample_kinds()]


def _kind(kind: str, language: str) -> str:
    return kind_label(EventKind(kind), language) if kind in EventKind._value2member_map_ else kind


def try_target(form: FormData) -> dict[str, Any]:
    """``{"sample": kind}`` or ``{"event_id": id}`` from the try box's choice (`try_choices`)."""
    raw = form.get("try_on")
    choice = raw.strip() if isinstance(raw, str) else ""
    if choice.startswith(EVENT) and choice[len(EVENT) :].isdigit():
        return {"event_id": int(choice[len(EVENT) :])}
    if choice.startswith(SAMPLE):
        return {"sample": choice[len(SAMPLE) :]}
    return {}


async def trial_event(session: AsyncSession, project_id: int, trial: TryInput) -> Event:
    """The event the rules are tried on: the sample of a kind, or the project's stored event."""
    if trial.sample is not None:
        if trial.sample not in sample_kinds():
            raise Invalid(
                "{kind}: hookcast makes these itself; there is no sample", field="try_on", kind=trial.sample
            )
        return sample_event(trial.sample)
    return await explain.stored_event(session, project_id, trial.event_id or 0)
