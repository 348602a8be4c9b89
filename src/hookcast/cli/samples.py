"""``hookcast samples``: list, print and write the sample bodies that ship with hookcast; and the
part of ``hookcast preview`` that picks its body (a file, stdin or ``--sample NAME``).

Imports of hookcast's own modules stay inside the functions: the CLI loads this module for every
command, and listing commands must not pay for what only these need.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

samples_app = typer.Typer(
    name="samples",
    help="Sample event bodies that ship with hookcast (list; show NAME; write DIR).",
    invoke_without_command=True,
    no_args_is_help=False,
)

WRITTEN_INDEX = "index.json"


def fail(message: str) -> typer.Exit:
    """Say what is wrong on stderr; the caller raises the returned exit (status 2)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


@samples_app.callback()
def list_samples(ctx: typer.Context) -> None:
    """List the samples: name, source, the X-Gitlab-Event header to send, description."""
    if ctx.invoked_subcommand is not None:
        return
    from hookcast.samples import catalogue

    rows = [(s.name, s.source.value, s.header or "-", s.description) for s in catalogue()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for name, source, header, description in rows:
        typer.echo(f"{name:<{widths[0]}}  {source:<{widths[1]}}  {header:<{widths[2]}}  {description}")


@samples_app.command("show")
def show(name: Annotated[str, typer.Argument(help="A sample's name, e.g. push.")]) -> None:
    """Print one sample's body, byte for byte (pipe it to curl --data-binary @-)."""
    from hookcast.samples import UnknownSample, get_sample

    try:
        body = get_sample(name).body()
    except UnknownSample as exc:
        raise fail(str(exc.args[0])) from exc
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()


@samples_app.command("write")
def write(
    directory: Annotated[Path, typer.Argument(help="Folder to write into (created if missing).")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite files already there.")] = False,
) -> None:
    """Write every sample as NAME.json, plus index.json naming each file's source and header."""
    from hookcast.samples import catalogue

    samples = catalogue()
    targets = {directory / f"{sample.name}.json": sample.body() for sample in samples}
    index = [
        {
            "name": sample.name,
            "file": f"{sample.name}.json",
            "source": sample.source.value,
            "header": sample.header,
            "description": sample.description,
        }
        for sample in samples
    ]
    targets[directory / WRITTEN_INDEX] = (json.dumps(index, ensure_ascii=False, indent=1) + "\n").encode()
    existing = sorted(path.name for path in targets if path.exists())
    if existing and not force:
        shown = ", ".join(existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise fail(f"{directory} already has {shown}; pass --force to overwrite")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path, body in targets.items():
            path.write_bytes(body)
    except OSError as exc:
        raise fail(f"cannot write to {directory}: {exc.strerror or exc}") from exc
    typer.echo(f"wrote {len(samples)} samples and {WRITTEN_INDEX} to {directory}", err=True)


# --------------------------------------------------------------------------- preview's input


@dataclass(frozen=True, slots=True)
class PreviewInput:
    body: bytes
    source: str  # "gitlab", "alertmanager" or "workflow"
    gitlab_event: str | None


def preview_input(
    payload: Path | None, sample: str | None, source: str | None, gitlab_event: str | None
) -> PreviewInput:
    """The body ``hookcast preview`` renders: a sample by name, or a file (``-`` for stdin).

    A sample brings its own source and header (``--gitlab-event`` may still override the header,
    e.g. to see an issue as a confidential one). A GitLab file without ``--gitlab-event`` is read
    as the kind its ``object_kind`` / ``event_name`` name, as GitLab's own system hooks are.
    """
    if payload is not None and sample is not None:
        raise fail("give a payload file or --sample NAME, not both")
    if payload is None and sample is None:
        raise fail("give a payload file (or - for stdin) or --sample NAME (see 'hookcast samples')")
    if sample is not None:
        from hookcast.samples import UnknownSample, get_sample

        try:
            chosen = get_sample(sample)
        except UnknownSample as exc:
            raise fail(str(exc.args[0])) from exc
        if source is not None and source != chosen.source.value:
            raise fail(f"the sample {sample!r} is a {chosen.source.value} body, not {source}")
        return PreviewInput(chosen.body(), chosen.source.value, gitlab_event or chosen.header)
    assert payload is not None
    try:
        body = sys.stdin.buffer.read() if str(payload) == "-" else payload.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {payload}: {exc.strerror or exc}") from exc
    return PreviewInput(body, source or "gitlab", gitlab_event)


def preview_hint(chosen: PreviewInput, ignored: bool) -> str:
    """What to add to an error when a body's kind could not be told from the body alone."""
    if chosen.source == "github" and chosen.gitlab_event is None:
        return " (GitHub names the event only in its header: pass --event, e.g. pull_request)"
    if ignored and chosen.source == "gitlab" and chosen.gitlab_event is None:
        return (
            " (no --gitlab-event given, and the body's object_kind / event_name name no GitLab hook"
            " hookcast reads; pass --gitlab-event, e.g. 'Push Hook')"
        )
    return ""
