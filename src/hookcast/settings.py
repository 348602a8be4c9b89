"""Instance settings, read from the environment (prefix ``HOOKCAST_``) and an optional ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (0, 5, 30, 120, 600, 1800, 3600, 10800, 21600)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOOKCAST_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./hookcast.db"
    admin_token: SecretStr | None = None
    admin_user: str = "admin"  # the web UI user created on first start with admin_password
    admin_password: SecretStr | None = None
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key for secrets at rest; generated into data_dir if unset."
    )
    data_dir: Path = Path(".")
    extra_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    public_url: str | None = None
    max_body_bytes: int = 4 * 1024 * 1024
    redis_url: str | None = None

    retry_schedule: Annotated[tuple[float, ...], NoDecode] = DEFAULT_RETRY_SCHEDULE
    delivery_timeout: float = 10.0
    max_concurrent_sends: int = 256
    claim_batch: int = 200
    poll_interval: float = 1.0
    lease_seconds: float = 60.0
    shutdown_grace_seconds: float = Field(
        default=10.0,
        description="On SIGTERM / SIGINT, how long sends in flight may finish before they are cut off.",
    )
    enforce_rate_limits: bool = True
    cool_down_seconds: float = Field(
        default=30, description="How long a bot rests after a 'too fast' answer that does not say."
    )
    retention_days: float = Field(
        default=30,
        description="Delivered deliveries and their attempts are pruned after this; dead ones kept.",
    )

    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("extra_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(h.strip().lower() for h in value.split(",") if h.strip())
        return value

    @field_validator("retry_schedule", mode="before")
    @classmethod
    def _split_schedule(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(s) for s in value.split(",") if s.strip())
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
