"""Instance settings kept in the ``instance_settings`` table: delivery history retention and the
public URL override (used for the inbound URLs shown to people)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.delivery.retention import RETENTION_KEY
from hookcast.services.errors import Invalid
from hookcast.settings import Settings
from hookcast.store.tables import InstanceSetting

PUBLIC_URL_KEY = "public_url"
DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True, slots=True)
class InstanceValues:
    retention_days: int
    public_url: str  # "" when not overridden


async def _read(session: AsyncSession, key: str) -> str | None:
    row = await session.get(InstanceSetting, key)
    return row.value if row else None


async def _write(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(InstanceSetting, key)
    if row is None:
        session.add(InstanceSetting(key=key, value=value))
    else:
        row.value = value
    await session.flush()


async def load(session: AsyncSession) -> InstanceValues:
    retention = await _read(session, RETENTION_KEY)
    return InstanceValues(
        retention_days=int(retention) if retention and retention.isdigit() else DEFAULT_RETENTION_DAYS,
        public_url=await _read(session, PUBLIC_URL_KEY) or "",
    )


def check_retention(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RETENTION_DAYS:
        raise Invalid(
            "a whole number of days from 1 to {max}", field="retention_days", max=MAX_RETENTION_DAYS
        )
    return int(raw)


def check_public_url(raw: str) -> str:
    raw = raw.strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise Invalid("an http(s) address such as https://hookcast.example.com", field="public_url")
    return raw


async def save(session: AsyncSession, retention_days: str, public_url: str) -> InstanceValues:
    values = InstanceValues(check_retention(retention_days.strip()), check_public_url(public_url))
    await _write(session, RETENTION_KEY, str(values.retention_days))
    await _write(session, PUBLIC_URL_KEY, values.public_url)
    return values


async def public_base_url(session: AsyncSession, settings: Settings, request_base: str) -> str:
    """Where people reach hookcast: the UI override, then HOOKCAST_PUBLIC_URL, then this request."""
    override = await _read(session, PUBLIC_URL_KEY)
    return (override or settings.public_url or request_base).rstrip("/")
