"""Values of declared fields (:class:`FieldSpec`): webhook settings and IM app credentials.

The one place where ``required``, ``pattern`` and ``max_length`` are enforced, so that the API,
the UI and the CLI refuse the same values with the same words (message ids the UI translates,
the field's label a `Term`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from hookcast.platforms.base import FieldSpec
from hookcast.services.errors import Invalid, Term


def check(spec: FieldSpec, value: str, *, field: str | None = None) -> None:
    """Refuse a value longer than the spec allows or not of its shape. ``field`` is where the
    error is reported (the spec's own name unless said otherwise)."""
    where = field or spec.name
    if len(value) > spec.max_length:
        raise Invalid(
            "{label} ({name}) is at most {max} characters",
            field=where,
            label=Term(spec.label),
            name=spec.name,
            max=spec.max_length,
        )
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise Invalid(
            "{label} ({name}) does not look right: {help}",
            field=where,
            label=Term(spec.label),
            name=spec.name,
            help=Term(spec.help),
        )


def merged(
    specs: Sequence[FieldSpec],
    stored: Mapping[str, str],
    changes: Mapping[str, str | None],
    *,
    field: str | None = None,
) -> dict[str, str]:
    """``stored`` values with ``changes`` applied (a value replaces, ``""`` removes, ``None`` or
    absence keeps), every value checked and every required field present. Names not in ``specs``
    must have been refused before. Pure."""
    values: dict[str, str] = {}
    for spec in specs:
        change = changes.get(spec.name)
        value = stored.get(spec.name, "") if change is None else change.strip()
        if value:
            check(spec, value, field=field)
            values[spec.name] = value
        elif spec.required:
            raise Invalid(
                "{label} ({name}) is required",
                field=field or spec.name,
                label=Term(spec.label),
                name=spec.name,
            )
    return values


def unknown_names(specs: Sequence[FieldSpec], names: Iterable[str]) -> list[str]:
    """The names in ``names`` that no spec declares, sorted."""
    declared = {spec.name for spec in specs}
    return sorted(name for name in names if name not in declared)
