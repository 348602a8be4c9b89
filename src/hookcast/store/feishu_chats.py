"""Tables of the Feishu / Lark assistant bot.

``feishu_chats``: the group chats the instance's app bot was added to, and the destination
token of each (the chat's webhook URL is ``{public URL}/feishu/chats/{token}``; the token is
kept sealed, its digest finds the chat). ``feishu_bot_events``: every event Feishu pushed,
unique per ``event_id`` (Feishu re-sends), worked off outside the request.
``feishu_bot_messages``: what the bot must send (welcome cards, replies, the private URL), an
outbox with retries. Both are queues on the outbox's primitives (``store/outbox/leases.py``) and
use its states. ``feishu_bot_keys``: the event subscription's Verification Token and Encrypt Key
of each app, sealed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hookcast.store.sealed import SEALED
from hookcast.store.tables import Base, BigId, UTCDateTime


class FeishuChat(Base):
    __tablename__ = "feishu_chats"
    __table_args__ = (UniqueConstraint("platform", "chat_id", name="uq_feishu_chats_chat"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))  # feishu | lark
    chat_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None: not known
    state: Mapped[str] = mapped_column(String(16), default="active")  # active | gone
    token_sealed: Mapped[str | None] = mapped_column(Text, nullable=True, info=SEALED)
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    added_by: Mapped[str | None] = mapped_column(String(128), nullable=True)  # open_id
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeishuBotEvent(Base):
    __tablename__ = "feishu_bot_events"
    __table_args__ = (
        UniqueConstraint("platform", "event_id", name="uq_feishu_bot_events_event"),
        Index("ix_feishu_bot_events_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the decrypted v2 envelope
    base_url: Mapped[str] = mapped_column(Text)  # where hookcast is reached (links, chat URLs)
    # outbox.State: pending | sending | delivered (handled) | failed | dead
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeishuBotMessage(Base):
    __tablename__ = "feishu_bot_messages"
    __table_args__ = (Index("ix_feishu_bot_messages_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    receive_id_type: Mapped[str] = mapped_column(String(16))  # chat_id | open_id
    receive_id: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(32))  # welcome | help | webhook_url | ...
    card_sealed: Mapped[str] = mapped_column(Text, info=SEALED)  # the card JSON, sealed (it may hold a URL)
    uuid: Mapped[str] = mapped_column(String(50))  # Feishu's de-duplication key
    # outbox.State: pending | sending | delivered | failed | dead
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeishuBotKeys(Base):
    __tablename__ = "feishu_bot_keys"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    verification_token_sealed: Mapped[str] = mapped_column(Text, info=SEALED)
    encrypt_key_sealed: Mapped[str | None] = mapped_column(Text, nullable=True, info=SEALED)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
