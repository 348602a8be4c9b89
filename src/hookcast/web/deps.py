"""Request-scoped dependencies: the runtime, a database session, the caller's identity."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.crypto import digests_equal, token_digest
from hookcast.runtime import Runtime
from hookcast.store.tables import ApiToken

# "Last used" is kept to the minute: no write on every API call.
LAST_USED_PRECISION = timedelta(minutes=1)

# Row ids are 64-bit: a larger number in a path or query is a 422 here, not a database error.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
OptionalRowIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]

# Set in the request's state by the request guard once it has checked the token of a request that
# carries a body (before reading it), so the route's dependency does not look the token up again.
API_TOKEN_CHECKED = "api_token_checked"

bearer = HTTPBearer(auto_error=False, description="An API token (or HOOKCAST_ADMIN_TOKEN).")


async def get_runtime(request: Request) -> Runtime:
    """The app's runtime (async: a plain function dependency would cost a thread hop per request)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.sessions.begin() as session:
        yield session


# scope="function": the transaction commits before the answer leaves, so a client that got 201
# and asks again at once (even another process) sees what it created.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


# The name an action taken with HOOKCAST_ADMIN_TOKEN is recorded under (a silence's author).
CONFIGURED_ADMIN = "HOOKCAST_ADMIN_TOKEN"
# Management routes a project's own token may reach too (its project's silences), besides an
# admin token: ``/api/v1/projects/<id>/silences…``; the id is checked against the token's project.
PROJECT_TOKEN_PATHS = re.compile(r"/api/v1/projects/(?P<project_id>[0-9]{1,19})/silences(?:/.*)?")


async def admin_token_name(runtime: Runtime, session: AsyncSession, token: str) -> str | None:
    """The admin API token's name (`CONFIGURED_ADMIN` for the configured one), None when
    ``token`` is none."""
    configured = runtime.settings.admin_token
    if configured is not None and digests_equal(
        token_digest(token), token_digest(configured.get_secret_value())
    ):
        return CONFIGURED_ADMIN
    digest = token_digest(token)
    row = await session.scalar(select(ApiToken).where(ApiToken.token_digest == digest))
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_PRECISION:
        await session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return row.name


async def is_admin_token(runtime: Runtime, session: AsyncSession, token: str) -> bool:
    return await admin_token_name(runtime, session, token) is not None


async def require_admin(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    if getattr(request.state, API_TOKEN_CHECKED, False):
        return
    if credentials is None or not await is_admin_token(runtime, session, credentials.credentials):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid API token is required (Authorization: Bearer …)",
            headers={"WWW-Authenticate": "Bearer"},
        )
