"""Administration commands (``hookcast users|projects|webhooks|deliveries|tokens …``).

They work on the database directly, through the same services as the API and the web UI, with
the same settings as the server (``HOOKCAST_*``, ``.env``). Tables for people, ``--json`` for
scripts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from hookcast.cli import replay
from hookcast.cli.instance import Instance, MissingInstance, opened
from hookcast.cli.model_options import given_values, model_options
from hookcast.cli.secret_input import asked_secret
from hookcast.events import EventKind
from hookcast.services import (
    api_tokens,
    deliveries,
    project_tokens,
    projects,
    users,
    webhook_settings,
    webhooks,
)
from hookcast.services.errors import Conflict, NotFound, ServiceError
from hookcast.services.passwords import PasswordHashing
from hookcast.services.projects import ProjectInput, ProjectPatch
from hookcast.services.webhooks import WebhookInput, WebhookPatch
from hookcast.store.outbox import State

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from hookcast.crypto import SecretBox
    from hookcast.delivery.courier import Courier

T = TypeVar("T")
console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]

# Their one-line help is in hookcast.cli (the root lists them without importing this module).
users_app = typer.Typer(no_args_is_help=True)
projects_app = typer.Typer(no_args_is_help=True)
webhooks_app = typer.Typer(no_args_is_help=True)
deliveries_app = typer.Typer(no_args_is_help=True)
tokens_app = typer.Typer(no_args_is_help=True)
deliveries_app.command(name="replay")(replay.replay)  # also as 'hookcast replay'


# --- plumbing ------------------------------------------------------------------------------


def run(work: Callable[[Instance, AsyncSession], Awaitable[T]]) -> T:
    """Run ``work`` in one transaction on the server's database; a missing instance or a service
    error becomes one line and exit status 1 (not found, no instance) or 2 (bad input)."""

    async def main() -> T:
        async with opened() as instance, instance.sessions.begin() as session:
            return await work(instance, session)

    try:
        return asyncio.run(main())
    except MissingInstance as exc:
        typer.echo(f"hookcast: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            typer.echo(f"error: {where}: {error['msg']}", err=True)
        raise typer.Exit(2) from exc
    except ServiceError as exc:
        where = f"{exc.field}: " if exc.field else ""
        typer.echo(f"error: {where}{exc.message}", err=True)
        raise typer.Exit(1 if isinstance(exc, NotFound) else 2) from exc


def emit(rows: Sequence[BaseModel], columns: Sequence[str], as_json: bool, title: str | None = None) -> None:
    if as_json:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], ensure_ascii=False, indent=2))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        data = row.model_dump(mode="json")
        table.add_row(*(_cell(data.get(column)) for column in columns))
    console.print(table)


def emit_one(value: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for key, item in value.items():
        table.add_row(key.replace("_", " "), _cell(item))
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


# --- users ---------------------------------------------------------------------------------


PasswordOption = Annotated[
    str,
    typer.Option(
        help="Asked for (hidden) when left out; '-' reads it from stdin.",
        callback=asked_secret("Password", confirm=True),
    ),
]


@users_app.command("create")
def users_create(username: str, password: PasswordOption = "", as_json: JsonOption = False) -> None:
    """Create a user who can sign in to the web UI."""

    async def work(rt: Instance, session: AsyncSession) -> users.UserView:
        hashing = PasswordHashing(memory_kib=rt.settings.password_hash_memory_kib)
        return users.view(await users.create(session, username, password, hashing))

    emit_one(run(work).model_dump(mode="json"), as_json)


@users_app.command("list")
def users_list(as_json: JsonOption = False) -> None:
    """List the users."""

    async def work(_rt: Instance, session: AsyncSession) -> list[users.UserView]:
        return [users.view(u) for u in await users.list_all(session)]

    emit(run(work), ("id", "username", "created_at", "last_sign_in_at"), as_json, "users")


@users_app.command("set-password")
def users_set_password(username: str, password: PasswordOption = "") -> None:
    """Set a user's password (signs them out everywhere)."""

    async def work(rt: Instance, session: AsyncSession) -> None:
        hashing = PasswordHashing(memory_kib=rt.settings.password_hash_memory_kib)
        await users.set_password(session, username, password, hashing)

    run(work)
    typer.echo(f"password of {username!r} changed", err=True)


@users_app.command("delete")
def users_delete(username: str) -> None:
    """Delete a user."""

    async def work(_rt: Instance, session: AsyncSession) -> None:
        await users.remove(session, username)

    run(work)
    typer.echo(f"user {username!r} deleted", err=True)


# --- projects ------------------------------------------------------------------------------

PROJECT_COLUMNS = ("id", "name", "gitlab_path", "routes_other_projects", "protected_branches", "created_at")


