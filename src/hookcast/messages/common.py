"""Building blocks shared by the renderers: links, sentences with inline links, fields, lists.

Everything here is pure and returns plain text or Message parts; nothing adds markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from string import Formatter
from urllib.parse import quote

from hookcast.events import Event, EventKind, Item, Role
from hookcast.messages.i18n import N_, Translator
from hookcast.messages.model import Action, Line, Link, Mention, Message, MessageField, Segment, Text

MAX_TEXT_LENGTH = 500
MAX_TITLE_PART_LENGTH = 120
MAX_ITEMS = 5
ELLIPSIS = "…"
ZERO_SHA = "0" * 40

_FULL_WIDTH_PUNCTUATION = "，。：；！？、（）「」《》"


# --- text ---------------------------------------------------------------------------------


def truncate(text: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """``text`` without surrounding blanks, cut to ``limit`` characters ending in an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def first_line(text: str, limit: int = MAX_TITLE_PART_LENGTH) -> str:
    """The first non-blank line of ``text``, cut to ``limit``."""
    for line in text.splitlines():
        if line.strip():
            return truncate(line, limit)
    return ""


_BLANKS = re.compile(r"\s+")
_BLANKS_BEFORE_PUNCTUATION = re.compile(rf"\s+([{_FULL_WIDTH_PUNCTUATION}])")
_BLANKS_AFTER_PUNCTUATION = re.compile(rf"([{_FULL_WIDTH_PUNCTUATION}])\s+")


def tidy(text: str) -> str:
    """Collapse runs of blanks (left by empty placeholders) and drop blanks next to CJK punctuation."""
    text = _BLANKS.sub(" ", text).strip()
    text = _BLANKS_BEFORE_PUNCTUATION.sub(r"\1", text)
    return _BLANKS_AFTER_PUNCTUATION.sub(r"\1", text)


def short_sha(sha: str | None) -> str:
    return (sha or "")[:8]


def is_zero_sha(sha: str | None) -> bool:
    return bool(sha) and set(sha or "") == {"0"}


def join_names(names: Iterable[str]) -> str:
    return ", ".join(name for name in names if name)


# --- people and references ------------------------------------------------------------


def actor_name(event: Event, t: Translator) -> str:
    actor = event.actor
    return actor.name or actor.username or t.gettext("Someone")


def people_with_role(event: Event, role: Role) -> tuple[str, ...]:
    return tuple(
        user.person.name or user.person.username or ""
        for user in event.related_users
        if user.role is role and (user.person.name or user.person.username)
    )


def reference(event: Event, sigil: str) -> str:
    """``#12`` / ``!12`` for the event's object, or ``""`` when it has no id."""
    return f"{sigil}{event.object_id}" if event.object_id else ""


def labelled(ref: str, title: str) -> str:
    """``#12 Fix login`` from a reference and a title, either possibly empty."""
    return " ".join(part for part in (ref, first_line(title)) if part)


# --- URLs -------------------------------------------------------------------------------


GITHUB = "github"  # `Event.source` of GitHub's events: its words and its URLs differ from GitLab's


def project_url(event: Event, *path: str) -> str | None:
    """A URL inside the event's project, e.g. ``project_url(e, "-", "tree", "main")`` (GitLab's
    ``/-/`` is left out of GitHub's URLs: ``/tree/main``)."""
    base = event.project.url
    if not base:
        return None
    if event.source == GITHUB and path[:1] == ("-",):
        path = path[1:]
    if not path:
        return base
    return base.rstrip("/") + "/" + "/".join(_quoted(part) for part in path)


@functools.lru_cache(maxsize=4096)
def _quoted(part: str) -> str:
    """A path part percent-encoded. Memoised: the same few parts (``-``, ``tree``, a project's
    branches) are quoted for every message, and `quote` was a tenth of rendering a push."""
    return quote(part, safe="/")


def branch_url(event: Event, branch: str) -> str | None:
    return project_url(event, "-", "tree", branch)


def tag_url(event: Event, tag: str) -> str | None:
    if event.source == GITHUB:  # GitHub shows a tag's tree; it has no page per tag
        return project_url(event, "tree", tag)
    return project_url(event, "-", "tags", tag)


def commit_url(event: Event, sha: str) -> str | None:
    return project_url(event, "-", "commit", sha)


def link_or_text(text: str, url: str | None, *, code: bool = False) -> Segment:
    return Link(text, url) if url else Text(text, code=code)


def project_segment(event: Event) -> Segment:
    name = event.project.name or event.project.path_with_namespace
    return link_or_text(name, event.project.url)


