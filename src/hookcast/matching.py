"""What a routing rule or a silence matches on: one set of conditions over an `Event`.

Rules (per webhook) and silences (per project or instance) select events the same way, so the
conditions are declared once, here, as data (`EventMatch`, a pydantic model: validated on save,
with a JSON Schema for the API) and evaluated purely. Every condition left empty matches
anything; the conditions that are set must all hold. `first_mismatch` names the first condition
that does not hold, which is what "try this rule" and "why did (not) this notify?" show.

An event that lacks what a condition looks at does not pass it: a rule on branches does not match
an alert, a rule on changed paths matches pushes only, a rule on workflow status matches issue
workflow events only. Alert label matchers follow Alertmanager: a matcher on a label the group
does not carry compares with the empty string (``team=""`` matches a group without ``team``).

Patterns: branches, tags, paths, actors and projects are globs (``fnmatch``: ``*`` also crosses
``/``; ``release/*``, ``web/**``), or regular expressions between slashes (``/^hotfix-\\d+$/``),
searched, not anchored. Alertmanager's regex matchers are anchored at both ends, as there. Pure:
no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from hookcast.events import Event, EventKind, Person

MAX_PATTERN = 500  # characters of one pattern or matcher
MAX_PATTERNS = 100  # entries of one condition


class MatchOp(StrEnum):
    """Alertmanager's four matcher operators."""

    EQUAL = "="
    NOT_EQUAL = "!="
    REGEX = "=~"
    NOT_REGEX = "!~"


@dataclass(frozen=True, slots=True)
class Matcher:
    """One Alertmanager label matcher, e.g. ``severity=~"critical|warning"``."""

    name: str
    op: MatchOp
    value: str

    def holds(self, labels: dict[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op is MatchOp.EQUAL:
            return actual == self.value
        if self.op is MatchOp.NOT_EQUAL:
            return actual != self.value
        found = _anchored(self.value).fullmatch(actual) is not None
        return found if self.op is MatchOp.REGEX else not found

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{self.op.value}"{escaped}"'


_MATCHER = re.compile(
    r"""\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*
        (?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^",{}\s]*))\s*""",
    re.VERBOSE,
)


def parse_matcher(text: str) -> Matcher:
    """``team="db"`` -> a `Matcher`; ValueError, saying what is wrong, for anything else."""
    found = _MATCHER.fullmatch(text)
    if found is None:
        raise ValueError(f'not a label matcher: {text!r} (expected name="value", !=, =~ or !~)')
    quoted = found.group("quoted")
    value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else found.group("bare")
    matcher = Matcher(found.group("name"), MatchOp(found.group("op")), value)
    if matcher.op in (MatchOp.REGEX, MatchOp.NOT_REGEX):
        _regex(value)
    return matcher


def parse_matchers(text: str) -> tuple[Matcher, ...]:
    """``{severity=~"critical|warning", team="db"}`` (braces optional) -> its matchers."""
    body = text.strip()
    if body.startswith("{") and body.endswith("}"):
        body = body[1:-1]
    parts = re.findall(r'(?:[^,"]|"(?:[^"\\]|\\.)*")+', body)
    return tuple(parse_matcher(part) for part in parts if part.strip())


def _regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise ValueError(f"invalid regular expression {pattern!r}: {error}") from None


@lru_cache(maxsize=1024)
def _anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern})")


@lru_cache(maxsize=1024)
def _searched(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def is_regex(pattern: str) -> bool:
    return len(pattern) >= 2 and pattern.startswith("/") and pattern.endswith("/")


def pattern_matches(pattern: str, text: str, *, casefold: bool = False) -> bool:
    """Whether ``text`` matches a glob, or a ``/regex/`` (searched)."""
    if is_regex(pattern):
        return _searched(pattern[1:-1], re.IGNORECASE if casefold else 0).search(text) is not None
    if casefold:
        return fnmatchcase(text.casefold(), pattern.casefold())
    return fnmatchcase(text, pattern)


def _check_pattern(pattern: str) -> str:
    if not pattern:
        raise ValueError("a pattern may not be empty")
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"a pattern may be at most {MAX_PATTERN} characters")
    if is_regex(pattern):
        _regex(pattern[1:-1])
    return pattern


def _check_matcher(text: str) -> str:
    if len(text) > MAX_PATTERN:
        raise ValueError(f"a matcher may be at most {MAX_PATTERN} characters")
    parse_matcher(text)
    return text


def _check_name(text: str) -> str:
    if not text.strip() or len(text) > MAX_PATTERN:
        raise ValueError(f"a value must be 1 to {MAX_PATTERN} characters")
    return text


Pattern = Annotated[str, AfterValidator(_check_pattern)]
LabelMatcher = Annotated[str, AfterValidator(_check_matcher)]
Name = Annotated[str, AfterValidator(_check_name)]


_WORKFLOW_KINDS = frozenset(kind for kind in EventKind if kind.value.startswith("issue."))

# GitLab's bot users (project / group access tokens, service accounts, its internal bots) and
# GitHub's apps (``name[bot]``), plus the usual naming of automation accounts. Matched against the
# username, case-insensitively.
BOT_USERNAMES: tuple[str, ...] = (
    "*[[]bot]",  # fnmatch: "[[]" is a literal "["
    "project_*_bot*",
    "group_*_bot*",
    "service_account_*",
    "*-bot",
    "*_bot",
    "ghost",
)


