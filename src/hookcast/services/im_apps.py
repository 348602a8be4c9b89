"""IM apps (instance settings): one per platform, credentials sealed, validated on save by
fetching a token (and, for Slack, checking the scopes). Secrets are never returned."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from fnmatch import fnmatch
from urllib.parse import urlsplit

import aiohttp
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.directmessages import MESSENGERS, build, credential_specs, open_credentials
from hookcast.platforms import get_platform
from hookcast.platforms.base import FieldSpec, PlatformName
from hookcast.platforms.egress import HTTPS_PORT
from hookcast.services import fields
from hookcast.services.errors import Invalid, NotFound, Term
from hookcast.services.text_input import TextInput
from hookcast.services.webhooks import refuse_other_ports, sendable_url
from hookcast.store.directory import ImAppRow


class ImAppInput(TextInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="The app's credentials by name (see GET /api/v1/im-apps for each platform's "
        "fields). A secret left out keeps the stored one.",
    )
    api_base_url: str | None = Field(
        default=None, max_length=500, description="Override the API base URL (private deployments)."
    )
    enabled: bool = True


class CredentialField(BaseModel):
    """A credential's FieldSpec, as the API shows it."""

    name: str
    label: str
    help: str
    secret: bool
    required: bool
    pattern: str | None
    max_length: int


class ImAppView(BaseModel):
    """An IM app as shown: non-secret fields in clear, secrets only as "set"."""

    platform: PlatformName
    configured: bool
    enabled: bool
    fields: dict[str, str]
    secrets_set: list[str]
    api_base_url: str | None
    validated_at: datetime | None
    updated_at: datetime | None
    credential_fields: list[CredentialField]


def supported(platform: PlatformName | str) -> PlatformName:
    try:
        name = PlatformName(platform)
    except ValueError as exc:
        raise NotFound("unknown platform {platform!r}", platform=platform) from exc
    if name not in MESSENGERS:
        raise NotFound(
            "{platform} has no IM app: direct messages need Slack, Feishu, Lark, DingTalk or WeCom",
            platform=name.value,
        )
    return name


def _fields(platform: PlatformName) -> list[CredentialField]:
    return [CredentialField.model_validate(dataclasses.asdict(s)) for s in credential_specs(platform)]


def view(platform: PlatformName, row: ImAppRow | None) -> ImAppView:
    if row is None:
        return ImAppView(
            platform=platform,
            configured=False,
            enabled=False,
            fields={},
            secrets_set=[],
            api_base_url=None,
            validated_at=None,
            updated_at=None,
            credential_fields=_fields(platform),
        )
    secrets = [s.name for s in credential_specs(platform) if s.secret]
    return ImAppView(
        platform=platform,
        configured=True,
        enabled=row.enabled,
        fields={k: str(v) for k, v in (row.public_fields or {}).items()},
        secrets_set=secrets,
        api_base_url=row.api_base_url,
        validated_at=row.validated_at,
        updated_at=row.updated_at,
        credential_fields=_fields(platform),
    )


async def find(session: AsyncSession, platform: PlatformName | str) -> ImAppRow | None:
    return await session.get(ImAppRow, supported(platform).value)


async def list_all(session: AsyncSession) -> Sequence[ImAppRow]:
    return (await session.scalars(select(ImAppRow).order_by(ImAppRow.platform))).all()


def merged_credentials(
    specs: Sequence[FieldSpec], given: dict[str, str], stored: dict[str, str]
) -> dict[str, str]:
    """Every declared credential: given, or (secrets only) the stored one; checked against its
    declaration (required, pattern, length). Pure."""
    unknown = fields.unknown_names(specs, given)
    if unknown:
        allowed = ", ".join(s.name for s in specs)
        raise Invalid(
            "unknown credential(s) {unknown}; expected {allowed}",
            field="credentials",
            unknown=", ".join(unknown),
            allowed=allowed,
        )
    kept = {spec.name: stored[spec.name] for spec in specs if spec.secret and spec.name in stored}
    changes = {name: value for name, value in given.items() if value.strip() or name not in kept}
    return fields.merged(specs, kept, changes, field="credentials")


def clean_base_url(value: str | None, platform: PlatformName, extra_hosts: Sequence[str]) -> str | None:
    """An override of the app's API address: https on the app's own API host (a regional or
    private endpoint of the same platform), or http(s) on the instance's extra allowed hosts, as
    webhook URLs. The app's credentials are sent there: anywhere else (an instance-metadata
    address, a Redis port on localhost) would hand them, and a look into the network, to whoever
    set the URL."""
    value = (value or "").strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or not sendable_url(value):
        raise Invalid("api_base_url must be an http(s) URL", field="api_base_url")
    host = (parts.hostname or "").lower()
    own_host = (urlsplit(MESSENGERS[platform].default_base_url).hostname or "").lower()
    on_own = parts.scheme == "https" and host == own_host
    on_extra = any(fnmatch(host, allowed.lower()) for allowed in extra_hosts)
    if not (on_own or on_extra):
        raise Invalid(
            "api_base_url must be https on {host} (or on the instance's extra allowed hosts: {hosts})",
            field="api_base_url",
            host=own_host,
            hosts=", ".join(extra_hosts) or "—",
        )
    if not on_extra:
        refuse_other_ports(parts.port, frozenset({HTTPS_PORT}), extra_hosts, field="api_base_url")
    return value


async def save(
    session: AsyncSession,
    platform: PlatformName | str,
    data: ImAppInput,
    *,
    box: SecretBox,
    http: aiohttp.ClientSession,
    validate: bool = True,
    extra_hosts: Sequence[str] = (),
) -> ImAppRow:
    """Create or replace the app of ``platform``; with ``validate`` (the default) the
    credentials must fetch a token (and carry the scopes) first, or nothing is saved."""
    name = supported(platform)
    row = await session.get(ImAppRow, name.value)
    stored = open_credentials(row, box) if row is not None else {}
    specs = credential_specs(name)
    values = merged_credentials(specs, data.credentials, stored)
    base_url = clean_base_url(data.api_base_url, name, extra_hosts)
    now = utcnow()
    validated_at = None
    if validate and data.enabled:
        problem = await build(name, values, http, base_url).check()
        if problem is not None:
            raise Invalid(
                "the {platform} app was not saved: {problem}",
                field="credentials",
                platform=Term(get_platform(name).label),
                problem=problem,
            )
        validated_at = now
    public = {s.name: values[s.name] for s in specs if not s.secret}
    sealed = box.seal(json.dumps(values))
    if row is None:
        row = ImAppRow(platform=name.value, created_at=now, credentials_sealed=sealed)
        session.add(row)
    row.credentials_sealed = sealed
    row.public_fields = public
    row.api_base_url = base_url
    row.enabled = data.enabled
    row.validated_at = validated_at
    row.updated_at = now
    await session.flush()
    return row


async def remove(session: AsyncSession, platform: PlatformName | str) -> None:
    row = await find(session, platform)
    if row is None:
        raise NotFound("no {platform} app is set", platform=PlatformName(platform).value)
    await session.delete(row)
    await session.flush()
