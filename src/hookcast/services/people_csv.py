"""People from and to CSV: the import (every valid row created or updated, every bad one
reported by its line) and the export, whose file the import takes back unchanged.

The columns are `CSV_COLUMNS` plus one ``<platform>_id`` column per platform; a file may
leave columns out (files written before a column existed still import), but needs at least
one of the handles that identify a person (`people.HANDLES`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.platforms.base import PlatformName
from hookcast.services.people import DUPLICATE, HANDLES, PersonInput, apply, has_identity, new_row
from hookcast.services.people_match import Key, Probe, condition, pick
from hookcast.store.directory import PersonRow

MAX_IMPORT_ROWS = 10_000
CSV_COLUMNS = ("name", *HANDLES)
ID_SUFFIX = "_id"  # CSV columns such as slack_id, feishu_id


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
    """Parse the CSV (header: some of `CSV_COLUMNS` and optional <platform>_id columns). Pure:
    valid rows and per-row errors."""
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
    if not set(HANDLES) & set(headers):
        return [], [RowError(1, f"the file needs one of the columns {', '.join(HANDLES)}")]
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
        if not has_identity(person):
            errors.append(RowError(line, "no email, mobile, GitLab username or GitHub login"))
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
    if person.github_login:
        yield "g:" + person.github_login.lower()


async def import_csv(session: AsyncSession, text: str) -> ImportReport:
    """Create or update (matched by email, then mobile, then GitLab username, then GitHub login)
    every valid row; a row that fails is reported with its line and the others are still
    imported."""
    rows, errors = csv_rows(text)
    report = ImportReport(errors=errors)
    for line, person in rows:
        try:
            async with session.begin_nested():
                existing = await _existing(session, person)
                if existing is None:
                    session.add(new_row(person))
                    await session.flush()
                    report.created += 1
                else:
                    fields = {k: v for k, v in person.model_dump().items() if v not in (None, "")}
                    fields["platform_ids"] = {**existing.platform_ids, **fields.get("platform_ids", {})}
                    apply(existing, fields)
                    existing.updated_at = utcnow()
                    await session.flush()
                    report.updated += 1
        except IntegrityError:
            report.errors.append(RowError(line, DUPLICATE))
    report.errors.sort(key=lambda error: error.line)
    return report


async def _existing(session: AsyncSession, person: PersonInput) -> PersonRow | None:
    """The entry a row updates: the one with its email, else mobile, else either username."""
    found_by = [
        Probe(key, value.lower())
        for key in (Key.EMAIL, Key.MOBILE, Key.GITLAB, Key.GITHUB)
        if (value := getattr(person, key.value))
    ]
    rows = (await session.scalars(select(PersonRow).where(condition(found_by)))).all()
    return pick(rows, found_by)


# --- CSV export -------------------------------------------------------------------------------


def csv_text(rows: Sequence[PersonRow]) -> str:
    """The directory as CSV, in the import's columns: `CSV_COLUMNS`, then a ``<platform>_id``
    column for each platform someone has an id on. Pure."""
    used = {platform for row in rows for platform in (row.platform_ids or {})}
    platforms = [p.value for p in PlatformName if p.value in used]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *(f"{p}{ID_SUFFIX}" for p in platforms)])
    for row in rows:
        ids = row.platform_ids or {}
        writer.writerow(
            [*(getattr(row, column) or "" for column in CSV_COLUMNS), *(ids.get(p, "") for p in platforms)]
        )
    return out.getvalue()
