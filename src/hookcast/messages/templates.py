"""Message templates: a webhook's own wording for one event kind, applied to the built-in message.

A template shapes the neutral `Message`, never a platform's body, so every platform still writes
it natively, escapes it, signs it and fits it to its size (`platforms/`). It is a small JSON
object per kind (stored in ``webhooks.templates`` as ``{kind: spec}``)::

    {"title": "{{ actor.name }} pushed to {{ branch }}",
     "lines": "{% for c in items %}{{ c.title }}\\n{% endfor %}",
     "fields": [{"label": "Project", "value": "{{ project.name }}"}],
     "buttons": [{"label": "Open", "url": "{{ url }}"}],
     "mentions": true,
     "zh_CN": {"title": "{{ actor.name }} 推送到 {{ branch }}"}}

Each text is Jinja2 over the view of `messages/template_view.py`, run in `messages/sandbox.py`.
A part the spec leaves out is the built-in message's (a template may change only the title);
``lines`` is one text, each non-blank line a line of the message; ``mentions: false`` drops
the people the message would mention. ``zh_CN`` holds the parts that differ in Chinese; any part
may also call ``_("…")`` / ``gettext`` / ``ngettext``, which translate through hookcast's own
catalogs into the webhook's language. The tone, the link behind the title and the footer are
always the built-in message's: the tone comes from the event's status, never from words.

Errors are `TemplateError` values naming the kind, the part and the line: `compile_spec` finds
the shape and syntax ones, `check` the rest by rendering the kind's sample event in every
language; at run time `apply` raises it, and the worker sends the built-in message instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from jinja2 import Template as JinjaTemplate
from jinja2.exceptions import TemplateError as JinjaError
from jinja2.exceptions import TemplateSyntaxError

from hookcast.events import Event
from hookcast.messages.common import truncate
from hookcast.messages.i18n import translator
from hookcast.messages.model import LANGUAGES, Action, Mention, Message, MessageField, Text
from hookcast.messages.render import kind_label, render
from hookcast.messages.sandbox import MAX_OUTPUT, Helper, Sandbox, refusals
from hookcast.messages.template_view import view_of

MAX_SOURCE = 8_192  # characters of template text per kind, all parts and languages together
MAX_TITLE = 300
MAX_LINES = 50
MAX_LINE = 2_000
MAX_FIELDS = 20
MAX_BUTTONS = 5
MAX_LABEL = 100
MAX_VALUE = 1_000
MAX_URL = 2_048
PARTS = ("title", "lines", "fields", "buttons")
VARIANTS = tuple(language for language in LANGUAGES if language != "en")
SPEC_KEYS = frozenset({*PARTS, "mentions", *VARIANTS})
TEMPLATE_FILE = "<template>"  # the file name Jinja gives a template's frames
ENVIRONMENT = Sandbox()


class TemplateError(Exception):
    """What is wrong with a template, and where: ``part`` is ``title``, ``lines``,
    ``fields[1].value``, ``zh_CN.title`` …; ``line`` counts from 1 within that part (0: none)."""

    def __init__(self, kind: str, part: str, line: int, problem: str) -> None:
        super().__init__(kind, part, line, problem)
        self.kind = kind
        self.part = part
        self.line = line
        self.problem = problem

    def __str__(self) -> str:
        where = f"{self.part}, line {self.line}" if self.line else self.part
        return f"{self.kind}: {where}: {self.problem}"


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    template: JinjaTemplate


@dataclass(frozen=True, slots=True)
class Parts:
    """The compiled parts of one language; None: the built-in message's."""

    title: _Part | None = None
    lines: _Part | None = None
    fields: tuple[tuple[_Part, _Part], ...] | None = None
    buttons: tuple[tuple[_Part, _Part], ...] | None = None


@dataclass(frozen=True, slots=True)
class Template:
    kind: str
    parts: Mapping[str, Parts]  # by language: "en" always, a variant's parts merged over it
    mentions: bool = True
    digest: str = field(default="")  # of the spec: tells two versions apart (the worker's cache)


