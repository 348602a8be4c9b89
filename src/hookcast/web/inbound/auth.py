"""Who is posting: a source's declared authentication, checked from the headers (and the route's
project), before the body is read whenever the mode allows it.

Token modes resolve the project from its token alone (cached, `ProjectTokenCache`), so a caller
with a wrong token never gets its body read. The HMAC mode cannot prove anything before the body
is in: it only refuses a missing signature header or a project without a signing secret there,
and hands the secret on for `verify_body`. A header token that also requires a signature once
the project has a secret (`HeaderToken.signed_when_set`: GitLab's signing token) does both: the
token names the project, a missing signature is refused before the body, the secret is handed
on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hookcast.clock import utcnow
from hookcast.runtime import Runtime
from hookcast.services import project_tokens
from hookcast.sources.base import BearerToken, Headers, HeaderToken, Source
from hookcast.sources.signatures import BodyHmac
from hookcast.store.tables import Project
from hookcast.web.deps import is_admin_token

UNKNOWN_TOKEN = "unknown or missing token"
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated project. ``signing_secret`` and the ``signature`` scheme are set when the
    body's signature is still to be checked (`verify_body`). ``has_secret``: a token named a
    project that has a signing secret (the token cache knows, not the secret)."""

    project_id: int
    project_name: str
    signing_secret: str | None = field(default=None, repr=False)
    signature: BodyHmac | None = None
    has_secret: bool = False


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    reason: str
    headers: dict[str, str] | None = None


def bearer_token(headers: Headers) -> str:
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def authenticate(
    runtime: Runtime, source: Source, headers: Headers, project_id: int | None
) -> Caller | Refusal:
    """``project_id`` is the project the route names, if it names one."""
    match source.auth:
        case HeaderToken(header=header, signed_when_set=signed):
            caller = await _by_token(
                runtime, headers.get(header) or "", project_id, admin=False, challenge=None
            )
            if signed is None or isinstance(caller, Refusal) or not caller.has_secret:
                return caller
            return await _token_then_signature(runtime, signed, headers, caller)
        case BearerToken(admin=admin):
            return await _by_token(runtime, bearer_token(headers), project_id, admin, BEARER_CHALLENGE)
        case BodyHmac() as hmac_auth:
            return await _signing_key(runtime, hmac_auth, headers, project_id)


def verify_body(source: Source, caller: Caller, headers: Headers, body: bytes) -> Refusal | None:
    """The HMAC check, once the (capped) body is in; nothing to do for a token alone."""
    scheme = source.auth if isinstance(source.auth, BodyHmac) else caller.signature
    if scheme is None:
        return None
    secret = caller.signing_secret
    if secret is None or not scheme.verify(secret, headers, body, utcnow().timestamp()):
        return Refusal(401, "the signature does not match the body")
    return None


async def _by_token(
    runtime: Runtime, token: str, project_id: int | None, admin: bool, challenge: dict[str, str] | None
) -> Caller | Refusal:
    if project_id is None:  # the token alone says which project
        owner = await runtime.tokens.owner(token)
        if owner is None:
            return Refusal(401, UNKNOWN_TOKEN, challenge)
        return Caller(owner.project_id, owner.name, has_secret=owner.signed)
    if not token:
        wanted = "the project's token or an API token" if admin else "the project's token"
        return Refusal(401, f"a bearer token is required ({wanted})", challenge)
    owner = await runtime.tokens.owner(token)
    if owner is not None:
        if owner.project_id != project_id:
            return Refusal(403, "this project token belongs to another project")
        return Caller(owner.project_id, owner.name, has_secret=owner.signed)
    if not admin:
        return Refusal(401, "unknown token", challenge)
    async with runtime.sessions.begin() as session:
        if not await is_admin_token(runtime, session, token):
            return Refusal(401, "unknown token", challenge)
        project = await session.get(Project, project_id)
    if project is None:
        return project_not_found(project_id)
    return Caller(project.id, project.name)


async def _signing_key(
    runtime: Runtime, auth: BodyHmac, headers: Headers, project_id: int | None
) -> Caller | Refusal:
    if not headers.get(auth.header):
        return Refusal(401, f"a {auth.header} signature is required")
    # A missing project and a project without a secret answer alike: no project enumeration.
    key = None
    if project_id is not None:
        key = await project_tokens.signing_key(runtime.sessions, runtime.box, project_id)
    if key is None:
        return Refusal(401, "this project has no signing secret")
    return Caller(key.project_id, key.name, key.secret, auth)


async def _token_then_signature(
    runtime: Runtime, signed: BodyHmac, headers: Headers, caller: Caller
) -> Caller | Refusal:
    """The token named a project that has a signing secret: its requests must be signed too."""
    key = await project_tokens.signing_key(runtime.sessions, runtime.box, caller.project_id)
    if key is None:  # removed since the token cache looked: the token alone, as without a secret
        return caller
    if not headers.get(signed.header):
        return Refusal(401, f"a {signed.header} signature is required")
    return Caller(caller.project_id, caller.project_name, key.secret, signed)


def project_not_found(project_id: int) -> Refusal:
    return Refusal(404, f"project {project_id} not found")
