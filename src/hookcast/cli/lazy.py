"""Sub-commands whose module is imported only when they run.

The administration commands need SQLAlchemy, the services and their models: a second or more
of imports that ``hookcast --help`` or ``hookcast serve`` should not pay. The root group lists
them by name and one line of help, and imports a module only when one of its commands is
called (or its own ``--help`` is asked for).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer import _click as click  # Typer's own copy of Click, whose types its groups use
from typer.core import TyperCommand, TyperGroup

_LISTING = "hookcast.cli.listing"  # ctx.meta key: set while the root's help is written


@dataclass(frozen=True, slots=True)
class Lazy:
    """A sub-command: its name, its one-line help, and ``module:attribute`` of what runs it
    (a ``typer.Typer`` for a group of commands, or a command function)."""

    name: str
    target: str
    help: str

    def load(self) -> click.Command:
        module_name, _colon, attribute = self.target.partition(":")
        found: typer.Typer | Callable[..., Any] = getattr(importlib.import_module(module_name), attribute)
        if isinstance(found, typer.Typer):
            command: click.Command = typer.main.get_group(found)
        else:
            single = typer.Typer()
            single.command(name=self.name)(found)
            command = typer.main.get_command(single)
        command.name = self.name
        if not command.help:
            command.help = self.help
        return command


class LazyGroup(TyperGroup):
    """A Typer group that also knows ``lazy`` sub-commands (set by a subclass)."""

    lazy: ClassVar[tuple[Lazy, ...]] = ()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *(entry.name for entry in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        entry = next((e for e in self.lazy if e.name == cmd_name), None)
        if entry is None:
            return None
        if ctx.meta.get(_LISTING):
            return TyperCommand(entry.name, help=entry.help)  # a row of the help, nothing imported
        loaded = entry.load()
        self.add_command(loaded, entry.name)
        return loaded

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        ctx.meta[_LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta[_LISTING] = False
