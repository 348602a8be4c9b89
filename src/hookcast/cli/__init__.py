"""The ``hookcast`` command."""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from hookcast.cli import directory
from hookcast.logs import configure as configure_logs
from hookcast.runtime import Role, running, stop_on_signals, until_stopped
from hookcast.settings import get_settings

app = typer.Typer(
    name="hookcast",
    help="Development events to team chats, delivered reliably.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
for sub_app in directory.TYPERS:
    app.add_typer(sub_app)

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", help="Port to listen on.")]


def _serve_http(role: Role, host: str, port: int) -> None:
    from hookcast.app import create_app

    settings = get_settings()
    configure_logs(settings.log_level, settings.log_json)
    config = uvicorn.Config(
        create_app(settings, role),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        lifespan="on",
        # Bounded: open requests get this long on SIGTERM, then the worker gets its grace.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_grace_seconds)),
    )
    print(f"hookcast {role.value}: listening on http://{host}:{port}", file=sys.stderr, flush=True)
    settle_garbage_collector()
    uvicorn.Server(config).run()


def settle_garbage_collector() -> None:
    """Keep what was loaded at start (modules, ORM mappings, models) out of every later full
    collection: they live as long as the process, and scanning them stalled busy moments."""
    gc.collect()
    gc.freeze()


@app.command()
def serve(host: HostOption = "127.0.0.1", port: PortOption = 8080) -> None:
    """Run everything in one process: API, web UI and the delivery worker."""
    _serve_http(Role.SERVE, host, port)


@app.command()
def api(host: HostOption = "127.0.0.1", port: PortOption = 8080) -> None:
    """Run the HTTP API only (inbound hooks, management API, UI); workers deliver."""
    _serve_http(Role.API, host, port)


@app.command()
def worker() -> None:
    """Run a delivery worker only (several may share one PostgreSQL database)."""
    settings = get_settings()
    configure_logs(settings.log_level, settings.log_json)

    settle_garbage_collector()

    async def main() -> None:
        stop = stop_on_signals()
        async with running(settings, Role.WORKER) as runtime:
            print("hookcast worker: delivering", file=sys.stderr, flush=True)
            await until_stopped(stop, runtime.tasks)  # then stops gracefully, leaving ``running``

    try:
        import uvloop

        uvloop.run(main())
    except KeyboardInterrupt:
        pass


@app.command()
def migrate() -> None:
    """Apply database migrations (also done at every start)."""
    from hookcast.store import migrate as store_migrate
    from hookcast.store.db import create_engine

    async def main() -> None:
        engine = create_engine(get_settings().database_url)
        try:
            await store_migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())
    typer.echo("migrations applied", err=True)


class Source(StrEnum):
    GITLAB = "gitlab"
    ALERTMANAGER = "alertmanager"
    WORKFLOW = "workflow"


@app.command()
def preview(
    platform: Annotated[str, typer.Option(help="feishu, lark, dingtalk, wecom, slack, discord, teams")],
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
            "--gitlab-event", help="The X-Gitlab-Event header, e.g. 'Push Hook' (default: from the body)."
        ),
    ] = None,
    source: Annotated[Source | None, typer.Option(help="Where the body comes from (default gitlab).")] = None,
    url: Annotated[str, typer.Option(help="Webhook URL to encode for.")] = "",
    secret: Annotated[str | None, typer.Option(help="Signing secret, to see the signed body.")] = None,
    keyword: Annotated[str | None, typer.Option(help="Keyword the platform requires.")] = None,
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
            secret=secret,
            keyword=keyword,
        )
    except PreviewError as exc:
        raise fail(f"{exc}{preview_hint(chosen, isinstance(exc, IgnoredEvent))}") from exc
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


from hookcast.cli import admin, replay  # noqa: E402  (the administration sub-commands)

app.add_typer(admin.users_app, name="users")
app.add_typer(admin.projects_app, name="projects")
app.add_typer(admin.webhooks_app, name="webhooks")
app.add_typer(admin.deliveries_app, name="deliveries")
app.add_typer(admin.tokens_app, name="tokens")
app.command(name="replay")(replay.replay)
admin.deliveries_app.command(name="replay")(replay.replay)  # also as 'hookcast deliveries replay'

from hookcast.cli.samples import samples_app  # noqa: E402  (list / show / write the sample bodies)

app.add_typer(samples_app)


if __name__ == "__main__":
    app()
