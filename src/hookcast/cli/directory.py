"""``hookcast people …`` and ``hookcast im-apps …``: the user directory and the IM apps."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from hookcast.cli.instance import Instance, MissingInstance, opened
from hookcast.cli.secret_input import secret_pair
from hookcast.delivery.egress import checking_session
from hookcast.directmessages import MESSENGERS, credential_specs
from hookcast.platforms.base import PlatformName
from hookcast.services import im_apps, people, people_csv
from hookcast.services.errors import ServiceError
from hookcast.services.im_apps import ImAppInput
from hookcast.services.people import PersonInput

T = TypeVar("T")

# Their one-line help is in hookcast.cli (the root lists them without importing this module).
people_app = typer.Typer(name="people")
im_apps_app = typer.Typer(name="im-apps")
console = Console()


def _run(work: Callable[[Instance], Awaitable[T]]) -> T:
    async def main() -> T:
        async with opened() as ctx:
            return await work(ctx)

    try:
        return asyncio.run(main())
    except MissingInstance as exc:
        typer.echo(f"hookcast: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ServiceError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            typer.echo(f"error: {what} must be NAME=VALUE, not {item!r}", err=True)
            raise typer.Exit(2)
        pairs[name.strip()] = value.strip()
    return pairs


# --- people -------------------------------------------------------------------------------


@people_app.command("list")
def people_list(
    search: Annotated[
        str | None, typer.Option(help="Part of a name, email, GitLab username or GitHub login.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the people in the directory."""

    async def work(ctx: Instance) -> list[people.PersonView]:
        async with ctx.sessions() as session:
            return [people.view(row) for row in await people.list_all(session, search)]

    rows = _run(work)
    if as_json:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], ensure_ascii=False, indent=2))
        return
    table = Table("id", "name", "email", "mobile", "GitLab", "GitHub", "platform ids")
    for row in rows:
        ids = ", ".join(f"{k}={v}" for k, v in sorted(row.platform_ids.items()))
        handles = (row.email, row.mobile, row.gitlab_username, row.github_login)
        table.add_row(str(row.id), row.name, *(handle or "" for handle in handles), ids)
    console.print(table)


@people_app.command("add")
def people_add(
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    email: Annotated[str | None, typer.Option(help="Email (how most IM apps find people).")] = None,
    mobile: Annotated[str | None, typer.Option(help="Mobile number (DingTalk finds people by it).")] = None,
    gitlab_username: Annotated[str | None, typer.Option("--gitlab-username")] = None,
    github_login: Annotated[
        str | None, typer.Option("--github-login", help="GitHub login (how GitHub events name people).")
    ] = None,
    platform_id: Annotated[
        list[str] | None, typer.Option("--id", help="A known platform id: PLATFORM=ID (repeatable).")
    ] = None,
) -> None:
    """Add a person."""
    try:
        data = PersonInput(
            name=name,
            email=email,
            mobile=mobile,
            gitlab_username=gitlab_username,
            github_login=github_login,
            platform_ids=_pairs(platform_id or [], "--id"),
        )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc

    async def work(ctx: Instance) -> people.PersonView:
        async with ctx.sessions.begin() as session:
            return people.view(await people.create(session, data))

    created = _run(work)
    typer.echo(f"added person {created.id}: {created.name or created.email or created.mobile}")


@people_app.command("import")
def people_import(
    file: Annotated[
        Path, typer.Argument(help="CSV: name,email,mobile,gitlab_username,github_login[,<platform>_id…]")
    ],
) -> None:
    """Create or update people from a CSV file; rows with problems are listed and skipped."""
    text = file.read_text(encoding="utf-8-sig")

    async def work(ctx: Instance) -> people_csv.ImportReport:
        async with ctx.sessions.begin() as session:
            return await people_csv.import_csv(session, text)

    report = _run(work)
    typer.echo(f"{report.created} created, {report.updated} updated, {len(report.errors)} row(s) skipped")
    for error in report.errors:
        typer.echo(f"  line {error.line}: {error.message}", err=True)
    if report.errors:
        raise typer.Exit(1)


