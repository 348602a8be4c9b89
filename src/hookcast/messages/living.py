"""What a living message says besides the event itself: the object's history on its card
("opened → approved by Ann → merged", how often an alert flapped), and the compact form of a
follow-up or a thread reply ("↳ Ann merged merge request !42 …"). Pure.

The plan (`hookcast.living.plan`) decides which form a message takes; this module only words it.
"""

from __future__ import annotations

from dataclasses import replace

from hookcast.living import Action, Plan, Step
from hookcast.messages.i18n import N_, Translator, translator
from hookcast.messages.model import Line, Message, Text

FOLLOW_UP_MARK = "↳ "
# How history steps are named: GitLab's and Alertmanager's action words, in the card's language.
_STEP_NAMES: dict[str, str] = {
    "open": N_("opened"),
    "opened": N_("opened"),
    "reopen": N_("reopened"),
    "update": N_("updated"),
    "approved": N_("approved"),
    "approval": N_("approved"),
    "unapproved": N_("approval revoked"),
    "unapproval": N_("approval revoked"),
    "review_requested": N_("review requested"),
    "merge": N_("merged"),
    "merged": N_("merged"),
    "close": N_("closed"),
    "closed": N_("closed"),
    "firing": N_("firing"),
    "resolved": N_("resolved"),
    "success": N_("passed"),
    "failed": N_("failed"),
    "running": N_("running"),
    "pending": N_("pending"),
    "canceled": N_("canceled"),
    "manual": N_("waiting for a manual job"),
    "created": N_("created"),
}


def step_text(step: Step, t: Translator) -> str:
    name_id = _STEP_NAMES.get(step.action)
    name = t.gettext(name_id) if name_id else step.action.replace("_", " ")
    return t.format("{step} by {actor}", step=name, actor=step.actor) if step.actor else name


def history_line(plan: Plan, t: Translator) -> Line:
    """The card's history line; empty for an object's first message (nothing to tell yet)."""
    if len(plan.history) < 2 and not plan.flaps:
        return ()
    words = [step_text(step, t) for step in plan.history]
    text = " → ".join(words)
    if plan.flaps:
        text += " · " + t.nformat(
            "flapped {count} time", "flapped {count} times", plan.flaps, count=plan.flaps
        )
    return (Text(text),)


def living_message(message: Message, plan: Plan) -> Message:
    """``message`` as ``plan`` sends it: the full card (with the history line when there is one)
    for a post or an edit, the compact form for a follow-up or a thread reply, unchanged
    otherwise."""
    if plan.action is Action.PLAIN:
        return message
    t = translator(message.language)
    if plan.action in (Action.FOLLOW_UP, Action.REPLY):
        return compact(message)
    line = history_line(plan, t)
    if not line:
        return message
    return replace(message, lines=(*message.lines, line))


def compact(message: Message) -> Message:
    """A one-line message that points back to the object's first one: its title marked as a
    follow-up, its link, tone and mentions kept, everything else left to the first card."""
    title = FOLLOW_UP_MARK + (message.title or message.summary)
    return Message(
        title=title,
        tone=message.tone,
        language=message.language,
        url=message.url,
        summary=FOLLOW_UP_MARK + (message.summary or message.title),
        mentions=message.mentions,
    )
