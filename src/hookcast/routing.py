"""Which webhooks want an event: triggers, branches, labels, broken pipelines.

Pure functions; the rules follow GitLab's chat integrations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hookcast.events import Event, EventKind


class BranchFilter(StrEnum):
    ALL = "all"
    DEFAULT = "default"
    PROTECTED = "protected"
    DEFAULT_AND_PROTECTED = "default_and_protected"


class LabelBehavior(StrEnum):
    MATCH_ANY = "match_any"
    MATCH_ALL = "match_all"


@dataclass(frozen=True, slots=True)
class RouteRules:
    active: bool
    triggers: frozenset[EventKind]
    notify_only_broken_pipelines: bool = False
    branches_to_be_notified: BranchFilter = BranchFilter.DEFAULT
    labels_to_be_notified: frozenset[str] = frozenset()
    labels_behavior: LabelBehavior = LabelBehavior.MATCH_ANY


def parse_labels(text: str) -> frozenset[str]:
    """``"~bug, ~ui ,"`` -> ``{"bug", "ui"}``."""
    raise NotImplementedError


def wants(event: Event, rules: RouteRules, protected_branches: Sequence[str] = ()) -> bool:
    """Whether a webhook with ``rules`` is to be told about ``event``."""
    raise NotImplementedError