def branch_segment(event: Event, branch: str) -> Segment:
    return link_or_text(branch, branch_url(event, branch), code=True)


def commit_segment(event: Event, sha: str) -> Segment:
    return link_or_text(short_sha(sha), commit_url(event, sha), code=True)


def object_segment(event: Event, text: str) -> Segment:
    return link_or_text(text, event.url)


# --- sentences with inline links --------------------------------------------------------


def sentence(t: Translator, message: str, /, **values: Segment | str) -> Line:
    """Translate ``message`` and fill its ``{name}`` placeholders with text or link segments.

    ``sentence(t, "{actor} pushed to {branch}", actor="Alice", branch=Link("main", url))``
    gives ``(Text("Alice"), Text(" pushed to "), Link("main", url))``: links stay links
    wherever the translation puts them.
    """
    segments: list[Segment] = []
    for literal, name, _spec, _conversion in Formatter().parse(t.gettext(message)):
        if literal:
            segments.append(Text(literal))
        if name is None:
            continue
        value = values[name]
        if isinstance(value, str):
            if value:
                segments.append(Text(value))
        else:
            segments.append(value)
    return _merge_texts(segments)


def _merge_texts(segments: Sequence[Segment]) -> Line:
    merged: list[Segment] = []
    for segment in segments:
        previous = merged[-1] if merged else None
        if (
            isinstance(segment, Text)
            and isinstance(previous, Text)
            and (segment.bold, segment.code) == (previous.bold, previous.code) == (False, False)
        ):
            merged[-1] = Text(previous.text + segment.text)
        else:
            merged.append(segment)
    return tuple(merged)


def description_lines(text: str, limit: int = MAX_TEXT_LENGTH) -> tuple[Line, ...]:
    """User-written text (a description, a comment) cut to ``limit``, as one plain line."""
    cut = truncate(text, limit)
    return ((Text(cut),),) if cut else ()


# --- fields -----------------------------------------------------------------------------


def text_field(label: str, value: str | None, *, short: bool = True) -> MessageField | None:
    return MessageField(label, (Text(value),), short) if value else None


def present(fields: Iterable[MessageField | None]) -> tuple[MessageField, ...]:
    return tuple(f for f in fields if f is not None)


def labels_field(event: Event, t: Translator) -> MessageField | None:
    return text_field(t.gettext("Labels"), join_names(event.labels), short=False)


def people_field(event: Event, t: Translator, label: str, role: Role) -> MessageField | None:
    return text_field(label, join_names(people_with_role(event, role)))


