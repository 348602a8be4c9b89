"""What a section of a project document is, and what every section is handed.

A project document (`document.py`) is the project's own settings followed by sections, each a
key of the document with its own model, kept in `document.SECTIONS`. A section knows how to
write its part of the document (`Section.export`), how to describe what it holds for a diff
(`Section.snapshot`) and how to make the instance match its part (`Section.apply`). The plan an
import shows is not computed by each section: the import applies every section in a savepoint,
compares the snapshots taken before and after, and rolls back when it is a dry run, so the diff
says exactly what applying does (the services' own normalising and checks included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.crypto import SecretBox
from hookcast.services.errors import Conflict, Invalid, InvalidDocument, NotFound, ServiceError
from hookcast.store.tables import Project


@dataclass(frozen=True, slots=True)
class Context:
    """What applying and exporting need of the instance (the API and the CLI build it)."""

    session: AsyncSession
    box: SecretBox
    extra_hosts: Sequence[str]
    public_url: str | None
    now: datetime  # one instant for the whole export or import (which silences are expired)


@dataclass(frozen=True, slots=True)
class Shown:
    """One field of one item, as a diff shows it (``text``) and compares it (``key``: a digest
    for a secret, whose text is only its redacted form or "set")."""

    text: str
    key: str = ""

    @property
    def compared(self) -> str:
        return self.key or self.text


# item name -> field -> what it holds
Snapshot = dict[str, dict[str, Shown]]


@dataclass(frozen=True, slots=True)
class Untouched:
    """An item an import leaves as it is, which the diff still names: one of the instance that
    the document does not name and that is not pruned (kept), or one of the document that is
    not applied (``skipped`` says why: an expired silence)."""

    name: str
    skipped: str | None = None


class Section(Protocol):
    """One section of the document, e.g. ``webhooks``. A new one is a class with these members
    and one entry in `document.SECTIONS`."""

    @property
    def key(self) -> str:
        """Its key in the document."""

    @property
    def noun(self) -> str:
        """What one of its items is called in a diff ("webhook")."""

    @property
    def annotation(self) -> Any:
        """The type of its value in the document (a pydantic-able type; None: left out, the
        instance's items are left as they are)."""

    @property
    def description(self) -> str: ...

    async def export(self, ctx: Context, project: Project, *, sealed: bool) -> Any:
        """Its value in an exported document (JSON-able)."""

    async def snapshot(self, ctx: Context, project: Project) -> Snapshot: ...

    async def apply(self, ctx: Context, project: Project, value: Any, *, prune: bool) -> list[Untouched]:
        """Make the project's items match ``value``; answers the items it left as they are (kept
        or skipped). Raises `ServiceError` s whose ``field`` is the path in the document (`at`,
        `refused`)."""


def at(path: str, error: ServiceError, *, settings: frozenset[str] = frozenset()) -> ServiceError:
    """``error`` as it reads in a document: its field prefixed with ``path`` (a setting's name
    as ``settings.<name>``)."""
    field = error.field
    if field is not None and field in settings:
        field = f"settings.{field}"
    where = f"{path}.{field}" if field else path
    kind = type(error)
    if not issubclass(kind, Invalid | NotFound | Conflict):
        return error
    if error.params:
        return kind(error.msgid, field=where, **error.params)
    return kind(error.message, field=where)


def refused(path: str, error: ValidationError) -> InvalidDocument:
    """What an API model refused of what the item at ``path`` gave, each problem by its path."""
    return InvalidDocument([(f"{path}.{path_of(e['loc'])}".rstrip("."), e["msg"]) for e in error.errors()])


def path_of(location: Sequence[int | str]) -> str:
    """``("webhooks", 2, "triggers", 0)`` -> ``webhooks[2].triggers[0]``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
