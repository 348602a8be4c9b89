"""The event subscription keys of each app (Verification Token, optional Encrypt Key), sealed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from hookcast.clock import utcnow
from hookcast.crypto import SecretBox
from hookcast.feishubot.pushed import Keys
from hookcast.platforms.base import PlatformName
from hookcast.services.errors import NotFound
from hookcast.store.feishu_chats import FeishuBotKeys


class KeysInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    verification_token: str = Field(
        min_length=1,
        max_length=200,
        description="Events & Callbacks > Encryption strategy: Verification Token.",
    )
    encrypt_key: str | None = Field(
        default=None, max_length=200, description="The Encrypt Key, when one is set there (recommended)."
    )


class KeysView(BaseModel):
    platform: PlatformName
    verification_token_set: bool
    encrypt_key_set: bool


async def load(session: AsyncSession, box: SecretBox, platform: PlatformName) -> Keys | None:
    row = await session.get(FeishuBotKeys, platform.value)
    if row is None:
        return None
    encrypt_key = box.open(row.encrypt_key_sealed) if row.encrypt_key_sealed else None
    return Keys(box.open(row.verification_token_sealed), encrypt_key)


async def save(session: AsyncSession, box: SecretBox, platform: PlatformName, data: KeysInput) -> KeysView:
    row = await session.get(FeishuBotKeys, platform.value)
    if row is None:
        row = FeishuBotKeys(platform=platform.value)
        session.add(row)
    row.verification_token_sealed = box.seal(data.verification_token)
    row.encrypt_key_sealed = box.seal(data.encrypt_key) if data.encrypt_key else None
    row.updated_at = utcnow()
    await session.flush()
    return KeysView(platform=platform, verification_token_set=True, encrypt_key_set=bool(data.encrypt_key))


async def view(session: AsyncSession, platform: PlatformName) -> KeysView:
    row = await session.get(FeishuBotKeys, platform.value)
    return KeysView(
        platform=platform,
        verification_token_set=row is not None,
        encrypt_key_set=row is not None and row.encrypt_key_sealed is not None,
    )


async def remove(session: AsyncSession, platform: PlatformName) -> None:
    row = await session.get(FeishuBotKeys, platform.value)
    if row is None:
        raise NotFound(f"no event subscription keys are set for {platform.value}")
    await session.delete(row)
    await session.flush()
