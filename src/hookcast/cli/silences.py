"""``hookcast silences create|list|expire|delete``: silences on the server's database, through the
same service as the API and the UI (`services/silences.py`).

The conditions are given like amtool's: ``--match 'alertname="DiskFull"'`` (Alertmanager label
matchers, repeatable), ``--kind``, ``--ref``, or the whole condition object as JSON
(``--conditions``, the API's ``match``); the window as ``--duration 1h`` from now or from
``--starts``, or ``--ends``.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from hookcast.cli.admin import JsonOption, emit, emit_one, run
from hookcast.clock import utcnow
from hookcast.services import silences
from hookcast.services.silences import SilenceView
from hookcast.silencing import parse_duration

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hookcast.cli.instance import Instance

silences_app = typer.Typer(no_args_is_help=True)

ProjectOption = Annotated[
    int | None,
    typer.Option("--project", help="The project's id; left out: instance-wide (needs --all-projects)."),
]
COLUMNS = (
    "id",
    "project_id",
    "status",
    "expiring_soon",
    "starts_at",
    "ends_at",
    "author",
    "comment",
    "match",
)


def _minutes(text: str) -> int:
    try:
        return int(parse_duration(text).total_seconds() // 60)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--duration") from error


@silences_app.command("create")
def silences_create(
    comment: Annotated[str, typer.Option(help="Why: shown with every event it mutes.")],
    project: ProjectOption = None,
    all_projects: Annotated[bool, typer.Option(help="Instance-wide: mute every project's events.")] = False,
    match: Annotated[
        list[str] | None,
        typer.Option(help='An Alertmanager label matcher, e.g. alertname="DiskFull" (repeatable).'),
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="An event kind, e.g. alert, push (repeatable).")
    ] = None,
    ref: Annotated[
        list[str] | None, typer.Option(help="A branch or tag glob or /regex/ (repeatable).")
    ] = None,
    conditions: Annotated[
        str | None, typer.Option(help="Every condition as JSON (the API's 'match').")
    ] = None,
    duration: Annotated[str | None, typer.Option(help="How long: 30m, 1h, 1h30m, 2d.")] = None,
    starts: Annotated[
        datetime | None, typer.Option(help="When it starts (ISO 8601); now if left out.")
    ] = None,
    ends: Annotated[
        datetime | None, typer.Option(help="When it ends (ISO 8601), instead of --duration.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make a silence: events it matches are recorded as silenced and not sent."""
    if (project is None) != all_projects:
        raise typer.BadParameter("give --project ID or --all-projects (one of them)", param_hint="--project")
    if (duration is None) == (ends is None):
        raise typer.BadParameter("give --duration or --ends (one of them)", param_hint="--duration")
    try:
        found: dict[str, Any] = json.loads(conditions) if conditions else {}
    except json.JSONDecodeError as error:
        raise typer.BadParameter(f"not JSON: {error}", param_hint="--conditions") from error
    for name, values in (("alert_labels", match), ("kinds", kind), ("refs", ref)):
        if values:
            found[name] = [*found.get(name, ()), *values]
    given: dict[str, Any] = {"match": found, "comment": comment, "starts_at": starts, "ends_at": ends}
    if duration is not None:
        given["duration_minutes"] = _minutes(duration)
    author = f"{getpass.getuser()} (cli)"

    async def work(_rt: Instance, session: AsyncSession) -> SilenceView:
        data = silences.SilenceInput.model_validate(given)
        return await silences.create(session, project, data, author=author, now=utcnow())

    emit_one(run(work).model_dump(mode="json"), as_json)


@silences_app.command("list")
def silences_list(
    project: ProjectOption = None,
    all_projects: Annotated[bool, typer.Option(help="The instance-wide silences.")] = False,
    as_json: JsonOption = False,
) -> None:
    """A project's silences (or the instance-wide ones): in force first, then to come, then expired."""
    if (project is None) != all_projects:
        raise typer.BadParameter("give --project ID or --all-projects (one of them)", param_hint="--project")

    async def work(_rt: Instance, session: AsyncSession) -> list[SilenceView]:
        return await silences.list_for(session, project, utcnow())

    title = f"silences of project {project}" if project is not None else "instance-wide silences"
    emit(run(work), COLUMNS, as_json, title)


@silences_app.command("expire")
def silences_expire(silence_id: int, as_json: JsonOption = False) -> None:
    """End a silence now."""

    async def work(_rt: Instance, session: AsyncSession) -> SilenceView:
        return await silences.expire(session, await silences.get(session, silence_id), utcnow())

    emit_one(run(work).model_dump(mode="json"), as_json)


@silences_app.command("delete")
def silences_delete(silence_id: int) -> None:
    """Delete a silence (what it muted stays in the history)."""

    async def work(_rt: Instance, session: AsyncSession) -> None:
        await silences.remove(session, await silences.get(session, silence_id))

    run(work)
    typer.echo(f"silence {silence_id} deleted", err=True)