def _patterns(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


@projects_app.command("list")
def projects_list(as_json: JsonOption = False) -> None:
    """List the projects."""

    async def work(_rt: Instance, session: AsyncSession) -> list[projects.ProjectView]:
        return [projects.view(p) for p in await projects.list_all(session)]

    emit(run(work), PROJECT_COLUMNS, as_json, "projects")


@projects_app.command("create")
@model_options(ProjectInput, skip={"name", "protected_branches"})
def projects_create(
    name: str,
    protected_branches: Annotated[str | None, typer.Option(help="Comma list, e.g. 'main,release/*'.")] = None,
    as_json: JsonOption = False,
    **given: Any,
) -> None:
    """Create a project; prints its GitLab token once."""
    fields = given_values(given, given.keys())

    async def work(_rt: Instance, session: AsyncSession) -> dict[str, Any]:
        data = ProjectInput(name=name, protected_branches=_patterns(protected_branches), **fields)
        created = await projects.create(session, data)
        return {**projects.view(created.project).model_dump(mode="json"), "gitlab_token": created.token}

    emit_one(run(work), as_json)


@projects_app.command("update")
@model_options(ProjectPatch, patch=True, skip={"protected_branches"}, described_by=ProjectInput)
def projects_update(
    project_id: int,
    protected_branches: Annotated[str | None, typer.Option(help="Comma list, e.g. 'main,release/*'.")] = None,
    as_json: JsonOption = False,
    **given: Any,
) -> None:
    """Change some settings of a project (the others stay)."""
    changes = given_values(given, given.keys())
    if protected_branches is not None:
        changes["protected_branches"] = _patterns(protected_branches)

    async def work(_rt: Instance, session: AsyncSession) -> dict[str, Any]:
        project = await projects.update(session, project_id, ProjectPatch(**changes))
        return projects.view(project).model_dump(mode="json")

    emit_one(run(work), as_json)


@projects_app.command("rename")
def projects_rename(project_id: int, name: str, as_json: JsonOption = False) -> None:
    """Rename a project."""

    async def work(_rt: Instance, session: AsyncSession) -> dict[str, Any]:
        project = await projects.update(session, project_id, ProjectPatch(name=name))
        return projects.view(project).model_dump(mode="json")

    emit_one(run(work), as_json)


@projects_app.command("delete")
def projects_delete(
    project_id: int, yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False
) -> None:
    """Delete a project with its webhooks and history."""
    if not yes:
        typer.confirm(f"Delete project {project_id}, its webhooks and its history?", abort=True)

    async def work(_rt: Instance, session: AsyncSession) -> None:
        await projects.remove(session, project_id)

    run(work)
    typer.echo(f"project {project_id} deleted", err=True)


@projects_app.command("rotate-token")
def projects_rotate_token(project_id: int, as_json: JsonOption = False) -> None:
    """Give a project a new GitLab token (printed once); the old one stops working."""

    async def work(_rt: Instance, session: AsyncSession) -> str:
        return await projects.rotate_token(session, project_id)

    token = run(work)
    emit_one({"id": project_id, "gitlab_token": token}, as_json)


@projects_app.command("signing-secret")
def projects_signing_secret(
    project_id: int,
    remove: Annotated[
        bool,
        typer.Option("--remove", help="Remove the secret: GitHub is refused, GitLab needs the token alone."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Give a project a new signing secret (printed once) for GitHub's webhook Secret and GitLab's
    Signing token; the old one stops working, and GitLab's requests must be signed from now on."""

    async def work(instance: Instance, session: AsyncSession) -> str | None:
        if remove:
            await project_tokens.remove_signing_secret(session, instance.box, project_id)
            return None
        return await project_tokens.rotate_signing_secret(session, instance.box, project_id)

    secret = run(work)
    if secret is None:
        typer.echo(f"project {project_id} has no signing secret now", err=True)
        return
    emit_one(
        {
            "id": project_id,
            "signing_secret": secret,
            "github_path": f"/hooks/github/{project_id}",
            "content_type": "application/json",
        },
        as_json,
    )


# --- webhooks ------------------------------------------------------------------------------

WEBHOOK_COLUMNS = (
    "id",
    "project_id",
    "platform",
    "name",
    "url",
    "active",
    "language",
    "paused_until",
    "waiting",
    "set_aside",
)
TriggerOption = Annotated[
    list[EventKind] | None, typer.Option("--trigger", help="An event kind; repeat for several.")
]


@webhooks_app.command("list")
def webhooks_list(project_id: int, as_json: JsonOption = False) -> None:
    """List a project's webhooks (URLs redacted, secrets never shown)."""

    async def work(_rt: Instance, session: AsyncSession) -> list[webhooks.WebhookView]:
        return await webhooks.views(session, await webhooks.list_for_project(session, project_id))

    emit(run(work), WEBHOOK_COLUMNS, as_json, f"webhooks of project {project_id}")


# Older, shorter spellings of the options derived from the webhook models (scripts use them).
WEBHOOK_SPELLINGS: dict[str, tuple[str, ...]] = {
    "triggers": ("--trigger",),
    "branches_to_be_notified": ("--branches",),
    "pipelines_to_be_notified": ("--pipelines",),
    "labels_to_be_notified": ("--labels",),
    "labels_to_be_notified_behavior": ("--labels-behavior",),
    "notify_only_broken_pipelines": (
        "--notify-only-broken-pipelines/--all-pipelines",
        "--only-broken-pipelines",
    ),
    "active": ("--active/--inactive",),
}


# The options holding a secret (the URL is the credential on most platforms): from stdin or a
# prompt, never typed on the command line (cli/secret_input.py).
WEBHOOK_SECRETS = frozenset({"url", *webhook_settings.secret_names()})


def _setting_options(*, patch: bool) -> dict[str, str]:
    """One string option per platform setting (``--secret``, ``--keyword``, …), from the platforms'
    declarations."""
    removes = " '' removes it." if patch else ""
    return {name: webhook_settings.help_line(name) + removes for name in webhook_settings.declared()}


TemplateOption = Annotated[
    list[str] | None,
    typer.Option(
        "--template",
        help="KIND=FILE: the message template of an event kind, a JSON file (docs/templates.md); repeatable.",
    ),
]
ClearTemplateOption = Annotated[
    list[str] | None,
    typer.Option("--clear-template", help="KIND: remove the message template of that kind; repeatable."),
]


def _templates(given: Sequence[str] | None, cleared: Sequence[str] | None = None) -> dict[str, Any]:
    """``--template KIND=FILE`` and ``--clear-template KIND`` as the models' ``templates``."""
    out: dict[str, Any] = {kind: None for kind in cleared or ()}
    for entry in given or ():
        kind, _, path = entry.partition("=")
        if not kind or not path:
            raise typer.BadParameter(f"{entry!r}: write KIND=FILE", param_hint="--template")
        try:
            with open(path, encoding="utf-8") as source:
                out[kind.strip()] = json.load(source)
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(f"{path}: {exc}", param_hint="--template") from None
    return out


@webhooks_app.command("create")
@model_options(
    WebhookInput,
    skip={"settings", "templates"},
    extra=_setting_options(patch=False),
    spellings=WEBHOOK_SPELLINGS,
    secret=WEBHOOK_SECRETS,
)
def webhooks_create(
    project_id: int, as_json: JsonOption = False, template: TemplateOption = None, **given: Any
) -> None:
    """Add a chat webhook to a project."""
    fields = given_values(given, given.keys())
    fields["templates"] = _templates(template)

    async def work(runtime: Instance, session: AsyncSession) -> dict[str, Any]:
        webhook = await webhooks.create(
            session,
            project_id,
            WebhookInput(**fields),
            box=runtime.box,
            extra_hosts=runtime.settings.extra_allowed_hosts,
            public_url=runtime.settings.public_url,
        )
        return webhooks.view(webhook).model_dump(mode="json")

    emit_one(run(work), as_json)


@webhooks_app.command("update")
@model_options(
    WebhookPatch,
    patch=True,
    skip={"settings", "templates"},
    extra=_setting_options(patch=True),
    spellings=WEBHOOK_SPELLINGS,
    described_by=WebhookInput,
    secret=WEBHOOK_SECRETS,
)
def webhooks_update(
    webhook_id: int,
    as_json: JsonOption = False,
    template: TemplateOption = None,
    without_template: ClearTemplateOption = None,  # not clear_*: model_options reads those as its own flags
    **given: Any,
) -> None:
    """Change some settings of a webhook (the others stay)."""
    changes = given_values(given, given.keys())
    if template or without_template:
        changes["templates"] = _templates(template, without_template)

    async def work(runtime: Instance, session: AsyncSession) -> dict[str, Any]:
        webhook = await webhooks.update(
            session,
            webhook_id,
            WebhookPatch(**changes),
            box=runtime.box,
            extra_hosts=runtime.settings.extra_allowed_hosts,
            public_url=runtime.settings.public_url,
        )
        [shown] = await webhooks.views(session, [webhook])
        return shown.model_dump(mode="json")

    emit_one(run(work), as_json)


@webhooks_app.command("delete")
def webhooks_delete(webhook_id: int) -> None:
    """Delete a webhook and its history."""

    async def work(_rt: Instance, session: AsyncSession) -> None:
        await webhooks.remove(session, webhook_id)

    run(work)
    typer.echo(f"webhook {webhook_id} deleted", err=True)


@webhooks_app.command("test")
def webhooks_test(webhook_id: int, as_json: JsonOption = False) -> None:
    """Send a test message now and show the platform's answer (exit 1 if not delivered)."""
    from hookcast.delivery.app_relay import AppRelay
    from hookcast.delivery.courier import Courier
    from hookcast.delivery.egress import instance_policy
    from hookcast.delivery.sender import Sender
    from hookcast.delivery.test_message import TestAnswer, send_test_message
    from hookcast.directmessages import MessengerPool
    from hookcast.feishubot.chat_sender import ChatSender

    async def work(instance: Instance, _session: AsyncSession) -> TestAnswer:
        settings = instance.settings
        async with Sender(
            settings.delivery_timeout,
            settings.max_concurrent_sends,
            policy=instance_policy(settings.extra_allowed_hosts),
        ) as sender:
            messengers = MessengerPool(instance.box, sender.session)
            courier = Courier(
                sender, ChatSender(instance.sessions, messengers), AppRelay(instance.sessions, messengers)
            )
            return await send_test_message(_Sending(instance.sessions, instance.box, courier), webhook_id)

    answer = run(work)
    emit_one(answer.model_dump(mode="json"), as_json)
    if not answer.ok:
        raise typer.Exit(1)


@dataclass(frozen=True, slots=True)
class _Sending:
    sessions: async_sessionmaker[AsyncSession]
    box: SecretBox
    courier: Courier


# --- deliveries ----------------------------------------------------------------------------

DELIVERY_COLUMNS = ("id", "webhook_id", "event_kind", "event_title", "state", "attempts", "updated_at")


@deliveries_app.command("list")
def deliveries_list(
    project_id: int,
    state: Annotated[State | None, typer.Option(help="Only this state.")] = None,
    webhook: Annotated[int | None, typer.Option(help="Only this webhook id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=deliveries.MAX_PAGE)] = 50,
    as_json: JsonOption = False,
) -> None:
    """A project's deliveries, newest first."""

    async def work(_rt: Instance, session: AsyncSession) -> list[deliveries.DeliveryView]:
        return await deliveries.list_for_project(
            session, project_id, state=state.value if state else None, webhook_id=webhook, limit=limit
        )

    emit(run(work), DELIVERY_COLUMNS, as_json, f"deliveries of project {project_id}")


@deliveries_app.command("show")
def deliveries_show(delivery_id: int, as_json: JsonOption = False) -> None:
    """One delivery with every attempt."""

    async def work(_rt: Instance, session: AsyncSession) -> deliveries.DeliveryView:
        return await deliveries.get(session, delivery_id)

    view = run(work)
    if as_json:
        typer.echo(view.model_dump_json(indent=2))
        return
    emit_one(view.model_dump(mode="json", exclude={"attempt_log"}), False)
    emit(
        view.attempt_log,
        ("id", "started_at", "status_code", "outcome", "duration_ms", "error", "response_excerpt"),
        False,
        "attempts",
    )


@deliveries_app.command("resend")
def deliveries_resend(delivery_ids: Annotated[list[int], typer.Argument(help="One or more ids.")]) -> None:
    """Queue deliveries to be sent again (the running worker picks them up)."""

    async def work(_rt: Instance, session: AsyncSession) -> int:
        queued = 0
        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("resending", total=len(delivery_ids))
            for delivery_id in delivery_ids:
                try:
                    await deliveries.resend(session, delivery_id)
                    queued += 1
                except Conflict as busy:  # a worker is sending it (nothing was changed): go on
                    progress.console.print(f"skipped: {busy.message}")
                progress.advance(task)
        return queued

    queued = run(work)
    typer.echo(f"queued {queued} of {len(delivery_ids)} deliveries", err=True)


# --- API tokens ----------------------------------------------------------------------------


@tokens_app.command("create")
def tokens_create(name: str, as_json: JsonOption = False) -> None:
    """Create an API token (printed once)."""

    async def work(_rt: Instance, session: AsyncSession) -> dict[str, Any]:
        created = await api_tokens.create(session, name)
        return {**api_tokens.view(created.row).model_dump(mode="json"), "token": created.token}

    emit_one(run(work), as_json)


@tokens_app.command("list")
def tokens_list(as_json: JsonOption = False) -> None:
    """List the API tokens (never their values)."""

    async def work(_rt: Instance, session: AsyncSession) -> list[api_tokens.ApiTokenView]:
        return [api_tokens.view(t) for t in await api_tokens.list_all(session)]

    emit(run(work), ("id", "name", "created_at", "last_used_at"), as_json, "API tokens")


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke an API token."""

    async def work(_rt: Instance, session: AsyncSession) -> None:
        await api_tokens.revoke(session, token_id)

    run(work)
    typer.echo(f"API token {token_id} revoked", err=True)
