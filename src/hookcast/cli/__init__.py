"""The ``hookcast`` command.

Kept light: ``hookcast --help`` imports Typer and nothing else of weight. Every command imports
what it needs when it runs, and the administration sub-commands are listed in ``LAZY`` with the
module that holds them (see ``cli.lazy``).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from hookcast import __version__
from hookcast.cli.lazy import Lazy, LazyGroup
from hookcast.cli.secret_input import secret_option


class HookcastGroup(LazyGroup):
    lazy = (
        Lazy("users", "hookcast.cli.admin:users_app", "People who sign in to the web UI."),
        Lazy("projects", "hookcast.cli.admin:projects_app", "Projects: inbound tokens and their webhooks."),
        Lazy("webhooks", "hookcast.cli.admin:webhooks_app", "Chat webhooks of a project."),
        Lazy("deliveries", "hookcast.cli.admin:deliveries_app", "Delivery history and resending."),
        Lazy("tokens", "hookcast.cli.admin:tokens_app", "API tokens for the management API."),
        Lazy("silences", "hookcast.cli.silences:silences_app", "Silences: mute matching events for a while."),
        Lazy(
            "people",
            "hookcast.cli.directory:people_app",
            "The user directory (for mentions and direct messages).",
        ),
        Lazy("im-apps", "hookcast.cli.directory:im_apps_app", "IM apps that send direct messages."),
        Lazy("keys", "hookcast.cli.keys:keys_app", "The key sealing secrets at rest (rotate, retire)."),
        Lazy(
            "samples",
            "hookcast.cli.samples:samples_app",
            "Sample event bodies that ship with hookcast (list; show NAME; write DIR).",
        ),
        Lazy(
            "export",
            "hookcast.cli.config_document:export",
            "Write a project's settings, webhooks and silences as one YAML / JSON document (for Git).",
        ),
        Lazy(
            "import",
            "hookcast.cli.config_document:import_",
            "Make a project what a document says (prints the diff first; --dry-run).",
        ),
        Lazy(
            "replay",
            "hookcast.cli.replay:replay",
            "Queue again the deliveries of every event a project received in a time range.",
        ),
    )


app = typer.Typer(
    name="hookcast",
    cls=HookcastGroup,
    help="Development events to team chats, delivered reliably.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

# Also read from the environment, so that one container image runs ``serve`` and ``api`` on the
# address its settings give (the image sets HOOKCAST_HOST=0.0.0.0), like every HOOKCAST_* setting.
HostOption = Annotated[
    str,
    typer.Option("--host", envvar="HOOKCAST_HOST", help="Address to listen on (0.0.0.0: every interface)."),
]
PortOption = Annotated[int, typer.Option("--port", envvar="HOOKCAST_PORT", help="Port to listen on.")]


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"hookcast {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print the version and exit.", callback=_show_version, is_eager=True),
    ] = False,
) -> None:
    """Development events to team chats, delivered reliably."""


@app.command()
def serve(host: HostOption = "127.0.0.1", port: PortOption = 8080) -> None:
    """Run everything in one process: API, web UI and the delivery worker."""
    from hookcast.cli.serving import serve_http
    from hookcast.runtime import ProcessRole

    serve_http(ProcessRole.SERVE, host, port)


@app.command()
def api(host: HostOption = "127.0.0.1", port: PortOption = 8080) -> None:
    """Run the HTTP API only (inbound hooks, management API, UI); workers deliver."""
    from hookcast.cli.serving import serve_http
    from hookcast.runtime import ProcessRole

    serve_http(ProcessRole.API, host, port)


@app.command()
def worker() -> None:
    """Run a delivery worker only (several may share one PostgreSQL database)."""
    from hookcast.cli.serving import run_worker

    run_worker()


@app.command()
def migrate() -> None:
    """Apply database migrations (also done at every start)."""
    import asyncio

    from hookcast.settings import get_settings
    from hookcast.store import migrate as store_migrate
    from hookcast.store.db import create_engine

    settings = get_settings()
    settings.prepare_data_dir()

    async def upgrade() -> None:
        engine = create_engine(settings.database_url)
        try:
            await store_migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(upgrade())
    typer.echo("migrations applied", err=True)


@app.command()
def info() -> None:
    """Where this instance keeps its data, as the server and the CLI see it from here."""
    from hookcast.cli.instance import describe

    typer.echo(describe())


class PreviewSource(StrEnum):
    """The sources ``hookcast preview`` can read a body for (CloudEvents need their headers)."""

    GITLAB = "gitlab"
    GITHUB = "github"
    ALERTMANAGER = "alertmanager"
    WORKFLOW = "workflow"


def _named_values(pairs: list[str]) -> dict[str, str]:
    """The ``--setting`` pairs; a secret one's value from stdin (``NAME=-``), never typed."""
    from hookcast.cli.secret_input import secret_pair
    from hookcast.services.webhook_settings import secret_names

    if any(not pair.partition("=")[0] or "=" not in pair for pair in pairs):
        raise typer.BadParameter("settings are NAME=VALUE", param_hint="--setting")
    named = dict(pair.partition("=")[::2] for pair in pairs)
    secret = secret_names()
    return {k: secret_pair(k, v, "--setting") if k in secret and v else v for k, v in named.items()}


