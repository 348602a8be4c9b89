"""The integration form's "Message templates" section: one kind's template at a time, as inputs.

The form edits the template of the kind it names (``template_kind``; the page's
``?template_kind=`` chooses it), as a title, a text of lines, a few field and button rows, the
mentions switch and the Chinese title and lines. What it sends becomes that kind's entry of
the webhook's ``templates`` (`services/message_templates.py` checks it); a section left empty
removes the kind's template. The other kinds' templates are kept as they are, and so are the
parts of the kind's template the form does not show (the Chinese fields and buttons, which the
API and the CLI set).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hookcast.messages.templates import MAX_BUTTONS, MAX_FIELDS
from hookcast.sample_events import sample_kinds
from hookcast.services.message_templates import TEMPLATE_KINDS

FIELD_ROWS = 4  # empty rows shown (a template with more fields shows them all)
BUTTON_ROWS = 3
ZH = "zh_CN"
HIDDEN = ("fields", "buttons")  # parts of the Chinese variant the form does not show


def kinds() -> list[str]:
    """The kinds a template can be edited for here, in the preview's order."""
    return [kind.value for kind in sample_kinds() if kind.value in TEMPLATE_KINDS]


def saved_page(webhook_id: int, kind: str) -> str:
    """Where a saved form goes: its page, its template section on the kind it edited."""
    return f"/ui/webhooks/{webhook_id}?saved=1&template_kind={chosen_kind(kind)}"


def chosen_kind(raw: str | None) -> str:
    options = kinds()
    return raw if raw in options else options[0]


def _rows(pairs: object, names: tuple[str, str], count: int) -> list[dict[str, str]]:
    given = [p for p in pairs if isinstance(p, Mapping)] if isinstance(pairs, list) else []
    rows = [{n: str(p.get(n, "")) for n in names} for p in given]
    return (rows + [dict.fromkeys(names, "") for _ in range(count)])[: max(count, len(rows))]


def values(stored: Mapping[str, Any] | None, kind: str) -> dict[str, Any]:
    """The section's inputs for ``kind``'s stored template (empty inputs when there is none)."""
    spec = (stored or {}).get(kind) or {}
    variant: Mapping[str, Any] = spec[ZH] if isinstance(spec.get(ZH), Mapping) else {}
    return {
        "template_kind": kind,
        "template_title": str(spec.get("title", "")),
        "template_lines": str(spec.get("lines", "")),
        "template_fields": _rows(spec.get("fields"), ("label", "value"), FIELD_ROWS),
        "template_buttons": _rows(spec.get("buttons"), ("label", "url"), BUTTON_ROWS),
        "template_mentions": spec.get("mentions", True) is not False,
        "template_zh_title": str(variant.get("title", "")),
        "template_zh_lines": str(variant.get("lines", "")),
        "templated_kinds": sorted(stored or {}),
        "template_spec": dict(spec),
    }


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _block(form: Mapping[str, Any], name: str) -> str:
    """A text of lines as typed, without the blank lines around it (browsers send CR LF)."""
    value = form.get(name)
    return value.replace("\r\n", "\n").strip("\n") if isinstance(value, str) else ""


def _pairs(form: Mapping[str, Any], prefix: str, names: tuple[str, str], count: int) -> list[dict[str, str]]:
    rows = []
    for index in range(count):
        row = {n: _text(form, f"{prefix}_{n}_{index}") for n in names}
        if any(row.values()):
            rows.append(row)
    return rows


def spec_from(form: Mapping[str, Any]) -> dict[str, Any]:
    """The template the section's inputs make ({} when they are all empty); ``form`` is the
    submitted form, or the preview's query."""
    spec: dict[str, Any] = {}
    if title := _text(form, "template_title"):
        spec["title"] = title
    if lines := _block(form, "template_lines"):
        spec["lines"] = lines
    if fields := _pairs(form, "template_field", ("label", "value"), MAX_FIELDS):
        spec["fields"] = fields
    if buttons := _pairs(form, "template_button", ("label", "url"), MAX_BUTTONS):
        spec["buttons"] = buttons
    if spec and form.get("template_mentions") not in ("on", "true", "1"):
        spec["mentions"] = False
    variant = {}
    if zh_title := _text(form, "template_zh_title"):
        variant["title"] = zh_title
    if zh_lines := _block(form, "template_zh_lines"):
        variant["lines"] = zh_lines
    if variant:
        spec[ZH] = variant
    return spec


def changes_from(form: Mapping[str, Any], stored: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``templates`` change the form asks for: the edited kind's template, or its removal
    when the section is empty ({} for a form without the section). The parts of the ``stored``
    template the form does not show (the Chinese fields and buttons, set through the API or the
    CLI) are kept."""
    kind = _text(form, "template_kind")
    if kind not in TEMPLATE_KINDS:
        return {}
    spec = spec_from(form)
    before = (stored or {}).get(kind)
    variant = before.get(ZH) if isinstance(before, Mapping) else None
    hidden = (
        {part: variant[part] for part in HIDDEN if part in variant} if isinstance(variant, Mapping) else {}
    )
    if spec and hidden:
        spec[ZH] = {**spec.get(ZH, {}), **hidden}
    return {kind: spec or None}


def values_from(form: Mapping[str, Any]) -> dict[str, Any]:
    """The section as entered, to show again after a failed save."""
    kind = chosen_kind(_text(form, "template_kind"))
    return values({kind: spec_from(form)}, kind) | {"templated_kinds": []}
