"""What every text a user hands hookcast (API bodies, UI forms, CSV rows) must not hold: a NUL.

PostgreSQL's text types cannot store U+0000, so a NUL in a name reached the database as a 500
there (and was stored on SQLite); no name, path, URL or setting has a use for one. Input models
derive from :class:`TextInput`, which refuses it in any field, nested values included; the
few inputs that are not models call :func:`has_nul`.
"""

from __future__ import annotations

from pydantic import BaseModel, field_validator
from pydantic_core import PydanticCustomError

NUL_ERROR = "nul_character"
NUL_MESSAGE = "must not contain a NUL character (U+0000)"


def has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(has_nul(item) for item in value)
    return False


class TextInput(BaseModel):
    """A model of user input: a NUL anywhere in a field is a validation error (``nul_character``)."""

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: object) -> object:
        if has_nul(value):
            raise PydanticCustomError(NUL_ERROR, NUL_MESSAGE)
        return value
