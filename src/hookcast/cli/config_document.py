"""``hookcast export`` and ``hookcast import``: a project as a YAML / JSON document for Git.

Like the other administration commands they work on the instance's database directly, through
the same service as the API (`services/config_document/`). Import prints the diff, asks before
applying when it runs at a terminal (``--yes`` does not ask; without a terminal it applies),
and applies exactly the diff shown: when the project changed in between, nothing is applied.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hookcast.cli.admin import run
from hookcast.cli.instance import Instance
from hookcast.clock import utcnow
from hookcast.services.config_document import document as documents
from hookcast.services.config_document.document import Format
from hookcast.services.config_document.sections import Context
from hookcast.services.config_document.service import (
    ImportResult,
    export_document,
    find_project,
    import_document,
)
from hookcast.services.errors import InvalidDocument

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

STDIO = "-"


def _context(instance: Instance, session: AsyncSession) -> Context:
    settings = instance.settings
    return Context(session, instance.box, settings.extra_allowed_hosts, settings.public_url, utcnow())


def export(
    project: Annotated[str, typer.Argument(help="The project's id or name.")],
    form: Annotated[Format, typer.Option("--format", help="The document's format.")] = Format.YAML,
    sealed: Annotated[
        bool,
        typer.Option(
            "--sealed",
            help="Include the webhooks' URLs and secret settings, sealed with this instance's keys "
            "(only this instance can import them). Default: left out.",
        ),
    ] = False,
    output: Annotated[str, typer.Option("--output", "-o", help="Write to this file ('-': stdout).")] = STDIO,
) -> None:
    """Write a project's settings, webhooks and silences as one YAML / JSON document (for Git).

    Webhook URLs and secret settings are left out, or with --sealed sealed for this instance."""

    async def work(instance: Instance, session: AsyncSession) -> str:
        ctx = _context(instance, session)
        found = await find_project(ctx, project)
        return documents.dump(await export_document(ctx, found.id, sealed=sealed), form)

    text = run(work)
    if output == STDIO:
        typer.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)


def import_(
    file: Annotated[str, typer.Argument(help="The document (YAML or JSON; '-': stdin).")],
    project: Annotated[
        str | None,
        typer.Option(
            help="Import into this project (id or name). Default: the one the document names, "
            "created if missing."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print the diff.")] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune", help="Remove the webhooks and silences the document does not name (else kept)."
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Apply without asking.")] = False,
) -> None:
    """Make a project what a document says (prints the diff first; --dry-run).

    The diff is applied in one transaction, after a confirmation at a terminal (--yes: none)."""
    document = _read(file)

    async def plan(instance: Instance, session: AsyncSession) -> ImportResult:
        ctx = _context(instance, session)
        target = (await find_project(ctx, project)).id if project is not None else None
        return await import_document(ctx, document, project_id=target, prune=prune, dry_run=True)

    planned = run(plan)
    typer.echo(planned.diff, nl=False)
    if dry_run or not planned.changed:
        return
    if not yes and at_terminal():
        typer.confirm("Apply these changes?", abort=True)

    async def apply(instance: Instance, session: AsyncSession) -> ImportResult:
        ctx = _context(instance, session)
        target = (await find_project(ctx, project)).id if project is not None else None
        return await import_document(ctx, document, project_id=target, prune=prune, expected=planned.changes)

    applied = run(apply)
    typer.echo(f"applied to project {applied.project!r} (id {applied.project_id})", err=True)
    if applied.gitlab_token is not None:
        typer.echo(f"gitlab_token: {applied.gitlab_token}  (shown only once)")


def at_terminal() -> bool:
    """Whether a person can answer (scripts and CI pipelines get no question)."""
    return sys.stdin.isatty()


def _read(file: str) -> documents.DocumentHead:
    try:
        text = sys.stdin.read() if file == STDIO else Path(file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"error: {file}: {exc}", err=True)
        raise typer.Exit(2) from exc
    form = Format.JSON if file.lower().endswith(".json") else Format.YAML
    try:
        return documents.parse(text, form)
    except InvalidDocument as exc:
        for where, message in exc.problems:
            typer.echo(f"error: {where + ': ' if where else ''}{message}", err=True)
        raise typer.Exit(2) from exc
