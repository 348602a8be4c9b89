"""What Git itself defines, whichever host sent the event (GitLab, GitHub): the all-zero SHA that
stands for "no commit" (a branch created or deleted), how a SHA is shortened for people, and a
commit message's subject line. Pure."""

from __future__ import annotations

SHORT_SHA_LENGTH = 8


def first_line(text: str) -> str:
    """A commit message's subject: its first non-blank line, trimmed."""
    return text.strip().split("\n", 1)[0].strip()


def short_sha(sha: str) -> str:
    return sha[:SHORT_SHA_LENGTH]


def is_zero_sha(sha: str) -> bool:
    """Git's "no commit" (``0000…``): the ``before`` of a new branch, the ``after`` of a deleted one."""
    return bool(sha) and set(sha) == {"0"}
