"""Fake external services for tests and benchmarks.

``FakePlatformServer`` / ``FakeBot`` are imported lazily, so that
``python -m tests.fakes.platform_server`` runs the module only once.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FakeBot", "FakePlatformServer"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tests.fakes import platform_server

        return getattr(platform_server, name)
    raise AttributeError(name)
