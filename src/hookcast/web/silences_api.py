"""Silences in the management API: a project's under ``/api/v1/projects/{id}/silences`` (an admin
token, or that project's own token), instance-wide ones under ``/api/v1/silences`` (an admin
token only). What they do: `services/silences.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from hookcast.clock import utcnow
from hookcast.services import silences
from hookcast.services.projects import find_by_token
from hookcast.services.silences import SilenceInput, SilenceView
from hookcast.web.deps import RowId, RuntimeDep, SessionDep, admin_token_name, bearer, require_admin

UNAUTHORIZED = "a valid API token or this project's token is required (Authorization: Bearer …)"


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def _admin_name(runtime: RuntimeDep, session: SessionDep, token: str) -> str:
    name = await admin_token_name(runtime, session, token) if token else None
    if name is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}
        )
    return name


async def project_caller(
    project_id: RowId, runtime: RuntimeDep, session: SessionDep, credentials: Credentials
) -> str:
    """Who asks (a silence's author): an admin token's name, or ``project token (<project>)`` for
    the project's own token. Another project's token is refused (403)."""
    token = credentials.credentials if credentials is not None else ""
    # In the request's session, not the token cache's own: SQLite has one connection.
    owner = await find_by_token(session, token) if token else None
    if owner is None:
        return await _admin_name(runtime, session, token)
    if owner.id != project_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this project token belongs to another project")
    return f"project token ({owner.name})"


async def admin_caller(runtime: RuntimeDep, session: SessionDep, credentials: Credentials) -> str:
    """The admin token's name (`require_admin` has refused any other caller already)."""
    return await _admin_name(runtime, session, credentials.credentials if credentials is not None else "")


ProjectCaller = Annotated[str, Depends(project_caller)]
AdminCaller = Annotated[str, Depends(admin_caller)]

project_router = APIRouter(prefix="/api/v1/projects/{project_id}/silences", tags=["silences"])
instance_router = APIRouter(
    prefix="/api/v1/silences", tags=["silences"], dependencies=[Depends(require_admin)]
)


@project_router.get("", response_model=list[SilenceView])
async def list_project_silences(
    project_id: RowId, session: SessionDep, _caller: ProjectCaller
) -> list[SilenceView]:
    """The project's own silences: in force first, then those to come, then expired ones."""
    return await silences.list_for(session, project_id, utcnow())


@project_router.post("", status_code=201, response_model=SilenceView)
async def create_project_silence(
    project_id: RowId, data: SilenceInput, session: SessionDep, caller: ProjectCaller
) -> SilenceView:
    return await silences.create(session, project_id, data, author=caller, now=utcnow())


@project_router.get("/{silence_id}", response_model=SilenceView)
async def get_project_silence(
    project_id: RowId, silence_id: RowId, session: SessionDep, _caller: ProjectCaller
) -> SilenceView:
    return silences.view(await silences.get(session, silence_id, project_id), utcnow())


@project_router.post("/{silence_id}/expire", response_model=SilenceView)
async def expire_project_silence(
    project_id: RowId, silence_id: RowId, session: SessionDep, _caller: ProjectCaller
) -> SilenceView:
    """End it now."""
    return await silences.expire(session, await silences.get(session, silence_id, project_id), utcnow())


@project_router.delete("/{silence_id}", status_code=204)
async def delete_project_silence(
    project_id: RowId, silence_id: RowId, session: SessionDep, _caller: ProjectCaller
) -> Response:
    await silences.remove(session, await silences.get(session, silence_id, project_id))
    return Response(status_code=204)


@instance_router.get("", response_model=list[SilenceView])
async def list_instance_silences(session: SessionDep) -> list[SilenceView]:
    """The instance-wide silences (every project's events)."""
    return await silences.list_for(session, None, utcnow())


@instance_router.post("", status_code=201, response_model=SilenceView)
async def create_instance_silence(
    data: SilenceInput, session: SessionDep, caller: AdminCaller
) -> SilenceView:
    """A silence for every project's events."""
    return await silences.create(session, None, data, author=caller, now=utcnow())


@instance_router.get("/{silence_id}", response_model=SilenceView)
async def get_silence(silence_id: RowId, session: SessionDep) -> SilenceView:
    """Any silence, instance-wide or a project's."""
    return silences.view(await silences.get(session, silence_id), utcnow())


@instance_router.post("/{silence_id}/expire", response_model=SilenceView)
async def expire_silence(silence_id: RowId, session: SessionDep) -> SilenceView:
    return await silences.expire(session, await silences.get(session, silence_id), utcnow())


@instance_router.delete("/{silence_id}", status_code=204)
async def delete_silence(silence_id: RowId, session: SessionDep) -> Response:
    await silences.remove(session, await silences.get(session, silence_id))
    return Response(status_code=204)
