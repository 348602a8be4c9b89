"""``hookcast keys …``: rotating the key that seals the secrets at rest.

``rotate`` puts a new key first in the key file (the older ones stay, to open what they sealed),
then re-seals every sealed value with it (``services/key_rotation.py``); run again after a crash,
it finishes the re-sealing instead of making yet another key. ``retire`` drops the older keys
once no value needs them. With ``HOOKCAST_SECRET_KEY`` set, hookcast cannot change the keys
itself: the administrator puts a new key (``generate``) first in the setting, and ``rotate`` and
``retire`` do the rest of the work and say what to change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from hookcast.cli.instance import Instance, MissingInstance, opened

if TYPE_CHECKING:
    from hookcast.services.key_rotation import Tally

T = TypeVar("T")

# Its one-line help is in hookcast.cli (the root lists it without importing this module).
keys_app = typer.Typer(no_args_is_help=True)

NEXT = (
    "The running processes take the new key from the key file by themselves (with "
    "HOOKCAST_SECRET_KEY: once restarted); 'hookcast keys retire' then removes the older keys."
)


def _run(work: Callable[[Instance], Awaitable[T]]) -> T:
    async def main() -> T:
        async with opened() as instance:
            return await work(instance)

    try:
        return asyncio.run(main())
    except (MissingInstance, ValueError) as exc:
        typer.echo(f"hookcast: {exc}", err=True)
        raise typer.Exit(1) from exc
    except OSError as exc:  # the key file cannot be written: nothing was re-sealed with a new key
        typer.echo(f"hookcast: the key file cannot be written: {exc}", err=True)
        raise typer.Exit(1) from exc


def _print(tally: Tally, verb: str) -> None:
    width = max(len(name) for name in tally.columns)
    for name, count in tally.columns.items():
        line = f"{name:<{width}}  {count.older} {verb}, {count.current} already on the newest key"
        typer.echo(line + (f", {count.unreadable} unreadable" if count.unreadable else ""))
    if tally.unreadable:
        typer.echo(
            f"warning: {tally.unreadable} value(s) open with no key; they were unreadable before "
            "and are left as they are",
            err=True,
        )


BatchOption = Annotated[int, typer.Option("--batch-size", min=1, help="Rows re-sealed per transaction.")]


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new key (to put first in HOOKCAST_SECRET_KEY, comma-separated, newest first)."""
    from hookcast.secret_keys import new_key

    typer.echo(new_key().decode())


@keys_app.command("rotate")
def keys_rotate(batch_size: BatchOption = 200) -> None:
    """Seal every secret with a new key; the older keys still open what is not re-sealed yet."""
    from hookcast.crypto import SecretBox
    from hookcast.secret_keys import new_key, replace_key_file
    from hookcast.services import key_rotation

    async def work(instance: Instance) -> tuple[str, Tally]:
        source = instance.keys
        keys = source.read()
        if len(keys) > 1:
            tally = await key_rotation.reseal(instance.sessions, SecretBox(keys), batch_size=batch_size)
            if tally.older or source.from_setting:
                return "finished", tally
        elif source.from_setting:
            typer.echo(
                "hookcast: HOOKCAST_SECRET_KEY is set, so hookcast cannot add a key itself: put a new one "
                "('hookcast keys generate') first in it, comma-separated (NEW,OLD), in every process's "
                "settings and here, restart the processes, then run 'hookcast keys rotate' again",
                err=True,
            )
            raise typer.Exit(2)
        keys = [new_key(), *keys]
        replace_key_file(source.path, keys)  # before any value is sealed with the new key
        typer.echo(f"new key written first in {source.path} ({len(keys) - 1} older kept, to read with)")
        return "rotated", await key_rotation.reseal(instance.sessions, SecretBox(keys), batch_size=batch_size)

    done, tally = _run(work)
    if done == "finished":
        typer.echo("every value is now sealed with the newest key (no new key was made: it was there)")
    _print(tally, "re-sealed")
    typer.echo(NEXT, err=True)


@keys_app.command("retire")
def keys_retire(batch_size: BatchOption = 200) -> None:
    """Remove the older keys, once every value opens with the newest key alone."""
    from hookcast.crypto import SecretBox
    from hookcast.secret_keys import replace_key_file
    from hookcast.services import key_rotation

    async def work(instance: Instance) -> tuple[Tally, str] | None:
        source = instance.keys
        keys = source.read()
        if len(keys) == 1:
            return None
        tally = await key_rotation.survey(instance.sessions, SecretBox(keys), batch_size=batch_size)
        if tally.older:
            _print(tally, "need an older key")
            typer.echo(
                f"hookcast: {tally.older} value(s) still need an older key, which is kept: run "
                "'hookcast keys rotate' (it finishes the re-sealing), then retire",
                err=True,
            )
            raise typer.Exit(1)
        if source.from_setting:
            return tally, (
                "every value opens with the newest key: set HOOKCAST_SECRET_KEY to its first key alone "
                "in every process's settings and restart them"
            )
        replace_key_file(source.path, keys[:1])
        return tally, f"{len(keys) - 1} older key(s) removed from {source.path}"

    retired = _run(work)
    if retired is None:
        typer.echo("there is only one key: nothing to retire")
        return
    tally, what = retired
    _print(tally, "need an older key")
    typer.echo(what)