def _text(kind: str, part: str, value: object) -> str:
    if not isinstance(value, str):
        raise TemplateError(kind, part, 0, "must be a text")
    return value


def _compile(kind: str, part: str, source: str) -> _Part:
    try:
        tree = ENVIRONMENT.parse(source)
        refused = refusals(tree)
        if refused is not None:
            raise TemplateError(kind, part, *refused)
        return _Part(part, ENVIRONMENT.from_string(tree))  # unknown filters and tests fail here
    except TemplateSyntaxError as exc:
        raise TemplateError(kind, part, exc.lineno, exc.message or "syntax error") from None


def _pairs(
    kind: str, part: str, value: object, names: tuple[str, str], limit: int
) -> tuple[tuple[_Part, _Part], ...]:
    if not isinstance(value, list):
        raise TemplateError(kind, part, 0, f"must be a list of {{{names[0]}, {names[1]}}}")
    if len(value) > limit:
        raise TemplateError(kind, part, 0, f"at most {limit}")
    out = []
    for index, entry in enumerate(value):
        where = f"{part}[{index}]"
        if not isinstance(entry, Mapping) or set(entry) - set(names):
            raise TemplateError(kind, where, 0, f"must be an object with {names[0]} and {names[1]}")
        first, second = (
            _compile(kind, f"{where}.{n}", _text(kind, f"{where}.{n}", entry.get(n, ""))) for n in names
        )
        out.append((first, second))
    return tuple(out)


def _parts(kind: str, prefix: str, raw: Mapping[str, Any], base: Parts) -> Parts:
    def named(part: str) -> str:
        return f"{prefix}{part}"

    parts = base
    if "title" in raw:
        parts = replace(
            parts, title=_compile(kind, named("title"), _text(kind, named("title"), raw["title"]))
        )
    if "lines" in raw:
        parts = replace(
            parts, lines=_compile(kind, named("lines"), _text(kind, named("lines"), raw["lines"]))
        )
    if "fields" in raw:
        parts = replace(
            parts, fields=_pairs(kind, named("fields"), raw["fields"], ("label", "value"), MAX_FIELDS)
        )
    if "buttons" in raw:
        parts = replace(
            parts, buttons=_pairs(kind, named("buttons"), raw["buttons"], ("label", "url"), MAX_BUTTONS)
        )
    return parts


def spec_size(raw: Mapping[str, Any]) -> int:
    """The characters of template text in a spec (what `MAX_SOURCE` bounds)."""
    return len(json.dumps(raw, ensure_ascii=False))


def compile_spec(kind: str, raw: object) -> Template:
    """The compiled template of ``kind`` from its stored / submitted spec; `TemplateError` for a
    wrong shape, a syntax error or a construct the sandbox refuses, with its part and line."""
    if not isinstance(raw, Mapping):
        raise TemplateError(kind, "", 0, "a template is an object with title, lines, fields, buttons")
    unknown = sorted(set(raw) - SPEC_KEYS)
    if unknown:
        raise TemplateError(
            kind, unknown[0], 0, "unknown part; a template has " + ", ".join(sorted(SPEC_KEYS))
        )
    if spec_size(raw) > MAX_SOURCE:
        raise TemplateError(kind, "", 0, f"a template may be at most {MAX_SOURCE} characters long")
    mentions = raw.get("mentions", True)
    if not isinstance(mentions, bool):
        raise TemplateError(kind, "mentions", 0, "must be true or false")
    base = _parts(kind, "", raw, Parts())
    by_language: dict[str, Parts] = {"en": base}
    for language in VARIANTS:
        variant = raw.get(language, {})
        if not isinstance(variant, Mapping) or set(variant) - set(PARTS):
            raise TemplateError(kind, language, 0, "must be an object with some of " + ", ".join(PARTS))
        by_language[language] = _parts(kind, f"{language}.", variant, base)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest()[:16]
    return Template(kind=kind, parts=by_language, mentions=mentions, digest=digest)


