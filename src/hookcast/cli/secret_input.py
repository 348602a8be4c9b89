"""Secrets reach the command through stdin or a hidden prompt, never as command-line text.

A value written on the command line stays in the shell's history and, while the command runs,
shows in ``ps`` to every user of the machine. So every option that takes a secret (a password, a
webhook URL, a platform's signing secret, an IM app's secret credential) has `secret_option` as
its callback: ``-`` reads the value from stdin (one line: ``printf '%s\\n' "$SECRET" | hookcast
… --secret -``; several ``-`` options read one line each, in the order they are given), an empty
value stays allowed (it is no secret: it removes a webhook setting), and any other value typed
there is refused before anything is done (exit status 2) with the reason and the way to pass
it. An option that is needed is prompted for, hidden, when it is left out.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer

STDIN = "-"
# Typer carries its own copy of Click: its parameter sources are told apart by name.
TYPED_THERE = "COMMANDLINE"
LEFT_OUT = "DEFAULT"


def refuse(name: str, why: str) -> NoReturn:
    """One line, as the other refusals of the command, and exit status 2 (bad input)."""
    typer.echo(f"error: {name}: {why}", err=True)
    raise typer.Exit(2)


def read_line(name: str) -> str:
    """One line of stdin (without its line break), for the option called ``name``."""
    if sys.stdin.isatty():  # '-' typed at a terminal: ask, without echoing what is typed
        return str(typer.prompt(name, hide_input=True, err=True))
    # From the bytes under the text layer, which would read ahead: what follows the line stays
    # there for whoever reads stdin next (``hookcast preview``'s body given as -).
    line = sys.stdin.buffer.readline()
    if not line:
        refuse(name, "'-' reads the value from stdin, which ended before it")
    try:
        return line.decode().removesuffix("\n").removesuffix("\r")
    except UnicodeDecodeError:
        refuse(name, "the line read from stdin is not UTF-8 text")


def refusal(name: str, piped: str, asked: bool) -> str:
    """Why a secret given on the command line is refused, and how to give it instead (``piped``:
    the option as it reads stdin)."""
    ask = f", or leave {name} out to be asked for it (hidden)" if asked else ""
    return (
        "a secret is not taken on the command line, where it would stay in your shell's history and "
        f"show in 'ps': give '{piped}' and pass it on stdin (printf '%s\\n' \"$VALUE\" | hookcast … {piped})"
        f"{ask}"
    )


def _given(ctx: typer.Context, param: typer.CallbackParam, value: Any, asked: bool) -> Any:
    if value in (None, "") or param.name is None:
        return value
    source = ctx.get_parameter_source(param.name)
    if source is None or source.name != TYPED_THERE:
        return value  # a default: never seen by the shell
    name = param.opts[0] if param.opts else param.name
    if value == STDIN:
        return read_line(name)
    refuse(name, refusal(name, f"{name} -", asked))


def secret_option(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """The callback of an option holding a secret: the value from stdin for ``-``, an empty one
    as it is, nothing when left out; a value typed on the command line refused."""
    return _given(ctx, param, value, asked=False)


def asked_secret(label: str, *, confirm: bool = False) -> Any:
    """The callback of an option holding a secret that is needed: as `secret_option`, and asked
    for (hidden, the question on stderr so ``--json`` output stays clean) when left out."""

    def callback(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
        source = ctx.get_parameter_source(param.name) if param.name else None
        if ctx.resilient_parsing:  # shell completion: never ask
            return value
        if source is None or source.name == LEFT_OUT:
            return typer.prompt(label, hide_input=True, confirmation_prompt=confirm, err=True)
        return _given(ctx, param, value, asked=True)

    return callback


def secret_pair(name: str, value: str, option: str) -> str:
    """The value of ``NAME=VALUE`` given to ``option`` for a secret ``name``: ``-`` reads stdin,
    anything else is refused."""
    if value == STDIN:
        return read_line(f"{option} {name}=")
    refuse(f"{option} {name}", refusal(f"{option} {name}", f"{option} {name}=-", asked=True))
