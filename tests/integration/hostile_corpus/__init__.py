"""The bad-input corpus, as data: hostile requests to every inbound and management route.

:func:`corpus` turns the app's own route table (so a new route is covered without editing this
file) and a :class:`Seed` (the ids and tokens of a known database) into :class:`Case` values,
always the same ones in the same order. The categories are those of the security audit: lone
surrogates, deep nesting, broken / truncated / BOM / NUL JSON, non-ASCII and foreign tokens,
integers over 64 bits and negative / zero / float ids, huge bodies (declared and streamed), wrong
content types, control and bidi characters, huge headers, forms with hundreds of fields, unknown
routes and methods, UI posts without a CSRF token, path traversal, SQL-ish and template-ish
strings, unknown enum values, huge arrays, and a wrong type for every field of every request body
the OpenAPI document declares.

What a case may write is part of the case: a refused request writes nothing, and only a case
that names tables (``may_write``) may change them when it is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI

from tests.integration.hostile_corpus.inbound import inbound_cases
from tests.integration.hostile_corpus.management import management_cases
from tests.integration.hostile_corpus.pages import operations_cases, ui_cases
from tests.integration.hostile_corpus.values import Case, Seed, StreamedBody, app_routes

__all__ = ["Case", "Seed", "StreamedBody", "corpus"]


@dataclass
class _Builder:
    seed: Seed
    cases: list[Case] = field(default_factory=list)
    seen: set[tuple[object, ...]] = field(default_factory=set)

    def add(self, case: Case) -> None:
        if case.key not in self.seen:  # distinct requests only
            self.seen.add(case.key)
            self.cases.append(case)


def corpus(app: FastAPI, seed: Seed, valid_push: bytes) -> list[Case]:
    """Every case, deterministic; ``valid_push`` is a GitLab push body the project would accept."""
    builder = _Builder(seed)
    routes = app_routes(app)
    openapi = app.openapi()
    hooks = sorted({path for method, path in routes if path.startswith("/hooks/") and method == "POST"})
    for case in inbound_cases(seed, valid_push, hooks):
        builder.add(case)
    for case in management_cases(seed, routes, openapi):
        builder.add(case)
    for case in ui_cases(seed, routes):
        builder.add(case)
    for case in operations_cases(seed):
        builder.add(case)
    return builder.cases
