"""Command-line options derived from the API's pydantic models, so the CLI cannot drift from them.

``@model_options(WebhookInput)`` gives a command one option per field of the model (and one per
platform setting, see `setting_names`), typed and described as the model says; the command gets
them in ``**given`` and builds the model from them. A field added to the model is an option the
next time the CLI starts: nothing here names a field except the older, shorter spellings that
scripts already use (`SPELLINGS`).
"""

from __future__ import annotations

import enum
import functools
import inspect
import json
import sys
import types
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from hookcast.cli.secret_input import asked_secret, secret_option

F = TypeVar("F", bound=Callable[..., Any])
_CLEAR = "clear_"  # the parameter behind ``--clear-<option>`` of a list option, in patch commands


def _dashed(name: str) -> str:
    return "--" + name.replace("_", "-")


def _unwrapped(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        kinds = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(kinds) == 1:
            return kinds[0]
    return annotation


def _model_list(annotation: Any) -> bool:
    """A list of models (a webhook's rules): given as a JSON file, not item by item."""
    kind = _unwrapped(annotation)
    if typing.get_origin(kind) is not list:
        return False
    item = typing.get_args(kind)[0]
    return isinstance(item, type) and issubclass(item, BaseModel)


def _read_json(name: str, path: str) -> Any:
    """The JSON in the file ``path`` ('-': stdin), for the option ``name``."""
    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
        return json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise typer.BadParameter(f"{path}: {error}", param_hint=_dashed(name)) from None


def _parameter(
    name: str,
    annotation: Any,
    help_text: str,
    *,
    default: Any,
    spellings: Sequence[str],
    secret: bool = False,
) -> inspect.Parameter:
    kind = _unwrapped(annotation)
    typed: Any
    if _model_list(annotation):
        decls = (_dashed(name), *spellings)
        typed = str | None
        help_text = f"{help_text} A JSON file of them ('-': stdin)."
        default = None
    elif kind is bool:
        decls = tuple(spellings) or (f"{_dashed(name)}/--no-{_dashed(name)[2:]}",)
        typed = bool if isinstance(default, bool) else bool | None
    elif typing.get_origin(kind) is list:
        decls = (_dashed(name), *spellings)
        typed = list[typing.get_args(kind)[0]] | None  # type: ignore[misc]
        default = None
    elif isinstance(kind, type) and issubclass(kind, enum.Enum | str | int):
        decls = (_dashed(name), *spellings)
        typed = kind | None if default is None else kind
    else:
        raise TypeError(f"no command-line option for field {name!r} of type {annotation!r}")
    option = typer.Option(*decls, help=help_text)
    if secret:  # from stdin ('-') or a hidden prompt when needed, never as command-line text
        needed = default is inspect.Parameter.empty
        option = typer.Option(
            *decls,
            help=f"{help_text} '-' reads it from stdin" + ("; asked for when left out." if needed else "."),
            callback=asked_secret(help_text.rstrip(".") or name) if needed else secret_option,
        )
        default = None if needed else default
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[typed, option], default=default
    )


def _field_parameter(
    name: str, field: FieldInfo, *, patch: bool, spellings: Sequence[str], help_text: str, secret: bool
) -> inspect.Parameter:
    if patch:
        default: Any = None
    elif field.is_required():
        default = inspect.Parameter.empty
    else:
        default = field.get_default(call_default_factory=True)
        if isinstance(default, list):
            default = None  # an empty --option list keeps the model's default
    return _parameter(name, field.annotation, help_text, default=default, spellings=spellings, secret=secret)


def model_options(
    model: type[BaseModel],
    *,
    patch: bool = False,
    skip: Collection[str] = (),
    extra: Mapping[str, str] = {},
    spellings: Mapping[str, Sequence[str]] = {},
    described_by: type[BaseModel] | None = None,
    secret: Collection[str] = (),
) -> Callable[[F], F]:
    """Decorate a command taking ``**given``: it gets an option per field of ``model`` (but
    ``skip``) and per name in ``extra`` (a string option, name -> help). With ``patch`` every
    option defaults to None (not given). ``spellings`` names the older spellings of an option;
    for a flag they replace its ``--x/--no-x``. A field ``model`` leaves undescribed takes the
    description of the same field of ``described_by`` (a patch model, say, of its full model).
    The options named in ``secret`` take their value from stdin or a prompt (`secret_input`)."""

    def help_of(name: str, field: FieldInfo) -> str:
        other = described_by.model_fields.get(name) if described_by is not None else None
        return field.description or (other.description if other is not None else None) or ""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        derived = [
            _field_parameter(
                name,
                field,
                patch=patch,
                spellings=spellings.get(name, ()),
                help_text=help_of(name, field),
                secret=name in secret,
            )
            for name, field in model.model_fields.items()
            if name not in skip
        ]
        if patch:  # a list option given empty means "not given": clearing one is its own flag
            derived += [
                inspect.Parameter(
                    _CLEAR + name,
                    inspect.Parameter.KEYWORD_ONLY,
                    annotation=Annotated[
                        bool,
                        typer.Option(f"--clear-{_dashed(name)[2:]}", help=f"Remove every {_dashed(name)}."),
                    ],
                    default=False,
                )
                for name, field in model.model_fields.items()
                if name not in skip and typing.get_origin(_unwrapped(field.annotation)) is list
            ]
        derived += [
            _parameter(
                name,
                str | None,
                help_text,
                default=None,
                spellings=spellings.get(name, ()),
                secret=name in secret,
            )
            for name, help_text in extra.items()
        ]
        taken = {p.name for p in own} & {p.name for p in derived}
        if taken:
            raise TypeError(f"{command.__name__}: options named twice: {sorted(taken)}")
        positional = [p for p in own if p.default is inspect.Parameter.empty]
        optional = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for p in own
            if p.default is not inspect.Parameter.empty
        ]

        from_files = [name for name, field in model.model_fields.items() if _model_list(field.annotation)]

        @functools.wraps(command)
        def wrapper(**given: Any) -> Any:
            for name in from_files:
                if isinstance(given.get(name), str):
                    given[name] = _read_json(name, given[name])
            for flag in [name for name in given if name.startswith(_CLEAR)]:
                name = flag.removeprefix(_CLEAR)
                if given.pop(flag):
                    if given.get(name):
                        raise typer.BadParameter(
                            f"{_dashed(name)} and --clear-{_dashed(name)[2:]} ask for opposite things"
                        )
                    given[name] = Cleared()
            return command(**given)

        wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*positional, *derived, *optional]
        )
        wrapper.__annotations__ = {}
        return typing.cast(F, wrapper)

    return decorate


class Cleared(list[Any]):
    """A list option the user asked to empty (``--clear-<option>``): unlike an empty list, it
    was given."""


def given_values(given: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    """The options of ``names`` that were given (not None, not an empty list unless cleared)."""
    return {
        name: given[name]
        for name in names
        if isinstance(given.get(name), Cleared) or given.get(name) not in (None, [])
    }
