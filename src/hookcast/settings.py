"""Instance settings, read from the environment (prefix ``HOOKCAST_``) and an optional ``.env``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Self
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (0, 5, 30, 120, 600, 1800, 3600, 10800, 21600)
DATABASE_FILE_NAME = "hookcast.db"


def default_data_dir(env: Mapping[str, str], cwd: Path, home: Path) -> Path:
    """Where an instance keeps its database and key when ``HOOKCAST_DATA_DIR`` is not given.

    One place per user, so that the server and the CLI find the same database wherever they are
    started: ``$XDG_DATA_HOME/hookcast``, else ``~/.local/share/hookcast``. A ``hookcast.db``
    already in the current folder wins, so that installs from before keep their data.
    """
    if env.get("HOOKCAST_DATA_DIR"):
        return cwd / Path(env["HOOKCAST_DATA_DIR"]).expanduser()
    if (cwd / DATABASE_FILE_NAME).is_file():
        return cwd
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative path
        return Path(xdg) / "hookcast"
    return home / ".local" / "share" / "hookcast"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    if not database_url.startswith("sqlite"):
        return None
    _scheme, sep, rest = database_url.partition(":///")
    path = rest.split("?", 1)[0]
    if not sep or not path or path == ":memory:":
        return None
    return Path(path)


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***``, fit to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _at, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostinfo}"))


DEFAULT_PASSWORD_HASH_MEMORY_KIB = 64 * 1024  # RFC 9106, section 4: the low-memory recommendation
MIN_PASSWORD_HASH_MEMORY_KIB = 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOOKCAST_", env_file=".env", extra="ignore")

    database_url: str = Field(default="", description="Default: SQLite in data_dir.")
    admin_token: SecretStr | None = None
    admin_user: str = "admin"  # the web UI user created on first start with admin_password
    admin_password: SecretStr | None = None
    secret_key: SecretStr | None = Field(
        default=None, description="Fernet key for secrets at rest; generated into data_dir if unset."
    )
    data_dir: Path = Field(default=Path(), description="Default: see default_data_dir.")
    extra_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    public_url: str | None = None
    max_body_bytes: int = 4 * 1024 * 1024
    metrics_token: SecretStr | None = Field(
        default=None, description="When set, GET /metrics needs 'Authorization: Bearer <this>'."
    )
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
    paused_backlog: int = Field(
        default=300,
        ge=0,
        description="How many deliveries may wait for a paused webhook; newer ones are set aside "
        "(state 'skipped', kept in the history, sent again on request).",
    )
    retention_days: float = Field(
        default=30,
        description="Delivered deliveries and their attempts are pruned after this; dead ones kept.",
    )

    password_hash_memory_kib: int = Field(
        default=DEFAULT_PASSWORD_HASH_MEMORY_KIB,
        ge=MIN_PASSWORD_HASH_MEMORY_KIB,
        description="Memory one web UI password hash takes (argon2id, KiB). The default is RFC "
        "9106's second recommended setting (64 MiB, 3 passes); a small machine may lower it, at "
        "the cost of cheaper guesses. Stored hashes are redone at the next sign-in.",
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

    @model_validator(mode="after")
    def _locate_data(self) -> Self:
        """Fill in the data directory and the database when they are not configured."""
        if "data_dir" not in self.model_fields_set:
            self.data_dir = default_data_dir(os.environ, Path.cwd(), Path.home())
        self.data_dir = self.data_dir.expanduser().absolute()
        if not self.database_url:
            self.database_url = sqlite_url(self.data_dir / DATABASE_FILE_NAME)
        return self

    @property
    def database_file(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL."""
        return sqlite_path(self.database_url)

    def prepare_data_dir(self) -> None:
        """Create the data directory (only its owner may enter), when a server starts."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
