"""Export a project as a document, and import one: the diff first, then (unless a dry run) the
changes, in one transaction. The API and the CLI call these and nothing else."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select

from hookcast.services import projects
from hookcast.services.config_document.diff import Action, ItemChange, compared, text
from hookcast.services.config_document.document import (
    SECTIONS,
    VERSION,
    DocumentHead,
    section_value,
)
from hookcast.services.config_document.sections import Context, Shown, Snapshot
from hookcast.services.errors import Conflict, NotFound, ServiceError
from hookcast.services.projects import ProjectInput, ProjectPatch
from hookcast.store.tables import Project

PROJECT = "project"


class ImportResult(BaseModel):
    """What an import did (or, in a dry run, would do)."""

    project: str = Field(description="The project's name.")
    project_id: int | None = Field(description="Null when a dry run would create it.")
    created: bool = Field(description="Whether the project is (or would be) created.")
    changes: list[ItemChange] = Field(description="Added, changed, removed, kept and skipped items.")
    changed: bool = Field(description="Whether anything is (or would be) changed.")
    applied: bool = Field(description="False for a dry run, and when nothing changes.")
    gitlab_token: str | None = Field(
        default=None, description="The inbound token of a project the import created: shown only once."
    )
    diff: str = Field(description="The changes as text, as the CLI prints them.")


async def export_document(ctx: Context, project_id: int, *, sealed: bool) -> dict[str, Any]:
    """The project as a document (JSON-able, in the document's order)."""
    project = await projects.get(ctx.session, project_id)
    document: dict[str, Any] = {"version": VERSION, PROJECT: _project_settings(project)}
    for section in SECTIONS:
        document[section.key] = await section.export(ctx, project, sealed=sealed)
    return document


async def find_project(ctx: Context, reference: str) -> Project:
    """A project by id (digits) or name."""
    if reference.isdigit():
        return await projects.get(ctx.session, int(reference))
    project = await ctx.session.scalar(select(Project).where(Project.name == reference))
    if project is None:
        raise NotFound("project {name!r} not found", name=reference)
    return project


async def import_document(
    ctx: Context,
    document: DocumentHead,
    *,
    project_id: int | None = None,
    prune: bool = False,
    dry_run: bool = False,
    expected: list[ItemChange] | None = None,
) -> ImportResult:
    """Make the project (``project_id``, else the one named by the document, created when there is
    none) what ``document`` says. Everything is applied in a savepoint, the snapshots before and
    after give the diff, and the savepoint is rolled back for a dry run, when nothing changes, or
    when the diff is not ``expected`` (the one a person confirmed). Any error rolls it all back."""
    nested = await ctx.session.begin_nested()
    try:
        result = await _apply(ctx, document, project_id=project_id, prune=prune)
    except ServiceError:
        if nested.is_active:
            await nested.rollback()
        raise
    if expected is not None and result.changes != expected:
        await nested.rollback()
        raise Conflict(
            "the project changed since the diff was shown: nothing was applied, run the import again"
        )
    if dry_run or not result.changed:
        await nested.rollback()
        gone = {"project_id": None} if result.created else {}
        return result.model_copy(update={"gitlab_token": None, "applied": False, **gone})
    await nested.commit()
    return result.model_copy(update={"applied": True})


async def _apply(
    ctx: Context, document: DocumentHead, *, project_id: int | None, prune: bool
) -> ImportResult:
    settings = document.project
    token = None
    if project_id is not None:
        project: Project | None = await projects.get(ctx.session, project_id)
    else:
        project = await ctx.session.scalar(select(Project).where(Project.name == settings.name))
    changes: list[ItemChange] = []
    if project is None:
        created = await projects.create(ctx.session, settings)
        project, token = created.project, created.token
        before: Snapshot = {}
    else:
        before = {project.name: _project_shown(project)}
        wanted = settings.model_dump(mode="json", exclude={"name"} if project_id is not None else set())
        current = _project_settings(project)
        patch = {name: value for name, value in wanted.items() if value != current[name]}
        if patch:
            await projects.update(ctx.session, project.id, ProjectPatch(**patch))
    changes += compared(PROJECT, PROJECT, before, {project.name: _project_shown(project)})
    for section in SECTIONS:
        value = section_value(document, section)
        if value is None:
            continue
        old = await section.snapshot(ctx, project)
        untouched = await section.apply(ctx, project, value, prune=prune)
        changes += compared(section.key, section.noun, old, await section.snapshot(ctx, project))
        changes += [
            ItemChange(
                section=section.key,
                noun=section.noun,
                name=item.name,
                action=Action.KEPT if item.skipped is None else Action.SKIPPED,
                note=item.skipped,
            )
            for item in untouched
        ]
    changed = any(change.action.changes for change in changes)
    return ImportResult(
        project=project.name,
        project_id=project.id,
        created=token is not None,
        changes=changes,
        changed=changed,
        applied=False,
        gitlab_token=token,
        diff=text(changes),
    )


def _project_settings(project: Project) -> dict[str, Any]:
    shown = projects.view(project).model_dump(mode="json")
    return {name: shown[name] for name in ProjectInput.model_fields}


def _project_shown(project: Project) -> dict[str, Shown]:
    return {
        name: Shown(json.dumps(value, ensure_ascii=False))
        for name, value in _project_settings(project).items()
    }
