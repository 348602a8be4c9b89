"""The user directory: people hookcast can mention and message, managed in the API, UI and
CLI, importable from CSV. Emails are kept lower-cased, mobiles without spaces or dashes."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.events import Person
from hookcast.platforms.base import PlatformName
from hookcast.services.errors import Conflict, Invalid, NotFound
from hookcast.services.text_input import TextInput
from hookcast.store.directory import PersonRow

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MOBILE = re.compile(r"\+?[0-9]{5,20}")
MAX_IMPORT_ROWS = 10_000
CSV_COLUMNS = ("name", "email", "mobile", "gitlab_username")
ID_SUFFIX = "_id"  # CSV columns such as slack_id, feishu_id


def clean_email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if not EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def clean_mobile(value: str | None) -> str | None:
    value = re.sub(r"[\s\-()]", "", value or "")
    if not value:
        return None
    if not MOBILE.fullmatch(value):
        raise ValueError(f"{value!r} is not a mobile number (digits, optionally a leading +)")
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
    platform_ids: dict[PlatformName, str] = Field(
        default_factory=dict, description="Known ids per platform, e.g. {'slack': 'U012AB3CD'}."
    )


class PersonPatch(_PersonFields):
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    mobile: str | None = Field(default=None, max_length=32)
    gitlab_username: str | None = Field(default=None, max_length=255)
    platform_ids: dict[PlatformName, str] | None = None


class PersonView(BaseModel):
    id: int
    name: str
    email: str | None
    mobile: str | None
    gitlab_username: str | None
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
        platform_ids=dict(row.platform_ids or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


DUPLICATE = "a person with this email, mobile or GitLab username already exists"


def _require_identity(email: str | None, mobile: str | None, username: str | None) -> None:
    if not (email or mobile or username):
        raise Invalid("give an email, a mobile or a GitLab username", field="email")


def _new_row(data: PersonInput) -> PersonRow:
    now = utcnow()
    return PersonRow(
        name=data.name,
        email=data.email,
        mobile=data.mobile,
        gitlab_username=data.gitlab_username,
        platform_ids={k.value: v for k, v in data.platform_ids.items()},
        created_at=now,
        updated_at=now,
    )


async def create(session: AsyncSession, data: PersonInput) -> PersonRow:
    _require_identity(data.email, data.mobile, data.gitlab_username)
    row = _new_row(data)
    session.add(row)
    await _flush_unique(session)
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
                PersonRow.name.ilike(like), PersonRow.email.ilike(like), PersonRow.gitlab_username.ilike(like)
            )
        )
    return (await session.scalars(query)).all()


async def update(session: AsyncSession, person_id: int, patch: PersonPatch) -> PersonRow:
    row = await get(session, person_id)
    _apply(row, patch.model_dump(exclude_unset=True))
    _require_identity(row.email, row.mobile, row.gitlab_username)
    row.updated_at = utcnow()
    await _flush_unique(session)
    return row


def _apply(row: PersonRow, fields: dict[str, Any]) -> None:
    for name in ("name", "email", "mobile", "gitlab_username"):
        if name in fields and not (name == "name" and fields[name] is None):
            setattr(row, name, fields[name])
    if fields.get("platform_ids") is not None:
        row.platform_ids = {PlatformName(k).value: v for k, v in fields["platform_ids"].items()}


async def remove(session: AsyncSession, person_id: int) -> None:
    row = await get(session, person_id)
    await session.delete(row)
    await session.flush()


async def find(session: AsyncSession, person: Person) -> PersonRow | None:
    """The directory entry for someone an event names: by email, then mobile, then username."""
    try:
        email, mobile = clean_email(person.email), clean_mobile(person.mobile)
    except ValueError:
        email, mobile = (person.email or "").lower() or None, None
    for column, value in (
        (PersonRow.email, email),
        (PersonRow.mobile, mobile),
        (PersonRow.gitlab_username, person.username),
    ):
        if value:
            row = await session.scalar(select(PersonRow).where(column == value))
            if row is not None:
                return row
    return None


async def known_platform_id(session: AsyncSession, person: Person, platform: PlatformName) -> str | None:
    """The id of ``person`` on ``platform`` the directory holds (entered, or remembered)."""
    row = await find(session, person)
    return None if row is None else (row.platform_ids or {}).get(platform.value)


async def remember_platform_id(
    session: AsyncSession, person: Person, platform: PlatformName, user_id: str
) -> bool:
    """Keep an id a look-up found for someone in the directory, so that mentions and later
    messages need no look-up (people not in the directory are not added). Whether it was new."""
    row = await find(session, person)
    if row is None or (row.platform_ids or {}).get(platform.value) == user_id:
        return False
    row.platform_ids = {**(row.platform_ids or {}), platform.value: user_id}
    row.updated_at = utcnow()
    await session.flush()
    return True


async def _flush_unique(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict(DUPLICATE) from exc


# --- CSV import -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # 1-based line in the file (the header is line 1)
    message: str


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def csv_rows(text: str) -> tuple[list[tuple[int, PersonInput]], list[RowError]]:
    """Parse the CSV (header: name,email,mobile,gitlab_username and optional <platform>_id
    columns). Pure: valid rows and per-row errors."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        return [], [RowError(1, f"unreadable header line ({exc})")]
    headers = [h.strip().lower() for h in fieldnames or []]
    if not headers:
        return [], [RowError(1, "the file is empty: the first line must name the columns")]
    unknown = [h for h in headers if h not in CSV_COLUMNS and not _platform_column(h)]
    if unknown:
        allowed = ", ".join([*CSV_COLUMNS, *(f"{p.value}{ID_SUFFIX}" for p in PlatformName)])
        return [], [RowError(1, f"unknown column(s) {', '.join(unknown)}; allowed: {allowed}")]
    if not {"email", "mobile", "gitlab_username"} & set(headers):
        return [], [RowError(1, "the file needs an email, mobile or gitlab_username column")]
    rows: list[tuple[int, PersonInput]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(_readable(reader, errors)):
        line = reader.line_num
        if index >= MAX_IMPORT_ROWS:
            errors.append(RowError(line, f"over {MAX_IMPORT_ROWS} rows: the rest is not imported"))
            break
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            errors.append(RowError(line, "more values than columns"))
            continue
        if not any(values.values()):
            continue
        try:
            person = _row_input(values)
        except ValidationError as exc:
            errors.append(RowError(line, _first_error(exc)))
            continue
        if not (person.email or person.mobile or person.gitlab_username):
            errors.append(RowError(line, "no email, mobile or GitLab username"))
            continue
        duplicate = next((seen[k] for k in _keys(person) if k in seen), None)
        if duplicate is not None:
            errors.append(RowError(line, f"the same person as line {duplicate}"))
            continue
        seen.update({k: line for k in _keys(person)})
        rows.append((line, person))
    return rows, errors


def _readable(reader: csv.DictReader[str], errors: list[RowError]) -> Iterator[dict[str, str]]:
    """The reader's rows up to the first line the csv module refuses (a field over its size
    limit): that one is an error, and the rest is not read."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # the refused line was not counted: it is the one after the last read
            errors.append(RowError(reader.line_num + 1, f"unreadable line ({exc}): the rest is not imported"))
            return


def _platform_column(header: str) -> PlatformName | None:
    if not header.endswith(ID_SUFFIX):
        return None
    try:
        return PlatformName(header.removesuffix(ID_SUFFIX))
    except ValueError:
        return None


def _row_input(values: dict[str, str]) -> PersonInput:
    ids: dict[str, str] = {}
    plain: dict[str, str | None] = {}
    for key, value in values.items():
        platform = _platform_column(key)
        if platform is not None:
            if value:
                ids[platform.value] = value
        else:
            plain[key] = value or None
    return PersonInput.model_validate({**plain, "name": plain.get("name") or "", "platform_ids": ids})


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _keys(person: PersonInput) -> Iterable[str]:
    if person.email:
        yield "e:" + person.email
    if person.mobile:
        yield "m:" + person.mobile
    if person.gitlab_username:
        yield "u:" + person.gitlab_username.lower()


async def import_csv(session: AsyncSession, text: str) -> ImportReport:
    """Create or update (matched by email, then mobile, then GitLab username) every valid row;
    a row that fails is reported with its line and the others are still imported."""
    rows, errors = csv_rows(text)
    report = ImportReport(errors=errors)
    for line, person in rows:
        try:
            async with session.begin_nested():
                existing = await find(
                    session, Person(email=person.email, mobile=person.mobile, username=person.gitlab_username)
                )
                if existing is None:
                    session.add(_new_row(person))
                    await session.flush()
                    report.created += 1
                else:
                    fields = {k: v for k, v in person.model_dump().items() if v not in (None, "")}
                    fields["platform_ids"] = {**existing.platform_ids, **fields.get("platform_ids", {})}
                    _apply(existing, fields)
                    existing.updated_at = utcnow()
                    await session.flush()
                    report.updated += 1
        except IntegrityError:
            report.errors.append(RowError(line, DUPLICATE))
    report.errors.sort(key=lambda error: error.line)
    return report
