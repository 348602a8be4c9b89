"""The user directory: people hookcast can mention and message, managed in the API, UI and
CLI, importable from CSV (`services/people_csv.py`). Emails are kept lower-cased, mobiles
without spaces or dashes, GitHub logins as given (compared without regard to case). Who an
event's person is in the directory is `services/people_match.py`'s rule."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.events import Person
from hookcast.platforms.base import PlatformName
from hookcast.services.errors import Conflict, Invalid, NotFound
from hookcast.services.people_match import condition, pick, plain_mobile, probes
from hookcast.services.text_input import TextInput
from hookcast.store.directory import PersonRow

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MOBILE = re.compile(r"\+?[0-9]{5,20}")
# GitHub's own rule: letters, digits and single hyphens inside, at most 39 characters.
GITHUB_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
GITHUB_LOGIN_ERROR = "github_login"  # the validation error's type (the UI words it in each language)
GITHUB_LOGIN_MESSAGE = (
    "not a GitHub login: letters, digits and single hyphens, not first or last, at most 39 characters"
)
HANDLES = ("email", "mobile", "gitlab_username", "github_login")  # what identifies a person


def clean_email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if not EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def clean_mobile(value: str | None) -> str | None:
    value = plain_mobile(value)
    if not value:
        return None
    if not MOBILE.fullmatch(value):
        raise ValueError(f"{value!r} is not a mobile number (digits, optionally a leading +)")
    return value


def clean_github_login(value: str | None) -> str | None:
    """A GitHub login as given (an ``@`` before it dropped), or None; refused unless it is one."""
    value = (value or "").strip().lstrip("@")
    if not value:
        return None
    if not GITHUB_LOGIN.fullmatch(value):
        raise PydanticCustomError(GITHUB_LOGIN_ERROR, GITHUB_LOGIN_MESSAGE)
    return value


class _PersonFields(TextInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return clean_email(value)

    @field_validator("mobile", check_fields=False)
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        return clean_mobile(value)

    @field_validator("gitlab_username", check_fields=False)
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        return (value or "").strip().lstrip("@") or None

    @field_validator("github_login", check_fields=False)
    @classmethod
    def _login(cls, value: str | None) -> str | None:
        return clean_github_login(value)

    @field_validator("platform_ids", check_fields=False)
    @classmethod
    def _ids(cls, value: dict[PlatformName, str] | None) -> dict[PlatformName, str] | None:
        if value is None:
            return None
        return {platform: user_id.strip() for platform, user_id in value.items() if user_id.strip()}


class PersonInput(_PersonFields):
    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    mobile: str | None = Field(default=None, max_length=32)
    gitlab_username: str | None = Field(default=None, max_length=255)
    github_login: str | None = Field(default=None, max_length=40, description="The GitHub login.")
    platform_ids: dict[PlatformName, str] = Field(
        default_factory=dict, description="Known ids per platform, e.g. {'slack': 'U012AB3CD'}."
    )


class PersonPatch(_PersonFields):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    mobile: str | None = Field(default=None, max_length=32)
    gitlab_username: str | None = Field(default=None, max_length=255)
    github_login: str | None = Field(default=None, max_length=40)
    platform_ids: dict[PlatformName, str] | None = None


class PersonView(BaseModel):
    id: int
    name: str
    email: str | None
    mobile: str | None
    gitlab_username: str | None
    github_login: str | None
    platform_ids: dict[str, str]
    created_at: datetime
    updated_at: datetime


def view(row: PersonRow) -> PersonView:
    return PersonView(
        id=row.id,
        name=row.name,
        email=row.email,
        mobile=row.mobile,
        gitlab_username=row.gitlab_username,
        github_login=row.github_login,
        platform_ids=dict(row.platform_ids or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


DUPLICATE = "a person with this email, mobile, GitLab username or GitHub login already exists"


def has_identity(person: PersonInput | PersonRow) -> bool:
    """Whether anything events name people by is set: a name alone finds nobody."""
    return any(getattr(person, handle) for handle in HANDLES)


def _require_identity(person: PersonInput | PersonRow) -> None:
    if not has_identity(person):
        raise Invalid("give an email, a mobile, a GitLab username or a GitHub login", field="email")


def new_row(data: PersonInput) -> PersonRow:
    now = utcnow()
    return PersonRow(
        name=data.name,
        email=data.email,
        mobile=data.mobile,
        gitlab_username=data.gitlab_username,
        github_login=data.github_login,
        platform_ids={k.value: v for k, v in data.platform_ids.items()},
        created_at=now,
        updated_at=now,
    )


async def create(session: AsyncSession, data: PersonInput) -> PersonRow:
    _require_identity(data)
    row = new_row(data)
    session.add(row)
    await flush_unique(session)
    return row


async def get(session: AsyncSession, person_id: int) -> PersonRow:
    row = await session.get(PersonRow, person_id)
    if row is None:
        raise NotFound("person {id} not found", id=person_id)
    return row


async def list_all(session: AsyncSession, search: str | None = None) -> Sequence[PersonRow]:
    query = select(PersonRow).order_by(PersonRow.id)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                PersonRow.name.ilike(like),
                PersonRow.email.ilike(like),
                PersonRow.gitlab_username.ilike(like),
                PersonRow.github_login.ilike(like),
            )
        )
    return (await session.scalars(query)).all()


async def update(session: AsyncSession, person_id: int, patch: PersonPatch) -> PersonRow:
    row = await get(session, person_id)
    apply(row, patch.model_dump(exclude_unset=True))
    _require_identity(row)
    row.updated_at = utcnow()
    await flush_unique(session)
    return row


def apply(row: PersonRow, fields: dict[str, Any]) -> None:
    """Set the given fields (a name given as None is left as it is)."""
    for name in ("name", *HANDLES):
        if name in fields and not (name == "name" and fields[name] is None):
            setattr(row, name, fields[name])
    if fields.get("platform_ids") is not None:
        row.platform_ids = {PlatformName(k).value: v for k, v in fields["platform_ids"].items()}


async def remove(session: AsyncSession, person_id: int) -> None:
    row = await get(session, person_id)
    await session.delete(row)
    await session.flush()


async def find(session: AsyncSession, person: Person, source: str) -> PersonRow | None:
    """The directory entry for someone an event of ``source`` names (`people_match`'s rule)."""
    found_by = probes(person, source)
    if not found_by:
        return None
    rows = (await session.scalars(select(PersonRow).where(condition(found_by)))).all()
    return pick(rows, found_by)


async def as_known(
    session: AsyncSession, person: Person, platform: PlatformName, source: str
) -> tuple[Person, str | None]:
    """``person`` as the directory knows them: with the e-mail and mobile it holds where the
    event gave none (a GitHub event names people by login only, and IM apps find people by
    e-mail or mobile), and their id on ``platform`` when it holds one (entered, or remembered)."""
    row = await find(session, person, source)
    if row is None:
        return person, None
    known = person.model_copy(
        update={"email": person.email or row.email, "mobile": person.mobile or row.mobile}
    )
    return known, (row.platform_ids or {}).get(platform.value)


async def remember_platform_id(
    session: AsyncSession, person: Person, platform: PlatformName, user_id: str, source: str
) -> bool:
    """Keep an id a look-up found for someone in the directory, so that mentions and later
    messages need no look-up (people not in the directory are not added). Whether it was new."""
    row = await find(session, person, source)
    if row is None or (row.platform_ids or {}).get(platform.value) == user_id:
        return False
    row.platform_ids = {**(row.platform_ids or {}), platform.value: user_id}
    row.updated_at = utcnow()
    await session.flush()
    return True


async def flush_unique(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(DUPLICATE) from exc
