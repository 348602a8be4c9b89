"""Tables of the user directory and the IM apps.

``people``: who hookcast can mention and message — name, email, mobile, GitLab username, GitHub
login (unique without regard to case: the index is on its lower-case form), and
the ids found for them on each platform (``{"slack": "U123", "feishu": "ou_…"}``), filled by
look-ups and kept as a persistent look-up cache. ``im_apps``: one app per platform, its
credentials sealed with the instance's SecretBox (only non-secret fields kept in clear).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from hookcast.store.sealed import SEALED
from hookcast.store.tables import Base, BigId, UTCDateTime


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), unique=True, nullable=True)  # lower-cased
    mobile: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    gitlab_username: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    github_login: Mapped[str | None] = mapped_column(String(39), nullable=True)  # as given
    platform_ids: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_people_github_login", func.lower(github_login), unique=True),)


class ImAppRow(Base):
    __tablename__ = "im_apps"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    credentials_sealed: Mapped[str] = mapped_column(Text, info=SEALED)  # JSON of every credential, sealed
    public_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. app_id, agent_id
    api_base_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
