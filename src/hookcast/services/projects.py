"""Projects: the unit that owns an inbound token and a set of webhooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.crypto import digests_equal, new_token, token_digest
from hookcast.services.errors import Conflict, NotFound
from hookcast.services.text_input import TextInput
from hookcast.store.tables import Project

TOKEN_PREFIX = "hcp"
ROUTES_OTHER_PROJECTS_HELP = (
    "A group or system hook receiver: an event whose GitLab path is inside gitlab_path (any path "
    "when gitlab_path is empty) goes to the project with exactly that path. Off: every event this "
    "token sends stays in this project."
)


class ProjectInput(TextInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    gitlab_path: str | None = Field(
        default=None,
        max_length=500,
        description="GitLab path_with_namespace (e.g. 'group/app') or a group path ('group') "
        "whose events this token accepts; events from other paths are ignored. Empty: any path.",
    )
    protected_branches: list[str] = Field(
        default_factory=list,
        description="Branch name patterns (fnmatch, e.g. 'release/*') treated as protected.",
    )
    routes_other_projects: bool = Field(default=False, description=ROUTES_OTHER_PROJECTS_HELP)

    @field_validator("gitlab_path")
    @classmethod
    def _clean_path(cls, value: str | None) -> str | None:
        value = (value or "").strip().strip("/")
        return value or None


class ProjectPatch(TextInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    gitlab_path: str | None = Field(default=None, max_length=500)
    protected_branches: list[str] | None = None
    routes_other_projects: bool | None = Field(default=None, description=ROUTES_OTHER_PROJECTS_HELP)


class ProjectView(BaseModel):
    id: int
    name: str
    gitlab_path: str | None
    protected_branches: list[str]
    routes_other_projects: bool
    signing_secret_set: bool = Field(
        description="Whether the project has a signing secret: GitHub's requests must be signed "
        "with it, and so must GitLab's once it is set."
    )
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CreatedProject:
    project: Project
    token: str  # shown once


def view(project: Project) -> ProjectView:
    return ProjectView(
        id=project.id,
        name=project.name,
        gitlab_path=project.gitlab_path,
        protected_branches=split_patterns(project.protected_branches),
        routes_other_projects=project.routes_other_projects,
        signing_secret_set=project.signing_secret_sealed is not None,
        created_at=project.created_at,
        updated_at=project.updated_at,
    )


def split_patterns(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


async def create(session: AsyncSession, data: ProjectInput) -> CreatedProject:
    now = utcnow()
    token = new_token(TOKEN_PREFIX)
    project = Project(
        name=data.name,
        gitlab_path=data.gitlab_path,
        token_digest=token_digest(token),
        protected_branches=",".join(data.protected_branches),
        routes_other_projects=data.routes_other_projects,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    await _flush_unique(session, "a project with this name or GitLab path already exists")
    return CreatedProject(project=project, token=token)


async def get(session: AsyncSession, project_id: int) -> Project:
    project = await session.get(Project, project_id)
    if project is None:
        raise NotFound("project {id} not found", id=project_id)
    return project


async def list_all(session: AsyncSession) -> Sequence[Project]:
    return (await session.scalars(select(Project).order_by(Project.id))).all()


async def update(session: AsyncSession, project_id: int, patch: ProjectPatch) -> Project:
    project = await get(session, project_id)
    fields = patch.model_dump(exclude_unset=True)
    if "name" in fields and fields["name"] is not None:
        project.name = fields["name"]
    if "gitlab_path" in fields:
        project.gitlab_path = ProjectInput._clean_path(fields["gitlab_path"])
    if fields.get("protected_branches") is not None:
        project.protected_branches = ",".join(fields["protected_branches"])
    if fields.get("routes_other_projects") is not None:
        project.routes_other_projects = fields["routes_other_projects"]
    project.updated_at = utcnow()
    await _flush_unique(session, "a project with this name or GitLab path already exists")
    return project


async def remove(session: AsyncSession, project_id: int) -> None:
    await get(session, project_id)
    await session.execute(delete(Project).where(Project.id == project_id))


async def rotate_token(session: AsyncSession, project_id: int) -> str:
    project = await get(session, project_id)
    token = new_token(TOKEN_PREFIX)
    project.token_digest = token_digest(token)
    project.updated_at = utcnow()
    await session.flush()
    return token


async def stamp(session: AsyncSession) -> tuple[int, datetime | None]:
    """What changes whenever a project is created, changed or removed (each is done here: a
    creation or change sets ``updated_at`` to now, a removal lowers the count): one cheap query
    that tells a process's cache of projects whether it still holds."""
    row = (await session.execute(select(func.count(), func.max(Project.updated_at)))).one()
    return int(row[0]), row[1]


async def find_by_token(session: AsyncSession, token: str) -> Project | None:
    if not token:
        return None
    digest = token_digest(token)
    project = await session.scalar(select(Project).where(Project.token_digest == digest))
    if project is None or not digests_equal(project.token_digest, digest):
        return None
    return project


def in_scope(scope: str | None, path: str) -> bool:
    if scope is None or not path:
        return True
    return path == scope or path.startswith(scope + "/")


async def _flush_unique(session: AsyncSession, message: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(message) from exc
