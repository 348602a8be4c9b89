"""Who in the directory a person an event names is: the one rule for mentions in group
messages, direct messages and the ids look-ups find (`delivery/mentions.py`,
`services/people.py: find`).

An event's person carries an e-mail, a mobile and a ``username``: the GitLab username for GitLab
(and the other sources), the login for GitHub (`Event.source` "github"). So the rule depends
on the source:

- GitHub: the GitHub login (without regard to case), then the e-mail, then the mobile, then,
  for directories filled before people had a GitHub login, a GitLab username equal to the
  login, but only on a person whose GitHub login is not set (one who has a GitHub login is
  never found by another account's login that happens to equal their GitLab username);
- every other source: the e-mail, then the mobile, then the GitLab username (without regard
  to case). The GitHub login plays no part.

The rule is pure (`probes`, `pick`); `condition` is the SQL filter that reads a superset of
the rows the probes can pick, so a query plus `pick` finds the same as `pick` over the whole
directory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, false, func, or_

from hookcast.events import Person
from hookcast.sources.github.common import SOURCE as GITHUB
from hookcast.store.directory import PersonRow


class Key(StrEnum):
    """The directory's columns a person can be found by."""

    EMAIL = "email"
    MOBILE = "mobile"
    GITLAB = "gitlab_username"
    GITHUB = "github_login"


CASELESS = frozenset({Key.EMAIL, Key.GITLAB, Key.GITHUB})  # compared in lower case
MOBILE_SEPARATORS = re.compile(r"[\s\-()]")


def plain_mobile(value: str | None) -> str:
    """A mobile as the directory keeps it: without spaces, dashes or brackets."""
    return MOBILE_SEPARATORS.sub("", value or "")


@dataclass(frozen=True, slots=True)
class Probe:
    key: Key
    value: str  # lower-cased for the caseless keys
    without_github_login: bool = False  # only people whose GitHub login is not set


def probes(person: Person, source: str) -> tuple[Probe, ...]:
    """What to look ``person`` up by, in order, for an event of ``source``."""
    email = (person.email or "").strip().lower()
    mobile = plain_mobile(person.mobile)
    login = (person.username or "").strip().lstrip("@").lower()
    found: list[Probe] = []
    if source == GITHUB and login:
        found.append(Probe(Key.GITHUB, login))
    if email:
        found.append(Probe(Key.EMAIL, email))
    if mobile:
        found.append(Probe(Key.MOBILE, mobile))
    if login:
        found.append(Probe(Key.GITLAB, login, without_github_login=source == GITHUB))
    return tuple(found)


def _value(row: PersonRow, key: Key) -> str | None:
    value: str | None = getattr(row, key.value)
    return value.lower() if value and key in CASELESS else value


def fits(row: PersonRow, probe: Probe) -> bool:
    if probe.without_github_login and row.github_login:
        return False
    return _value(row, probe.key) == probe.value


def pick(rows: Sequence[PersonRow], found_by: Sequence[Probe]) -> PersonRow | None:
    """The first probe's match (the lowest id when several fit it), or None."""
    ordered = sorted(rows, key=lambda row: row.id)
    for probe in found_by:
        for row in ordered:
            if fits(row, probe):
                return row
    return None


def match(rows: Sequence[PersonRow], person: Person, source: str) -> PersonRow | None:
    return pick(rows, probes(person, source))


def condition(found_by: Iterable[Probe]) -> ColumnElement[bool]:
    """Rows any of these probes may fit (one IN per column; `pick` then applies the order and
    the "without a GitHub login" restriction)."""
    values: dict[Key, set[str]] = {}
    for probe in found_by:
        values.setdefault(probe.key, set()).add(probe.value)
    clauses = [_column(key).in_(sorted(wanted)) for key, wanted in values.items()]
    return or_(*clauses) if clauses else false()


def _column(key: Key) -> ColumnElement[str | None]:
    column = getattr(PersonRow, key.value)
    return func.lower(column) if key in (Key.GITLAB, Key.GITHUB) else column
