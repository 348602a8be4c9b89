"""The states a living message goes through, for the UI's preview: the sample event as first
posted, then what later events of the same object make of it in a message mode (the edited card
with its history line, or the compact follow-ups and thread replies below the first card).

The later events are derived from the shipped sample (its action, tone, status and actor changed;
for the issue workflow, the samples of later kinds), and each runs through the real
`hookcast.living.plan` with what would have been remembered after the previous one, at fixed
instants: no database, no clock. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hookcast.events import Event, EventKind, Person, Tone
from hookcast.kinds import spec_of
from hookcast.living import Action, MessageMode, Plan, Remembered, after_posting, plan, step_of
from hookcast.messages.i18n import N_, Translator, translator
from hookcast.messages.living import living_message, step_text
from hookcast.messages.model import Message
from hookcast.messages.render import render

# Who acts in the derived events (a reviewer, not the sample's author), and when they happen.
REVIEWER = Person(name="Ann", username="ann")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BETWEEN = timedelta(minutes=10)  # well inside the default flap window: a resolved alert flaps
PREVIEW_REF = "preview"  # what the platform would have named the first message

# How each kind of later message is introduced above it, in the preview.
_LABELS: dict[Action, str] = {
    Action.EDIT: N_("After: {step}"),
    Action.REPLY: N_("Reply in its thread: {step}"),
    Action.FOLLOW_UP: N_("Follow-up: {step}"),
    Action.PLAIN: N_("New message: {step}"),
    Action.POST: N_("New message: {step}"),
}
FIRST_LABEL = N_("First message")
# What each mode does with later events, said once above the states.
MODE_NOTES: dict[MessageMode, str] = {
    MessageMode.UPDATE: N_("Later events edit this message in place and add to its history line."),
    MessageMode.THREAD: N_("Later events reply in this message's thread."),
    MessageMode.FOLLOW_UP: N_("Later events post a short follow-up that points back to this message."),
    MessageMode.EVERY_EVENT: N_("Every later event posts a full message of its own."),
}
# The issue workflow's later steps: those after the kind shown (all of them for a kind off the path).
_WORKFLOW_PATH = (EventKind.ISSUE_APPROVED, EventKind.ROLLOUT_COMPLETED)


@dataclass(frozen=True, slots=True)
class State:
    """One message of the object's life as the chat shows it: the label above it, what the worker
    would do (post, edit, reply, follow up) and the message itself."""

    label: str
    action: Action
    message: Message


def _changed(event: Event, action: str, tone: Tone, actor: Person | None = None, **details: str) -> Event:
    """``event`` with another action and tone (and actor, and some details)."""
    return event.model_copy(
        update={
            "action": action,
            "tone": tone,
            "actor": actor or event.actor,
            "details": {**event.details, **details},
        }
    )


def later_events(first: Event, sample: Callable[[EventKind], Event]) -> tuple[Event, ...]:
    """The events that follow ``first`` in its object's life, derived from it (``sample`` gives
    another kind's sample, for the workflow's later steps); () for a kind without an object."""
    family = spec_of(first.kind).lives_as
    if family == "merge_request":
        return (
            _changed(first, "approved", Tone.SUCCESS, REVIEWER),
            _changed(first, "merge", Tone.SUCCESS, REVIEWER, state="merged"),
        )
    if family == "issue":
        return (
            _changed(first, "update", first.tone, REVIEWER),
            _changed(first, "close", Tone.SUCCESS, REVIEWER, state="closed"),
        )
    if family in ("pipeline", "deployment"):
        # It starts running (`first_event`), fails, and a retry passes (a pipeline: "fixed").
        return (
            _changed(first, "failed", Tone.FAILURE, status="failed"),
            _changed(first, "success", Tone.SUCCESS, status="success").model_copy(
                update={"previous_status": "failed" if family == "pipeline" else None}
            ),
        )
    if family == "alert":
        # Resolved, then firing again soon after: the card counts a flap.
        count = first.detail("firing") or "1"
        resolved = _changed(first, "resolved", Tone.SUCCESS, status="resolved", resolved=count, firing="0")
        items = tuple(item.model_copy(update={"status": "resolved"}) for item in first.items)
        resolved = resolved.model_copy(update={"items": items})
        return (resolved, first)
    if family == "workflow_issue":
        path: tuple[EventKind, ...] = _WORKFLOW_PATH
        if first.kind in path:
            path = path[path.index(first.kind) + 1 :]
        return tuple(sample(kind) for kind in path)
    return ()


def first_event(event: Event) -> Event:
    """The sample as its object's life begins: a pipeline or deployment running, without the
    finished one's jobs and duration (the samples show finished ones); anything else as shipped."""
    if spec_of(event.kind).lives_as in ("pipeline", "deployment"):
        details = {key: value for key, value in event.details.items() if key != "duration"}
        running = event.model_copy(update={"details": details, "items": (), "total_items": 0})
        return _changed(running, "running", Tone.NEUTRAL, status="running")
    return event


def states(
    sample_event: Event,
    mode: MessageMode,
    language: str,
    sample: Callable[[EventKind], Event],
    modes: tuple[MessageMode, ...] = (),
    renderer: Callable[[Event, str], Message] = render,
) -> tuple[State, ...]:
    """The messages the chat shows for ``sample_event``'s object in ``mode``: the first one and
    one per later event, and the thread reply that goes with an edit of a failure where the
    platform (its ``modes``) threads; just the first for a kind without an object. ``renderer``
    makes each event's message (a webhook's template, say; the built-in rendering else)."""
    t = translator(language)
    first = first_event(sample_event) if later_events(sample_event, sample) else sample_event
    events = (first, *later_events(sample_event, sample))
    shown: list[State] = []
    remembered: Remembered | None = None
    for index, event in enumerate(events):
        now = START + index * BETWEEN
        planned = plan(mode, remembered, event, now, modes=modes)
        rendered = renderer(event, language)
        message = living_message(rendered, planned)
        shown.append(State(_label(planned, event, index, t), planned.action, message))
        if planned.also_reply:
            reply = replace(planned, action=Action.REPLY, also_reply=False)
            shown.append(State(_label(reply, event, index, t), Action.REPLY, living_message(rendered, reply)))
        if planned.remembers:
            remembered = after_posting(planned, event, PREVIEW_REF if remembered is None else "", now)
    return tuple(shown)


def _label(planned: Plan, event: Event, index: int, t: Translator) -> str:
    if index == 0:
        return t.gettext(FIRST_LABEL)
    return t.format(_LABELS[planned.action], step=step_text(step_of(event), t))
