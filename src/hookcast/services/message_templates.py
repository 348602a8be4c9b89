"""A webhook's message templates as they are stored, checked and shown; compiling and rendering
are pure (`hookcast.messages.templates`).

Stored in ``webhooks.templates`` as ``{kind: spec}`` (a spec as `messages.templates` describes
it), and shown the same in the API's ``templates`` field, so that export and import carry them as
they are. A template is checked when it is saved: its shape, its syntax, the constructs the
sandbox refuses, and a rendering of the kind's sample event in every language (which finds
misspelt names and refused attributes); each problem is a 422 naming the kind, the part and
the line. Only kinds a webhook can select have templates (not review reminders, which hookcast
makes itself and which have no sample to check against).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.events import Event, EventKind, Tone
from hookcast.kinds import TRIGGER_KINDS
from hookcast.messages.model import LANGUAGES, Message, plain
from hookcast.messages.templates import Template, TemplateError, check, compile_spec, rendered
from hookcast.sample_events import sample_event
from hookcast.services.errors import Invalid, NotFound
from hookcast.services.text_input import TextInput
from hookcast.sources.caps import capped
from hookcast.store.tables import EventRow

FIELD = "templates"
HELP = (
    "Message templates by event kind: {kind: {title, lines, fields, buttons, mentions, zh_CN}}, "
    "Jinja2 over the documented event variables (docs/templates.md); a kind left out keeps the "
    "built-in message."
)
PATCH_HELP = HELP + " On update, each kind given replaces that kind's template; null removes it."
TEMPLATE_KINDS: frozenset[str] = frozenset(kind.value for kind in TRIGGER_KINDS)


def refusal(error: TemplateError) -> Invalid:
    """The 422 for a template's problem: the kind, the part and the line, in the field's name."""
    return Invalid(
        "template of {kind}, {part}, line {line}: {problem}",
        field=FIELD,
        kind=error.kind,
        part=error.part or "-",
        line=error.line,
        problem=error.problem,
    )


def checked_one(kind: str, spec: object) -> Template:
    """``spec`` compiled and rendered over ``kind``'s sample in every language; `Invalid` else."""
    if kind not in TEMPLATE_KINDS:
        raise Invalid(
            "no template can be set for {kind}: not an event kind a webhook selects", field=FIELD, kind=kind
        )
    try:
        template = compile_spec(kind, spec)
        check(template, sample_event(EventKind(kind)))
    except TemplateError as exc:
        raise refusal(exc) from None
    return template


def stored(current: Mapping[str, Any] | None, changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The stored templates after ``changes`` (kind -> spec replaces, kind -> None removes),
    every new spec checked."""
    result = dict(current or {})
    for kind, spec in (changes or {}).items():
        if spec is None:
            result.pop(kind, None)
            continue
        checked_one(kind, spec)
        result[kind] = spec
    return result


def shown(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(stored or {})


def compiled(stored: Mapping[str, Any] | None, kind: str) -> Template | TemplateError | None:
    """The template the worker applies to an event of ``kind``: None when there is none; a
    `TemplateError` when the stored one no longer compiles (recorded, the built-in message sent)."""
    spec = (stored or {}).get(kind)
    if spec is None:
        return None
    try:
        return compile_spec(kind, spec)
    except TemplateError as exc:
        return exc


class PreviewInput(TextInput):
    """A template to try: over the kind's sample, or over a stored event (``event_id``, whose
    kind it must be)."""

    kind: EventKind
    template: dict[str, Any] = Field(description="One kind's template, as in a webhook's templates.")
    language: str = Field(default="en", description="en | zh_CN")
    event_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="A stored event (else the sample)."
    )


class PreviewLine(BaseModel):
    label: str
    value: str


class PreviewView(BaseModel):
    """The neutral message the template makes (what every platform then draws natively)."""

    kind: EventKind
    language: str
    title: str
    tone: Tone
    lines: list[str]
    fields: list[PreviewLine]
    buttons: list[PreviewLine]
    mentions: list[str]


async def preview(session: AsyncSession, data: PreviewInput) -> tuple[PreviewView, Message]:
    """The message ``data.template`` makes, checked like a saved one (`Invalid` with kind, part
    and line), rendered over the sample or the stored event."""
    if data.language not in LANGUAGES:
        raise Invalid("unknown language {language}", field="language", language=data.language)
    template = checked_one(data.kind.value, data.template)
    event = sample_event(data.kind)
    if data.event_id is not None:
        row = await session.get(EventRow, data.event_id)
        if row is None:
            raise NotFound("no event {id}", id=data.event_id)
        event = capped(Event.model_validate(row.event))
        if event.kind is not data.kind:
            raise Invalid(
                "event {id} is a {kind} event", field="event_id", id=data.event_id, kind=event.kind.value
            )
    message, failure = rendered(event, data.language, template)
    if failure is not None:
        raise refusal(failure)
    shown = PreviewView(
        kind=data.kind,
        language=data.language,
        title=message.title,
        tone=message.tone,
        lines=[plain(line) for line in message.lines],
        fields=[PreviewLine(label=f.label, value=plain(f.value)) for f in message.fields],
        buttons=[PreviewLine(label=a.label, value=a.url) for a in message.actions],
        mentions=[m.name for m in message.mentions],
    )
    return shown, message
