"""What an import changes: snapshots before and after, compared item by item and field by field."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from hookcast.services.config_document.sections import Snapshot


class Action(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    KEPT = "kept"  # in the instance, not in the document, not pruned: nothing happens to it
    SKIPPED = "skipped"  # in the document, not applied (its note says why): nothing happens

    @property
    def changes(self) -> bool:
        """Whether an item named with this action is a change (kept and skipped ones are not)."""
        return self not in (Action.KEPT, Action.SKIPPED)


class FieldChange(BaseModel):
    field: str
    old: str | None = Field(description="As it was (null: not set); secrets only redacted or 'set'.")
    new: str | None = Field(description="As it will be (null: not set).")


class ItemChange(BaseModel):
    section: str = Field(description="'project', or the document's section ('webhooks').")
    noun: str
    name: str
    action: Action
    fields: list[FieldChange] = Field(default_factory=list)
    note: str | None = Field(default=None, description="Why a skipped item is not applied.")


def compared(section: str, noun: str, before: Snapshot, after: Snapshot) -> list[ItemChange]:
    """The items added, changed and removed from ``before`` to ``after`` (in their order)."""
    changes = []
    for name, fields in after.items():
        old = before.get(name)
        if old is None:
            moved = [FieldChange(field=f, old=None, new=shown.text) for f, shown in fields.items()]
            changes.append(
                ItemChange(section=section, noun=noun, name=name, action=Action.ADDED, fields=moved)
            )
            continue
        moved = [
            FieldChange(
                field=f,
                old=old[f].text if f in old else None,
                new=fields[f].text if f in fields else None,
            )
            for f in [*fields, *(f for f in old if f not in fields)]
            if (old[f].compared if f in old else None) != (fields[f].compared if f in fields else None)
        ]
        if moved:
            changes.append(
                ItemChange(section=section, noun=noun, name=name, action=Action.CHANGED, fields=moved)
            )
    changes.extend(
        ItemChange(section=section, noun=noun, name=name, action=Action.REMOVED)
        for name in before
        if name not in after
    )
    return changes


def text(changes: list[ItemChange]) -> str:
    """The diff as a person reads it: one line per item, one indented line per field."""
    lines = []
    for change in changes:
        lines.append(f"{change.noun} {change.name!r}: {change.action.value}{_why(change)}")
        for moved in change.fields:
            if change.action == Action.ADDED:
                lines.append(f"  + {moved.field}: {moved.new}")
            elif moved.old is not None and moved.new is not None and moved.old == moved.new:
                lines.append(f"  ~ {moved.field}: {moved.old} (secret part changed)")
            else:
                lines.append(f"  ~ {moved.field}: {_or_unset(moved.old)} -> {_or_unset(moved.new)}")
    if not any(change.action.changes for change in changes):
        lines.append("no changes")
    return "\n".join(lines) + "\n"


def _why(change: ItemChange) -> str:
    if change.action == Action.KEPT:
        return " (not in the document; --prune removes it)"
    if change.action == Action.SKIPPED:
        return f" ({change.note})"
    return ""


def _or_unset(value: str | None) -> str:
    return "(not set)" if value is None else value