@people_app.command("export")
def people_export(
    file: Annotated[Path | None, typer.Argument(help="Where to write (default: standard output).")] = None,
) -> None:
    """Write the directory as CSV, in the columns `people import` reads."""

    async def work(ctx: Instance) -> str:
        async with ctx.sessions() as session:
            return people_csv.csv_text(await people.list_all(session))

    text = _run(work)
    if file is None:
        typer.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")


# --- IM apps ------------------------------------------------------------------------------


def _platform(value: str) -> PlatformName:
    try:
        name = PlatformName(value.lower())
    except ValueError:
        name = None
    if name not in MESSENGERS or name is None:
        choices = ", ".join(p.value for p in MESSENGERS)
        typer.echo(f"error: {value!r} has no IM app; choose one of {choices}", err=True)
        raise typer.Exit(2)
    return name


@im_apps_app.command("set")
def im_apps_set(
    platform: Annotated[str, typer.Argument(help="slack, feishu, lark, dingtalk or wecom")],
    credential: Annotated[
        list[str] | None,
        typer.Option(
            "--credential",
            "-c",
            help="NAME=VALUE (repeatable); what is left out is asked for. Secret ones only as NAME=- "
            "(read from stdin) or asked for (hidden): never typed on the command line.",
        ),
    ] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="API base URL override.")] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Save the app switched off.")] = False,
    validate: Annotated[bool, typer.Option(help="Fetch a token (and check scopes) before saving.")] = True,
) -> None:
    """Set an IM app's credentials (checked against the platform before saving)."""
    name = _platform(platform)
    given = _pairs(credential or [], "--credential")
    specs = credential_specs(name)
    for spec in specs:  # a secret from stdin ('-') or the prompt, never the command line
        if spec.secret and given.get(spec.name):
            given[spec.name] = secret_pair(spec.name, given[spec.name], "-c")
    for spec in specs:
        if spec.name not in given:
            given[spec.name] = typer.prompt(f"{spec.label} ({spec.help})", hide_input=spec.secret)
    data = ImAppInput(credentials=given, api_base_url=base_url, enabled=not disabled)

    async def work(ctx: Instance) -> im_apps.ImAppView:
        async with (
            ctx.sessions.begin() as session,
            checking_session(ctx.settings.extra_allowed_hosts) as http,
        ):
            row = await im_apps.save(
                session,
                name,
                data,
                box=ctx.box,
                http=http,
                validate=validate,
                extra_hosts=ctx.settings.extra_allowed_hosts,
            )
            return im_apps.view(name, row)

    saved = _run(work)
    state = "validated and saved" if saved.validated_at else "saved (not validated)"
    typer.echo(f"{name.value} app {state}")


@im_apps_app.command("show")
def im_apps_show(
    platform: Annotated[str | None, typer.Argument(help="One platform (default: all).")] = None,
) -> None:
    """Show the IM apps (secrets are never shown, only whether they are set)."""
    names = [_platform(platform)] if platform else list(MESSENGERS)

    async def work(ctx: Instance) -> list[im_apps.ImAppView]:
        async with ctx.sessions() as session:
            return [im_apps.view(name, await im_apps.find(session, name)) for name in names]

    views = _run(work)
    typer.echo(
        json.dumps(
            [v.model_dump(mode="json", exclude={"credential_fields"}) for v in views],
            ensure_ascii=False,
            indent=2,
        )
    )


@im_apps_app.command("delete")
def im_apps_delete(platform: Annotated[str, typer.Argument()]) -> None:
    """Remove an IM app (direct messages on that platform stop; group messages go on)."""
    name = _platform(platform)

    async def work(ctx: Instance) -> None:
        async with ctx.sessions.begin() as session:
            await im_apps.remove(session, name)

    _run(work)
    typer.echo(f"{name.value} app removed")