_STATUS_NAMES: Mapping[str, str] = {
    "success": N_("Passed"),
    "passed": N_("Passed"),
    "succeeded": N_("Passed"),
    "failed": N_("Failed"),
    "failure": N_("Failed"),
    "canceled": N_("Canceled"),
    "cancelled": N_("Canceled"),
    "canceling": N_("Canceling"),
    "running": N_("Running"),
    "pending": N_("Pending"),
    "created": N_("Created"),
    "waiting_for_resource": N_("Waiting for resource"),
    "preparing": N_("Preparing"),
    "scheduled": N_("Scheduled"),
    "skipped": N_("Skipped"),
    "manual": N_("Manual"),
    "blocked": N_("Blocked"),
    "firing": N_("Firing"),
    "triggered": N_("Firing"),
    "resolved": N_("Resolved"),
    "acknowledged": N_("Acknowledged"),
    "ignored": N_("Ignored"),
    "opened": N_("Open"),
    "open": N_("Open"),
    "closed": N_("Closed"),
    "merged": N_("Merged"),
    "locked": N_("Locked"),
    "detected": N_("Detected"),
    "confirmed": N_("Confirmed"),
    "dismissed": N_("Dismissed"),
    "done": N_("Done"),
    "not_started": N_("Not started"),
    "in_progress": N_("In progress"),
    "pending_approval": N_("Pending approval"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "active": N_("Active"),
    "inactive": N_("Inactive"),
}

_SEVERITY_NAMES: Mapping[str, str] = {
    "critical": N_("Critical"),
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
    "info": N_("Info"),
    "informational": N_("Info"),
    "warning": N_("Warning"),
    "error": N_("Error"),
    "page": N_("Page"),
    "unknown": N_("Unknown"),
}


def _normal_key(word: str) -> str:
    return word.strip().lower().replace(" ", "_").replace("-", "_")


def status_name(status: str | None, t: Translator) -> str:
    """A status word in the reader's language; unknown words are shown as they came."""
    if not status:
        return ""
    known = _STATUS_NAMES.get(_normal_key(status))
    return t.gettext(known) if known else status


def severity_name(severity: str | None, t: Translator) -> str:
    if not severity:
        return ""
    known = _SEVERITY_NAMES.get(_normal_key(severity))
    return t.gettext(known) if known else severity


def format_duration(duration: str | None, t: Translator) -> str:
    """Seconds (``"63"``, ``"63.5"``) as ``"1m 3s"`` / ``"1 分 3 秒"``; other text as it came."""
    if not duration:
        return ""
    try:
        total = round(float(duration))
    except ValueError:
        return duration
    if total < 0:
        return duration
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts: list[str] = []
    if hours:
        parts.append(t.format("{n}h", n=hours))
    if minutes:
        parts.append(t.format("{n}m", n=minutes))
    if seconds or not parts:
        parts.append(t.format("{n}s", n=seconds))
    return " ".join(parts)


# --- item lists ---------------------------------------------------------------------------


def item_lines(
    event: Event,
    t: Translator,
    *,
    limit: int = MAX_ITEMS,
    show_ids: bool = False,
    explain: Callable[[Item], str] | None = None,
) -> tuple[Line, ...]:
    """At most ``limit`` of the event's items, one line each, then "and N more".

    ``show_ids`` puts each item's id (a commit's short SHA) before its title; an item's stage (a
    job's) goes before its name, as ``test / rspec``. ``explain`` adds a word after the status
    (why a job failed), which only the item's renderer knows how to say.
    """
    shown = event.items[:limit]
    lines: list[Line] = []
    for item in shown:
        segments: list[Segment] = [Text("• ")]
        if show_ids and item.id:
            segments += [link_or_text(short_sha(item.id), item.url, code=True), Text(" ")]
            segments.append(Text(first_line(item.title)))
        else:
            if item.stage:
                segments.append(Text(first_line(item.stage) + " / "))
            segments.append(link_or_text(first_line(item.title), item.url))
        why = explain(item) if explain is not None else ""
        extras = [part for part in (status_name(item.status, t), why, item.author) if part]
        if extras:
            segments.append(Text(" — " + ", ".join(extras)))
        lines.append(_merge_texts(segments))
    hidden = max(event.total_items, len(event.items)) - len(shown)
    if shown and hidden > 0:
        lines.append((Text(t.nformat("and {n} more", "and {n} more", hidden)),))
    return tuple(lines)


# --- the message ----------------------------------------------------------------------------


def view_label(event: Event, t: Translator) -> str:
    if event.kind is EventKind.ALERT:
        return t.gettext("View alert")
    if event.source == "gitlab":
        return t.gettext("View in GitLab")
    if event.source == GITHUB:
        return t.gettext("View on GitHub")
    if event.kind.value.startswith(("issue.", "rollout.")):
        return t.gettext("View issue")
    return t.gettext("View details")


def compose(
    event: Event,
    t: Translator,
    *,
    title: str,
    lines: Iterable[Line] = (),
    fields: Iterable[MessageField | None] = (),
    url: str | None = None,
    mentions: Sequence[Mention] = (),
) -> Message:
    """The Message every renderer ends with: tone as given, link, button, footer, summary."""
    title = tidy(title)
    target = url or event.url or event.project.url
    project = event.project.path_with_namespace or event.project.name
    # The mentions are not a line here: every platform shows `Message.mentions` after the
    # fields, natively (`platforms/shared.py: body_lines`); a line as well named everyone twice.
    body = [line for line in lines if line]
    summary = t.format("{project}: {title}", project=project, title=title) if project else title
    return Message(
        title=title,
        tone=event.tone,
        language=t.language,
        url=target,
        summary=tidy(summary),
        lines=tuple(body),
        fields=present(fields),
        actions=(Action(view_label(event, t), target),) if target else (),
        footer=project or None,
        mentions=tuple(mentions),
    )


# --- actions --------------------------------------------------------------------------------

_ACTION_SYNONYMS: Mapping[str, str] = {
    "open": "opened",
    "create": "created",
    "close": "closed",
    "reopen": "reopened",
    "update": "updated",
    "merge": "merged",
    "approve": "approved",
    "approval": "approved",
    "unapprove": "unapproved",
    "unapproval": "unapproved",
    "delete": "deleted",
    "destroy": "deleted",
    "destroyed": "deleted",
    "remove": "deleted",
    "removed": "deleted",
}


def canonical_action(action: str) -> str:
    """GitLab's action words in one spelling: ``open`` -> ``opened``, ``approval`` -> ``approved``."""
    key = _normal_key(action)
    return _ACTION_SYNONYMS.get(key, key)