def is_bot(person: Person) -> bool:
    """Whether ``person`` is an automation account (see `BOT_USERNAMES`)."""
    username = (person.username or "").casefold()
    return bool(username) and any(fnmatchcase(username, pattern) for pattern in BOT_USERNAMES)


class EventMatch(BaseModel):
    """The conditions an event must meet. Empty conditions match anything."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kinds: tuple[EventKind, ...] = Field(default=(), max_length=MAX_PATTERNS)
    actions: tuple[Name, ...] = Field(default=(), max_length=MAX_PATTERNS)
    labels_any: tuple[Name, ...] = Field(default=(), max_length=MAX_PATTERNS)
    labels_all: tuple[Name, ...] = Field(default=(), max_length=MAX_PATTERNS)
    labels_none: tuple[Name, ...] = Field(default=(), max_length=MAX_PATTERNS)
    refs: tuple[Pattern, ...] = Field(default=(), max_length=MAX_PATTERNS)
    paths: tuple[Pattern, ...] = Field(default=(), max_length=MAX_PATTERNS)
    actors: tuple[Pattern, ...] = Field(default=(), max_length=MAX_PATTERNS)
    actors_not: tuple[Pattern, ...] = Field(default=(), max_length=MAX_PATTERNS)
    exclude_bots: bool = False
    only_bots: bool = False
    projects: tuple[Pattern, ...] = Field(default=(), max_length=MAX_PATTERNS)
    alert_labels: tuple[LabelMatcher, ...] = Field(default=(), max_length=MAX_PATTERNS)
    workflow_status: tuple[Name, ...] = Field(default=(), max_length=MAX_PATTERNS)
    workflow_stage: tuple[Name, ...] = Field(default=(), max_length=MAX_PATTERNS)


def ref_name(event: Event) -> str | None:
    """The branch or tag an event is on (a tag's name for a tag push), None when it has none."""
    if event.is_tag:
        return event.detail("tag") or (event.ref or "").removeprefix("refs/tags/") or None
    return event.branch


def _actor_names(person: Person) -> tuple[str, ...]:
    return tuple(name for name in (person.username, person.email, person.name) if name)


def _any_actor(patterns: Sequence[str], person: Person) -> bool:
    names = _actor_names(person)
    return any(pattern_matches(p, name, casefold=True) for p in patterns for name in names)


def _refs(match: EventMatch, event: Event) -> bool:
    ref = ref_name(event)
    return ref is not None and any(pattern_matches(p, ref) for p in match.refs)


def _paths(match: EventMatch, event: Event) -> bool:
    return any(pattern_matches(p, path) for p in match.paths for path in event.paths)


def _alert_labels(match: EventMatch, event: Event) -> bool:
    return all(parse_matcher(text).holds(event.alert_labels) for text in match.alert_labels)


# (condition, is it set, does the event meet it): the order is the order `first_mismatch` reports.
_Check = tuple[str, Callable[[EventMatch], object], Callable[[EventMatch, Event], bool]]
_CHECKS: tuple[_Check, ...] = (
    ("kinds", lambda m: m.kinds, lambda m, e: e.kind in m.kinds),
    ("actions", lambda m: m.actions, lambda m, e: e.action in m.actions),
    (
        "projects",
        lambda m: m.projects,
        lambda m, e: any(
            pattern_matches(p, e.project.path_with_namespace, casefold=True) for p in m.projects
        ),
    ),
    ("refs", lambda m: m.refs, _refs),
    ("paths", lambda m: m.paths, _paths),
    ("labels_any", lambda m: m.labels_any, lambda m, e: not set(m.labels_any).isdisjoint(e.labels)),
    ("labels_all", lambda m: m.labels_all, lambda m, e: set(m.labels_all) <= set(e.labels)),
    ("labels_none", lambda m: m.labels_none, lambda m, e: set(m.labels_none).isdisjoint(e.labels)),
    ("actors", lambda m: m.actors, lambda m, e: _any_actor(m.actors, e.actor)),
    ("actors_not", lambda m: m.actors_not, lambda m, e: not _any_actor(m.actors_not, e.actor)),
    ("exclude_bots", lambda m: m.exclude_bots, lambda m, e: not is_bot(e.actor)),
    ("only_bots", lambda m: m.only_bots, lambda m, e: is_bot(e.actor)),
    ("alert_labels", lambda m: m.alert_labels, _alert_labels),
    (
        "workflow_status",
        lambda m: m.workflow_status,
        lambda m, e: e.kind in _WORKFLOW_KINDS and (e.detail("status") or "") in m.workflow_status,
    ),
    (
        "workflow_stage",
        lambda m: m.workflow_stage,
        lambda m, e: e.kind in _WORKFLOW_KINDS and (e.detail("stage") or "") in m.workflow_stage,
    ),
)
CONDITIONS: tuple[str, ...] = tuple(name for name, _, _ in _CHECKS)


def first_mismatch(event: Event, match: EventMatch) -> str | None:
    """The name of the first condition of ``match`` that ``event`` does not meet (a field name of
    `EventMatch`), None when it meets them all."""
    for name, is_set, holds in _CHECKS:
        if is_set(match) and not holds(match, event):
            return name
    return None


def matches(event: Event, match: EventMatch) -> bool:
    return first_mismatch(event, match) is None
