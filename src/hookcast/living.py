"""Living messages, purely: which object an event is about, and what to do with the message
hookcast posted earlier for that object.

An event about a merge request, a pipeline, an issue, an alert group or a workflow issue has an
**object key** (`object_key`): later events for the same object reach the same chat message
instead of posting a new one each. How they reach it is the webhook's **message mode**
(`MessageMode`), limited to what its platform can do (`Platform.message_modes`): edit the message
in place, reply in its thread, or post a compact follow-up. What hookcast remembers of the
message per (webhook, object) is a `Remembered` (stored by `store/message_refs.py`); `plan`
decides, from that alone, the next `Plan`. No I/O, no clock: the caller passes ``now``.

An edit notifies nobody in most chat apps, so a failure (``Tone.FAILURE``: a failed pipeline, a
firing alert …) that edits a card on a platform that also threads says so in the card's thread
too (`Plan.also_reply`): the card shows the state, the reply makes the phones buzz.

Which kinds have objects is the catalogue's word (`KindSpec.lives_as`, `hookcast.kinds`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hookcast.events import Event, Tone
from hookcast.kinds import spec_of


class MessageMode(StrEnum):
    """How later events of an object reach the chat, per webhook."""

    UPDATE = "update"  # edit the object's message in place (and say what changed on the card)
    THREAD = "thread"  # reply in the thread of the object's first message
    FOLLOW_UP = "follow_up"  # a compact one-line message after the first full card
    EVERY_EVENT = "every_event"  # a full message per event, nothing remembered (as before)


class Action(StrEnum):
    """What the worker does with one event's message."""

    POST = "post"  # a new full message; its reference is remembered (when the mode needs one)
    EDIT = "edit"  # replace the remembered message's content
    REPLY = "reply"  # a reply in the remembered message's thread
    FOLLOW_UP = "follow_up"  # a compact new message
    PLAIN = "plain"  # a new full message, nothing remembered (every_event, or no object)


# The longest history a card shows: the first step, "…", and the latest ones.
HISTORY_STEPS = 6
MAX_OBJECT_KEY = 300  # characters; an object key longer than this is cut and hashed by callers
# An alert group that fires again within this long of being resolved updates its card (a flap);
# later, a new card is posted. Per webhook (`alert_flap_window_minutes`); this is the default.
DEFAULT_FLAP_WINDOW = timedelta(hours=1)
FIRING = "firing"
RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Step:
    """One line of an object's history: what happened, and who did it ("approved", "Ann")."""

    action: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class Remembered:
    """What hookcast keeps of the message it posted for one object on one webhook."""

    ref: str  # the platform's reference (message id, ts, …); "" when it gives none (follow-ups)
    history: tuple[Step, ...]
    last_action: str
    updated_at: datetime
    flaps: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    """The next message for an object: what to do, on which earlier message, and what the card
    says of the object's history (its steps, this event's included, and its flaps so far).

    ``threaded``: the object's messages share a thread the sender names (thread mode: a post
    starts it, a reply joins it; Google Chat's ``threadKey``); other modes' messages stand alone.
    ``also_reply``: after the edit lands, a compact reply in the card's thread as well, because
    the event is a failure and an edit notifies nobody."""

    action: Action
    ref: str | None = None
    history: tuple[Step, ...] = ()
    flaps: int = 0
    threaded: bool = False
    also_reply: bool = False

    @property
    def remembers(self) -> bool:
        """Whether the answer to this message must be remembered for the object."""
        return self.action is not Action.PLAIN


def object_key(event: Event) -> str | None:
    """The object ``event`` is about, as ``<family>:<project path>:<id>``; None when its kind has
    no object (a push) or the event does not name one."""
    family = spec_of(event.kind).lives_as
    if family is None:
        return None
    ident = event.detail("group_key") or event.object_id
    if not ident:
        return None
    key = f"{family}:{event.project.path_with_namespace}:{ident}"
    return key if len(key) <= MAX_OBJECT_KEY else None


def step_of(event: Event) -> Step:
    actor = event.actor.name or event.actor.username or ""
    return Step(action=event.action or event.kind.value, actor=actor)


def with_step(history: tuple[Step, ...], step: Step) -> tuple[Step, ...]:
    """``history`` and ``step``, bounded: the first step is kept (how it began), then the latest.
    A repeat of the last step (two "update"s in a row) is one step."""
    if history and history[-1] == step:
        return history
    steps = (*history, step)
    if len(steps) <= HISTORY_STEPS:
        return steps
    return (steps[0], *steps[-(HISTORY_STEPS - 1) :])


def plan(
    mode: MessageMode,
    remembered: Remembered | None,
    event: Event,
    now: datetime,
    *,
    flap_window: timedelta = DEFAULT_FLAP_WINDOW,
    modes: tuple[MessageMode, ...] = (),
) -> Plan:
    """What to do with ``event``'s message, given the webhook's mode and what is remembered of the
    object's earlier message (None: nothing was posted for it, or ``event`` has no object).
    ``modes``: what the platform can do for the webhook's URL (`Platform.message_modes`); a
    platform that threads gets a reply beside the edit of a failure."""
    if mode is MessageMode.EVERY_EVENT or object_key(event) is None:
        return Plan(Action.PLAIN)
    step = step_of(event)
    threaded = mode is MessageMode.THREAD
    if remembered is None or _starts_over(remembered, event, now, flap_window):
        return Plan(Action.POST, history=(step,), threaded=threaded)
    flaps = remembered.flaps + (1 if remembered.last_action == RESOLVED and event.action == FIRING else 0)
    history = with_step(remembered.history, step)
    if mode is MessageMode.UPDATE and remembered.ref:
        notify = event.tone is Tone.FAILURE and MessageMode.THREAD in modes
        return Plan(Action.EDIT, ref=remembered.ref, history=history, flaps=flaps, also_reply=notify)
    if threaded and remembered.ref:
        return Plan(Action.REPLY, ref=remembered.ref, history=history, flaps=flaps, threaded=True)
    return Plan(Action.FOLLOW_UP, ref=remembered.ref or None, history=history, flaps=flaps)


def _starts_over(remembered: Remembered, event: Event, now: datetime, flap_window: timedelta) -> bool:
    """An alert group that fires again long after it was resolved is a new incident: a new card.
    Anything else keeps its message for its whole life."""
    return (
        remembered.last_action == RESOLVED
        and event.action == FIRING
        and now - remembered.updated_at > flap_window
    )


def after_posting(plan: Plan, event: Event, ref: str, now: datetime) -> Remembered:
    """What to remember once ``plan``'s message for ``event`` landed; ``ref`` is the platform's
    reference to a new message (POST), or "" when it named none (the earlier one is kept for an
    edit, a reply or a follow-up)."""
    return Remembered(
        ref=ref if plan.action is Action.POST else (plan.ref or ref),
        history=plan.history,
        last_action=event.action,
        updated_at=now,
        flaps=plan.flaps,
    )
