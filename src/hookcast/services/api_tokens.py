"""API tokens for the management API (``Authorization: Bearer …``): create (shown once), list, revoke."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.crypto import new_token, token_digest
from hookcast.services.errors import Invalid, NotFound
from hookcast.services.text_input import NUL_MESSAGE, has_nul
from hookcast.store.tables import ApiToken

TOKEN_PREFIX = "hca"
MAX_NAME = 200


class ApiTokenView(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class CreatedToken:
    row: ApiToken
    token: str  # the only time it is known in clear


def view(row: ApiToken) -> ApiTokenView:
    return ApiTokenView(id=row.id, name=row.name, created_at=row.created_at, last_used_at=row.last_used_at)


async def create(session: AsyncSession, name: str) -> CreatedToken:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid("a token needs a name of 1-{max} characters", field="name", max=MAX_NAME)
    if has_nul(name):
        raise Invalid(NUL_MESSAGE, field="name")
    token = new_token(TOKEN_PREFIX)
    row = ApiToken(name=name, token_digest=token_digest(token), created_at=utcnow())
    session.add(row)
    await session.flush()
    return CreatedToken(row, token)


async def list_all(session: AsyncSession) -> Sequence[ApiToken]:
    return (await session.scalars(select(ApiToken).order_by(ApiToken.id))).all()


async def revoke(session: AsyncSession, token_id: int) -> None:
    row = await session.get(ApiToken, token_id)
    if row is None:
        raise NotFound("API token {id} not found", id=token_id)
    await session.delete(row)
    await session.flush()
