"""``hookcast replay``: queue the deliveries of a range of events again, with a progress bar."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hookcast.cli.instance import MissingInstance, opened

CHUNK = 200
console = Console(stderr=True)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def replay(
    project: Annotated[int, typer.Option(help="Project id.")],
    since: Annotated[
        datetime, typer.Option(help="Events received at or after (UTC unless a zone is given).")
    ],
    until: Annotated[datetime | None, typer.Option(help="... and before.")] = None,
    webhook: Annotated[int | None, typer.Option(help="Only this webhook's deliveries.")] = None,
) -> None:
    """Queue again the deliveries of every event a project received in a time range."""
    from hookcast.services import deliveries
    from hookcast.services.errors import ServiceError

    async def main() -> int:
        async with opened() as instance:
            sessions = instance.sessions
            async with sessions() as session:
                ids = await deliveries.event_ids_in_range(
                    session, project, since=_aware(since), until=_aware(until) if until else None
                )
            queued = 0
            columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("events", total=len(ids))
                for start in range(0, len(ids), CHUNK):
                    chunk = ids[start : start + CHUNK]
                    async with sessions.begin() as session:
                        queued += await deliveries.requeue_events(session, project, chunk, webhook_id=webhook)
                    progress.advance(task, len(chunk))
            return queued

    try:
        queued = asyncio.run(main())
    except MissingInstance as exc:
        typer.echo(f"hookcast: {exc}", err=True)
        raise typer.Exit(1) from exc
    except ServiceError as exc:
        console.print(f"error: {exc.message}")
        raise typer.Exit(2) from exc
    console.print(f"{queued} deliveries queued again; running workers pick them up within a second")
