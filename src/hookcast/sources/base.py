"""What an inbound source declares: its route, how its callers authenticate, where a request's
idempotency key comes from, and its parser, with one signature for every source.

A declaration is data plus one pure function; the one inbound pipeline (`hookcast.web.inbound`)
reads it to generate the route, authenticate (a header or bearer token before the body is read;
a body signature, `hookcast.sources.signatures`, right after the capped read), parse, and hand
the result to the group-commit intake. Adding a source is a parser, a `Source` in
`hookcast.sources.registry`, and its tests (docs/adding-a-source.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hookcast.events import Event
from hookcast.sources import Ignored, ParseResult
from hookcast.sources.signatures import BodyHmac

Headers = Mapping[str, str]
"""A request's headers, looked up by lower-case name."""

Parser = Callable[[Headers, bytes], ParseResult]
"""The one parser signature: headers and the raw body in, `Event`, `Ignored` or `Rejection` out.
Pure: no I/O, no clock."""

PROJECT_PARAMETER = "{project_id}"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a source is received. Several sources may share one route (the workflow JSON and
    CloudEvents do); their `Source.claims` tell them apart by headers."""

    path: str
    summary: str
    methods: tuple[str, ...] = ("POST",)

    @property
    def names_project(self) -> bool:
        """Whether the path carries ``{project_id}``: the request is for that project, whoever
        signs it. Otherwise the project is the one whose token came."""
        return PROJECT_PARAMETER in self.path


@dataclass(frozen=True, slots=True)
class HeaderToken:
    """The project's inbound token, verbatim in ``header`` (GitLab's ``X-Gitlab-Token``). With
    ``signed_when_set``, a project that has a signing secret also requires that body signature
    (GitLab's signing token): the token says which project, the signature that the body is the
    sender's and recent. A project without a secret takes the token alone."""

    header: str
    signed_when_set: BodyHmac | None = None


@dataclass(frozen=True, slots=True)
class BearerToken:
    """``Authorization: Bearer <token>``, the project's inbound token. With ``admin``, an admin
    API token may also post (for the project the route names)."""

    admin: bool = False


Auth = HeaderToken | BearerToken | BodyHmac


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """Where a request's idempotency key comes from: with ``from_event``, the parsed event's own
    id (`Event.source_id`, read from the body); else, or when that is empty, the first of
    ``headers`` that is present and not blank. No key at all means every request is new."""

    headers: tuple[str, ...] = ()
    from_event: bool = False

    def of(self, headers: Headers, parsed: Event | Ignored) -> str | None:
        if self.from_event and isinstance(parsed, Event) and parsed.source_id:
            return parsed.source_id
        for name in self.headers:
            value = headers.get(name)
            if value:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Source:
    """One inbound format. ``name`` labels its events (`Event.source`, the events table, the
    metrics). ``claims`` picks this source among those sharing its route (None: every request
    the others leave). ``names_unnamed_project``: an event without a project name takes the
    hookcast project's name (the workflow body may omit its project). The rest documents the
    route in OpenAPI: the headers the parser reads, the bodies it takes (media type -> JSON
    schema) and the answers only it gives (status -> description)."""

    name: str
    route: Route
    auth: Auth
    idempotency: IdempotencyKey
    parse: Parser
    claims: Callable[[Headers], bool] | None = None
    names_unnamed_project: bool = False
    reads_headers: tuple[str, ...] = ()
    bodies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    refusals: Mapping[int, str] = field(default_factory=dict)

    @property
    def auth_headers(self) -> tuple[str, ...]:
        """The headers its authentication reads (documented, and checked before the body)."""
        match self.auth:
            case HeaderToken(header=header, signed_when_set=signed):
                return (header, *signed.headers) if signed is not None else (header,)
            case BearerToken():
                return ("authorization",)
            case BodyHmac() as signed:
                return signed.headers