@app.command()
def preview(
    platform: Annotated[
        # Not listed here: the list lives in the registry, which this fast module does not load;
        # an unknown name is answered with every name there is.
        str, typer.Option(help="The platform's name: feishu, slack, telegram, … (a wrong one lists them all)")
    ],
    payload: Annotated[
        Path | None, typer.Argument(help="The event body (JSON file, or - for stdin); or use --sample.")
    ] = None,
    sample: Annotated[
        str | None,
        typer.Option("--sample", help="A sample that ships with hookcast: see 'hookcast samples'."),
    ] = None,
    language: Annotated[str, typer.Option(help="en or zh_CN")] = "en",
    gitlab_event: Annotated[
        str | None,
        typer.Option(
            "--event",
            "--gitlab-event",
            help="The event header: X-Gitlab-Event, e.g. 'Push Hook' (default: from the body), or "
            "with --source github X-GitHub-Event, e.g. pull_request (required).",
        ),
    ] = None,
    source: Annotated[
        PreviewSource | None, typer.Option(help="Where the body comes from (default gitlab).")
    ] = None,
    url: Annotated[
        str,
        typer.Option(
            help="Webhook URL to encode for (default: an example); '-' reads it from stdin.",
            callback=secret_option,
        ),
    ] = "",
    secret: Annotated[
        str | None,
        typer.Option(
            help="Signing secret, to see the signed body; '-' reads it from stdin (the line before "
            "a body given as -).",
            callback=secret_option,
        ),
    ] = None,
    keyword: Annotated[str | None, typer.Option(help="Keyword the platform requires.")] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            help="Any other setting the platform declares, as NAME=VALUE (a secret one as NAME=-, "
            "read from stdin); repeat for several."
        ),
    ] = None,
) -> None:
    """Print the exact JSON body hookcast would post for an event (no network)."""
    from hookcast.cli.samples import fail, preview_hint, preview_input
    from hookcast.preview import IgnoredEvent, PreviewError, preview_body

    chosen = preview_input(payload, sample, source.value if source else None, gitlab_event)
    try:
        out = preview_body(
            chosen.body,
            platform=platform,
            language=language,
            source=chosen.source,
            gitlab_event=chosen.gitlab_event,
            url=url or None,
            settings={"secret": secret or "", "keyword": keyword or "", **_named_values(setting or [])},
        )
    except PreviewError as exc:
        raise fail(f"{exc}{preview_hint(chosen, isinstance(exc, IgnoredEvent))}") from exc
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    app()
