"""A webhook's platform settings: what each platform declares as `FieldSpec` s, and nothing else.

Stored in one JSON column, ``webhooks.settings``::

    {"plain": {"keyword": "deploy"}, "sealed": {"secret": "<SecretBox token>"}}

``plain`` holds the non-secret values as they are; ``sealed`` holds each secret value sealed on
its own with the instance's `SecretBox` (so moving a value between columns or rows never needs
the key). A setting that is not set is absent. The API, UI and CLI models, validation, redaction
and the `WebhookTarget` are all derived from the platform's declaration through this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hookcast.crypto import SecretBox
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import FieldSpec, Platform
from hookcast.services import fields
from hookcast.services.errors import Invalid, Term

SET = "set"
NOT_SET = "not set"


def declared() -> dict[str, list[tuple[Platform, FieldSpec]]]:
    """Every setting name some platform declares -> (platform, spec) of each that declares it."""
    found: dict[str, list[tuple[Platform, FieldSpec]]] = {}
    for platform in PLATFORMS.values():
        for spec in platform.settings:
            found.setdefault(spec.name, []).append((platform, spec))
    return found


def secret_names() -> frozenset[str]:
    """Names some platform declares secret (their values are write-only everywhere)."""
    return frozenset(name for name, specs in declared().items() if any(s.secret for _p, s in specs))


def help_line(name: str) -> str:
    """One line for the API schema and the CLI help: the label, help and who takes it."""
    specs = declared()[name]
    first = specs[0][1]
    takers = ", ".join(platform.label for platform, _spec in specs)
    write_only = " Write-only." if first.secret else ""
    return f"{first.label}: {first.help} ({takers}).{write_only}"


def schema_properties(*, view: bool) -> dict[str, dict[str, Any]]:
    """JSON schema of the top-level names the API also takes (``secret``, ``keyword`` as they
    always were) and, with ``view``, shows (``<secret>_set``, plain values)."""
    properties: dict[str, dict[str, Any]] = {}
    for name, specs in declared().items():
        secret = any(spec.secret for _p, spec in specs)
        longest = max(spec.max_length for _p, spec in specs)
        if view and secret:
            properties[f"{name}_set"] = {"type": "boolean", "description": f"Whether {name} is set."}
        else:
            string: dict[str, Any] = {"type": "string", "maxLength": longest}
            properties[name] = {"anyOf": [string, {"type": "null"}], "description": help_line(name)}
    return properties


def fold_flat(data: Any) -> Any:
    """Move top-level setting names (how clients have always sent ``secret`` and ``keyword``)
    into ``settings``; a name given both ways takes the ``settings`` value."""
    if not isinstance(data, dict):
        return data
    names = declared()
    flat = {key: value for key, value in data.items() if key in names}
    if not flat:
        return data
    folded = {key: value for key, value in data.items() if key not in names}
    nested = data.get("settings")
    folded["settings"] = {**flat, **nested} if isinstance(nested, dict) else (nested or flat)
    return folded


def refuse_undeclared(platform: Platform, names: Iterable[str]) -> None:
    unknown = fields.unknown_names(platform.settings, names)
    if unknown:
        raise Invalid(
            "{platform} webhooks take no setting {name}",
            field=unknown[0],
            platform=Term(platform.label),
            name=unknown[0],
        )


def opened(column: Mapping[str, Any] | None, box: SecretBox) -> dict[str, str]:
    """Every set value in clear (for encoding only: never shown)."""
    plain, sealed = _parts(column)
    return {**plain, **{name: box.open(token) for name, token in sealed.items()}}


def stored(platform: Platform, values: Mapping[str, str], box: SecretBox) -> dict[str, dict[str, str]]:
    """The column value for ``values`` (name -> value of the settings that are set)."""
    secret = {spec.name for spec in platform.settings if spec.secret}
    return {
        "plain": {name: value for name, value in values.items() if name not in secret},
        "sealed": {name: box.seal(value) for name, value in values.items() if name in secret},
    }


def with_sealed(column: Mapping[str, Any] | None, sealed: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The column with its sealed values replaced by ``sealed`` (a key rotation's re-sealed ones)."""
    plain, _ = _parts(column)
    return {"plain": plain, "sealed": dict(sealed)}


def sealed_values(column: Mapping[str, Any] | None) -> dict[str, str]:
    """The sealed values of the column, by name (still sealed)."""
    return _parts(column)[1]


def shown(platform: Platform, column: Mapping[str, Any] | None) -> dict[str, str | None]:
    """Every setting the platform declares: plain ones with their value (None when not set),
    secret ones only as "set" / "not set"."""
    plain, sealed = _parts(column)
    return {
        spec.name: (SET if spec.name in sealed else NOT_SET) if spec.secret else plain.get(spec.name)
        for spec in platform.settings
    }


def flat_view(platform: Platform, column: Mapping[str, Any] | None) -> dict[str, Any]:
    """The top-level names answers have always carried (``secret_set``, ``keyword``), for every
    name some platform declares, so an answer's shape does not depend on its platform."""
    plain, sealed = _parts(column)
    mine = {spec.name for spec in platform.settings}
    secret = secret_names()
    flat: dict[str, Any] = {}
    for name in declared():
        if name in secret:
            flat[f"{name}_set"] = name in sealed and name in mine
        else:
            flat[name] = plain.get(name) if name in mine else None
    return flat


def is_set(column: Mapping[str, Any] | None, name: str) -> bool:
    plain, sealed = _parts(column)
    return name in plain or name in sealed


def plain_values(column: Mapping[str, Any] | None) -> dict[str, str]:
    return _parts(column)[0]


def _parts(column: Mapping[str, Any] | None) -> tuple[dict[str, str], dict[str, str]]:
    column = column or {}
    plain = column.get("plain") or {}
    sealed = column.get("sealed") or {}
    return {str(k): str(v) for k, v in plain.items()}, {str(k): str(v) for k, v in sealed.items()}
