"""What a kind of inbound event must carry, declared once per kind, and the refusal naming what lacks.

A body that parses as JSON but lacks what its kind needs (a push without its ref or project, an
Alertmanager group without alerts, a workflow event without its issue) would otherwise be
rendered into an empty message ("someone pushed to  in ."). Each source declares, next to each
kind's parser, a `Required`: the dotted paths that must hold a value. ``a.b | c`` means either
will do (GitLab sends the project of some events only as the object's URL). A path ending in
``[]`` must be a non-empty list of objects. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from hookcast.sources import Rejection

LIST_SUFFIX = "[]"
MAX_NUMBER = 10**18  # the parsers read larger numbers as absent, so they are absent here too


@dataclass(frozen=True, slots=True)
class Required:
    """The fields one kind needs, plus more picked by the value of one field (``variant_of``).

    ``fields`` are written ``"ref"``, ``"project.path_with_namespace | object_attributes.url"``,
    ``"alerts[]"``. ``variants`` maps a value of ``variant_of`` to further fields, e.g. a note on
    a commit also needs ``commit.id``.
    """

    kind: str
    fields: tuple[str, ...]
    variant_of: str | None = None
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def all_fields(self, payload: Mapping[str, object]) -> tuple[str, ...]:
        """The fields this payload must carry (the base ones and its variant's)."""
        if self.variant_of is None:
            return self.fields
        chosen = value_at(payload, self.variant_of)
        extra = self.variants.get(chosen, ()) if isinstance(chosen, str) else ()
        return (*self.fields, *extra)

    def missing(self, payload: Mapping[str, object]) -> list[str]:
        """The fields (as declared, alternatives joined by "or") that hold no usable value."""
        return [
            " or ".join(path.removesuffix(LIST_SUFFIX) for path in alternatives(spec))
            for spec in self.all_fields(payload)
            if not any(has_value(payload, path) for path in alternatives(spec))
        ]

    def check(self, payload: Mapping[str, object], status: int = 400) -> Rejection | None:
        """A `Rejection` naming every missing field, or None when the payload has them all."""
        missing = self.missing(payload)
        if not missing:
            return None
        return Rejection(status, f"{self.kind}: missing {', '.join(missing)}")


def alternatives(spec: str) -> list[str]:
    return [path.strip() for path in spec.split("|") if path.strip()]


def value_at(payload: Mapping[str, object], path: str) -> object:
    """The value at a dotted path (None when any step is absent or not an object)."""
    value: object = payload
    for key in path.removesuffix(LIST_SUFFIX).split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def has_value(payload: Mapping[str, object], path: str) -> bool:
    """A path holds a value: non-blank text or a plain number; for ``…[]`` a non-empty list of
    objects. Booleans, null, objects where text is expected and blanks are no value."""
    value = value_at(payload, path)
    if path.endswith(LIST_SUFFIX):
        return isinstance(value, list) and any(isinstance(entry, Mapping) for entry in value)
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < MAX_NUMBER
    if isinstance(value, float):
        return math.isfinite(value) and abs(value) < MAX_NUMBER
    return False
