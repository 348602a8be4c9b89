"""Which columns hold `SecretBox` output, said on the columns themselves (``info=SEALED``).

A key rotation (``services/key_rotation.py``) re-seals exactly these, so a table that gains a
sealed column is rotated by declaring it so; ``tests/unit/test_sealed_columns.py`` fails for a
``*_sealed`` column that is not declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, MetaData, Table


class Sealed(StrEnum):
    VALUE = "value"  # the column is one sealed value (or NULL)
    SETTINGS = "settings"  # webhook settings JSON: each value under "sealed" is sealed on its own


INFO_KEY = "sealed"
SEALED: dict[str, Any] = {INFO_KEY: Sealed.VALUE}
SEALED_SETTINGS: dict[str, Any] = {INFO_KEY: Sealed.SETTINGS}


@dataclass(frozen=True, slots=True)
class SealedTable:
    table: Table
    key: Column[Any]  # the table's one primary-key column: batches are taken in its order
    columns: tuple[tuple[Column[Any], Sealed], ...]


def sealed_tables(metadata: MetaData) -> list[SealedTable]:
    """Every table with a sealed column, in the metadata's dependency order."""
    found = []
    for table in metadata.sorted_tables:
        columns = tuple(
            (column, Sealed(column.info[INFO_KEY])) for column in table.columns if INFO_KEY in column.info
        )
        if columns:
            (key,) = table.primary_key.columns
            found.append(SealedTable(table, key, columns))
    return found
