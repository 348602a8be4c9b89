"""Which webhooks want an event: triggers, branches, labels, broken pipelines.

Pure functions; the rules follow GitLab's chat integrations (``Integrations::Base::ChatNotification``):

1. an inactive webhook wants nothing;
2. the event's kind must be one of the webhook's triggers. Confidential issues and notes have
   their own kinds (the parser gives them), and an issue / note that is marked confidential but
   somehow carries the plain kind is still only sent to the confidential trigger;
3. issue and merge request ``update`` actions are not notifications (GitLab skips them too);
   a merge request update that requests a review has the action ``review_requested`` and is;
4. pipelines notify on their final states only — ``success``, ``failed``, ``canceled``,
   ``skipped`` — and on ``manual`` (waiting for someone), see `NOTIFIED_PIPELINE_STATUSES`;
   running, pending and other in-progress states would triple the chat traffic of every
   pipeline. ``pipelines_to_be_notified`` narrows that (`PipelineFilter`): ``broken`` (GitLab's
   ``notify_only_broken_pipelines``) keeps ``failed`` pipelines only, ``broken_and_fixed`` keeps
   the pipelines that changed their ref's state: the first failure after a pass (or on a ref
   hookcast has not seen yet) and the pass that fixes it, not a failure after a failure ("still
   failing") nor a pass after a pass (`events.pipeline_change`). Under either, jobs notify when
   they fail (a job has no memory of its ref); under ``all``, in any status;
5. the branch filter applies to push, pipeline, deployment and job events, never to tag pushes
   or to pipelines / jobs / deployments of a tag. ``default`` compares the branch with the
   project's default branch; when the event does not know it, ``main`` and ``master`` count as
   default. ``protected`` matches ``protected_branches`` (fnmatch patterns such as
   ``release/*``) and also accepts a push that GitLab itself marked ``ref_protected``.
   An event without a branch (e.g. a deployment payload without ``ref``) passes: there is
   nothing to filter on;
6. the label filter applies to issues, merge requests and notes (which carry the labels of the
   issue / merge request they are on). A non-empty filter is never passed by an event without
   labels; ``match_any`` needs one common label, ``match_all`` needs every filter label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import TypeVar

from hookcast.events import Event, EventKind, PipelineChange, pipeline_change
from hookcast.kinds import Filter, kinds_with, spec_of

T = TypeVar("T")

NOTIFIED_PIPELINE_STATUSES: frozenset[str] = frozenset({"success", "failed", "canceled", "skipped", "manual"})
BROKEN_STATUS = "failed"
FALLBACK_DEFAULT_BRANCHES: frozenset[str] = frozenset({"main", "master"})

# Which rule applies to which kind is declared in the kinds catalogue (hookcast/kinds.py).
_BRANCH_FILTERED_KINDS = kinds_with(Filter.BRANCHES)
_LABEL_FILTERED_KINDS = kinds_with(Filter.LABELS)
_QUIET_UPDATE_KINDS = kinds_with(Filter.QUIET_UPDATES)
_PIPELINE_STATE_KINDS = kinds_with(Filter.PIPELINE_STATES)
_ONLY_BROKEN_KINDS = kinds_with(Filter.ONLY_BROKEN)


class BranchFilter(StrEnum):
    ALL = "all"
    DEFAULT = "default"
    PROTECTED = "protected"
    DEFAULT_AND_PROTECTED = "default_and_protected"


class PipelineFilter(StrEnum):
    """Which finished pipelines a webhook is told about (rule 4)."""

    ALL = "all"
    BROKEN_AND_FIXED = "broken_and_fixed"
    BROKEN = "broken"


_STATE_CHANGES: frozenset[PipelineChange] = frozenset({PipelineChange.BROKEN, PipelineChange.FIXED})


class LabelBehavior(StrEnum):
    MATCH_ANY = "match_any"
    MATCH_ALL = "match_all"


@dataclass(frozen=True, slots=True)
class RouteRules:
    active: bool
    triggers: frozenset[EventKind]
    pipelines_to_be_notified: PipelineFilter = PipelineFilter.ALL
    branches_to_be_notified: BranchFilter = BranchFilter.DEFAULT
    labels_to_be_notified: frozenset[str] = frozenset()
    labels_behavior: LabelBehavior = LabelBehavior.MATCH_ANY


def parse_labels(text: str) -> frozenset[str]:
    """``"~bug, ~ui ,"`` -> ``{"bug", "ui"}``; ``~"needs review"`` -> ``needs review``."""
    labels = (_clean_label(part) for part in text.split(","))
    return frozenset(label for label in labels if label)


def _clean_label(part: str) -> str:
    label = part.strip().removeprefix("~").strip()
    if len(label) >= 2 and label[0] == label[-1] == '"':
        label = label[1:-1].strip()
    return label


class FilterName(StrEnum):
    """The filter that kept an event from a webhook (`decide`), as "why did (not) this notify?"
    names it; in the order they are applied (the numbered rules above)."""

    INACTIVE = "inactive"
    TRIGGER = "trigger"
    QUIET_UPDATE = "quiet_update"
    PIPELINE_STATE = "pipeline_state"
    BRANCH = "branch"
    LABELS = "labels"


def decide(event: Event, rules: RouteRules, protected_branches: Sequence[str] = ()) -> FilterName | None:
    """The first filter of ``rules`` that keeps ``event`` from the webhook, None when all pass."""
    if not rules.active:
        return FilterName.INACTIVE
    if trigger_of(event) not in rules.triggers:
        return FilterName.TRIGGER
    if _is_quiet_update(event):
        return FilterName.QUIET_UPDATE
    if not _ci_status_wanted(event, rules):
        return FilterName.PIPELINE_STATE
    if not _branch_wanted(event, rules.branches_to_be_notified, protected_branches):
        return FilterName.BRANCH
    if not _labels_wanted(event, rules):
        return FilterName.LABELS
    return None


def wants(event: Event, rules: RouteRules, protected_branches: Sequence[str] = ()) -> bool:
    """Whether a webhook with ``rules`` is to be told about ``event``."""
    return decide(event, rules, protected_branches) is None


def route(
    event: Event, candidates: Sequence[tuple[T, RouteRules]], protected_branches: Sequence[str] = ()
) -> list[T]:
    """The candidates (in their order) whose rules want ``event``."""
    return [target for target, rules in candidates if wants(event, rules, protected_branches)]


def trigger_of(event: Event) -> EventKind:
    """The trigger that selects ``event``: its kind, or the confidential twin of a confidential one."""
    twin = spec_of(event.kind).confidential_twin
    return twin if event.confidential and twin is not None else event.kind


def _is_quiet_update(event: Event) -> bool:
    return event.kind in _QUIET_UPDATE_KINDS and event.action == "update"


def _ci_status_wanted(event: Event, rules: RouteRules) -> bool:
    narrowing = rules.pipelines_to_be_notified
    if narrowing != PipelineFilter.ALL and event.kind in _ONLY_BROKEN_KINDS:
        if narrowing == PipelineFilter.BROKEN_AND_FIXED and event.kind == EventKind.PIPELINE:
            return pipeline_change(event) in _STATE_CHANGES
        return event.action == BROKEN_STATUS
    return event.kind not in _PIPELINE_STATE_KINDS or event.action in NOTIFIED_PIPELINE_STATUSES


def _branch_wanted(event: Event, branch_filter: BranchFilter, protected_branches: Sequence[str]) -> bool:
    if event.kind not in _BRANCH_FILTERED_KINDS or event.is_tag or not event.branch:
        return True
    if branch_filter == BranchFilter.ALL:
        return True
    is_default = _is_default_branch(event)
    is_protected = _is_protected_branch(event, protected_branches)
    if branch_filter == BranchFilter.DEFAULT:
        return is_default
    if branch_filter == BranchFilter.PROTECTED:
        return is_protected
    return is_default or is_protected


def on_default_or_protected_branch(event: Event, protected_branches: Sequence[str] = ()) -> bool:
    """Whether ``event`` is on the default branch or a protected one, as the branch filter sees
    them (quiet hours let failures there through). An event without a branch, or of a tag, is not."""
    if event.is_tag or not event.branch:
        return False
    return _is_default_branch(event) or _is_protected_branch(event, protected_branches)


def _is_default_branch(event: Event) -> bool:
    default = event.project.default_branch
    if default:
        return event.branch == default
    return event.branch in FALLBACK_DEFAULT_BRANCHES


def _is_protected_branch(event: Event, protected_branches: Sequence[str]) -> bool:
    branch = event.branch or ""
    if event.detail("ref_protected") == "true":
        return True
    return any(fnmatchcase(branch, pattern) for pattern in protected_branches if pattern)


def _labels_wanted(event: Event, rules: RouteRules) -> bool:
    wanted = rules.labels_to_be_notified
    if event.kind not in _LABEL_FILTERED_KINDS or not wanted:
        return True
    labels = set(event.labels)
    if rules.labels_behavior == LabelBehavior.MATCH_ALL:
        return wanted <= labels
    return not wanted.isdisjoint(labels)
