"""Where the instance's secret keys live: ``HOOKCAST_SECRET_KEY`` or the key file.

Either holds one or more Fernet keys, newest first: comma-separated in the setting, one a line in
``DATA_DIR/hookcast.key``. The newest seals, the others only open what was sealed before a
rotation (``hookcast keys rotate``, ``cli/keys.py``). The file is written whole to a temporary
file and renamed over the old one, so a crash leaves either the old keys or the new ones, never a
torn file, and it is readable by its owner only (0600), as the database is.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet

if TYPE_CHECKING:
    from hookcast.settings import Settings

KEY_FILE_NAME = "hookcast.key"
OWNER_ONLY = 0o600


def parse_keys(text: str, where: str) -> list[bytes]:
    """The keys in ``text`` (commas or line breaks between them), each checked to be a Fernet key;
    ValueError naming ``where`` (never the key) otherwise."""
    keys = [part.strip().encode() for part in text.replace(",", "\n").splitlines() if part.strip()]
    if not keys:
        raise ValueError(f"{where} holds no key")
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ValueError(
                f"{where}: key {number} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
    return keys


def new_key() -> bytes:
    return Fernet.generate_key()


@dataclass(frozen=True, slots=True)
class KeySource:
    """The instance's keys as configured: the setting when it is set, else the key file."""

    configured: str | None
    path: Path

    @classmethod
    def of(cls, settings: Settings) -> KeySource:
        configured = settings.secret_key.get_secret_value() if settings.secret_key else None
        return cls(configured or None, settings.data_dir / KEY_FILE_NAME)

    @property
    def from_setting(self) -> bool:
        return self.configured is not None

    @property
    def exists(self) -> bool:
        return self.from_setting or self.path.is_file()

    def read(self) -> list[bytes]:
        if self.configured is not None:
            return parse_keys(self.configured, "HOOKCAST_SECRET_KEY")
        return parse_keys(self.path.read_text(encoding="ascii"), str(self.path))

    def watch(self) -> KeyFileWatch | None:
        """What tells a running box of a rotation: the key file's watch (None for the setting,
        which a process learns at start only)."""
        return None if self.from_setting else KeyFileWatch(self.path)

    def load_or_create(self) -> list[bytes]:
        """The keys; a first key is made in the key file (0600) when there is neither a setting
        nor a file."""
        if not self.exists:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            create_key_file(self.path, [new_key()])
        return self.read()

    def describe(self) -> str:
        """For ``hookcast info``: where the keys are, how many, and who may read the file."""
        if self.configured is not None:
            try:
                count = len(self.read())
            except ValueError as exc:
                return f"HOOKCAST_SECRET_KEY ({exc})"
            return f"HOOKCAST_SECRET_KEY ({_keys(count)})"
        if not self.path.is_file():
            return f"{self.path} (does not exist yet: 'hookcast serve' creates it)"
        mode = stat.S_IMODE(self.path.stat().st_mode)
        warning = "" if mode & 0o077 == 0 else ": readable by others, 'hookcast serve' makes it 0600"
        try:
            count = len(self.read())
        except ValueError as exc:
            return f"{self.path} ({exc})"
        return f"{self.path} ({_keys(count)}, mode {mode:04o}{warning})"


class KeyFileWatch:
    """The key file's keys again when it has changed since last seen (another process rotated
    them), else None: one ``stat`` per question. Made before the keys are first read, so a
    change in between is seen too."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen = self._signature()

    def _signature(self) -> tuple[int, int, int] | None:
        try:
            status = self._path.stat()
        except OSError:
            return None
        return status.st_ino, status.st_mtime_ns, status.st_size

    def __call__(self) -> list[bytes] | None:
        now = self._signature()
        if now is None or now == self._seen:
            return None
        try:
            keys = parse_keys(self._path.read_text(encoding="ascii"), str(self._path))
        except (OSError, ValueError):  # gone or damaged: keep the keys held, look again later
            return None
        self._seen = now
        return keys


def _keys(count: int) -> str:
    return "1 key" if count == 1 else f"{count} keys, newest first"


def create_key_file(path: Path, keys: list[bytes]) -> None:
    """Write ``keys`` to a new file at ``path``; FileExistsError if there is one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def replace_key_file(path: Path, keys: list[bytes]) -> None:
    """Put ``keys`` in the key file at once: written to a temporary file beside it (0600, synced),
    then renamed over it, and the folder synced, so the rename survives a power cut."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        create_key_file(temporary, keys)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def make_owner_only(path: Path) -> bool:
    """Take away group and other access from the key file; True when it had some."""
    if not path.is_file():
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077 == 0:
        return False
    path.chmod(OWNER_ONLY)
    return True