def _line_of(tb: TracebackType | None) -> int:
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _run(kind: str, part: _Part, variables: Mapping[str, Any]) -> str:
    out: list[str] = []
    size = 0
    try:
        for chunk in part.template.generate(variables):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateError(kind, part.name, 0, f"renders more than {MAX_OUTPUT} characters")
            out.append(chunk)
    except TemplateError:
        raise
    except (JinjaError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
        raise TemplateError(
            kind, part.name, _line_of(exc.__traceback__), str(exc) or type(exc).__name__
        ) from None
    return "".join(out)


def _web(url: str) -> str | None:
    url = url.strip()
    return url if url.lower().startswith(("https://", "http://")) and len(url) <= MAX_URL else None


def apply(template: Template, event: Event, language: str, builtin: Message) -> Message:
    """``builtin`` (the built-in rendering of ``event`` in ``language``) reworded by ``template``;
    `TemplateError` when a part fails to render."""
    parts = template.parts.get(language, template.parts["en"])
    t = translator(language)
    variables = {
        **view_of(event, language, kind_label(event.kind, language), builtin.tone),
        "_": Helper(t.gettext),
        "gettext": Helper(t.gettext),
        "ngettext": Helper(t.nformat),  # the form for n, its {n} filled
    }
    kind = template.kind
    message = builtin
    if parts.title is not None:
        title = truncate(" ".join(_run(kind, parts.title, variables).split()), MAX_TITLE)
        message = replace(message, title=title, summary=title)
    if parts.lines is not None:
        text = _run(kind, parts.lines, variables)
        lines = [truncate(line, MAX_LINE) for line in text.splitlines() if line.strip()][:MAX_LINES]
        message = replace(message, lines=tuple((Text(line),) for line in lines))
    if parts.fields is not None:
        fields = []
        for label_part, value_part in parts.fields:
            label = truncate(_run(kind, label_part, variables), MAX_LABEL)
            value = truncate(_run(kind, value_part, variables), MAX_VALUE)
            if label or value:
                fields.append(MessageField(label=label, value=(Text(value),)))
        message = replace(message, fields=tuple(fields))
    if parts.buttons is not None:
        actions = []
        for label_part, url_part in parts.buttons:
            label = truncate(_run(kind, label_part, variables), MAX_LABEL)
            url = _web(_run(kind, url_part, variables))
            if label and url:  # a button to anything but a web page is dropped
                actions.append(Action(label=label, url=url))
        message = replace(message, actions=tuple(actions))
    if not template.mentions:
        message = replace(message, mentions=())
    return message


def reworded(
    builtin: Message, event: Event, language: str, template: Template | TemplateError | None
) -> tuple[Message, TemplateError | None]:
    """``builtin`` (``event``'s built-in message in ``language``) reworded by ``template`` when
    there is one and it renders; else ``builtin``, with the template's failure (a `TemplateError`
    given as ``template``: a stored one that no longer compiles)."""
    if template is None:
        return builtin, None
    if isinstance(template, TemplateError):
        return builtin, template
    try:
        return apply(template, event, language, builtin), None
    except TemplateError as exc:
        return builtin, exc


def rendered(
    event: Event, language: str, template: Template | None, *, mentions: Sequence[Mention] = ()
) -> tuple[Message, TemplateError | None]:
    """The message for ``event``: the template's when there is one and it renders, else the
    built-in one, with the template's failure (the worker records it on the delivery)."""
    return reworded(render(event, language, mentions=mentions), event, language, template)


def check(template: Template, sample: Event) -> None:
    """Render ``template`` over ``sample`` (the kind's sample event) in every language: raises the
    first `TemplateError` (a misspelt name, a refused attribute, a failing filter …)."""
    for language in LANGUAGES:
        apply(template, sample, language, render(sample, language))


def compile_all(raw: object) -> dict[str, Template]:
    """Every template of a webhook's stored ``{kind: spec}`` (kinds not checked here)."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(kind): compile_spec(str(kind), spec) for kind, spec in raw.items()}


def failure_note(error: Exception) -> str:
    """What the delivery's attempt says when its template failed and the built-in message went."""
    return f"[template failed, the built-in message was sent: {str(error)[:300]}]"
