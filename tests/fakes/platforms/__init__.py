"""The fake platforms: one module per platform (``tests/fakes/platforms/<name>.py``), each
exporting ``FAKES`` (its webhook routes and dialects) and its IM app fake when it has one.

The modules are found by looking, so adding a platform's fake is adding its module; the
contract tests check that every registered platform has one.
"""

from __future__ import annotations

import importlib
import pkgutil

from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import PlatformName
from tests.fakes.platforms.base import FakePlatform


def _discover() -> dict[PlatformName, FakePlatform]:
    found: dict[PlatformName, FakePlatform] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name == "base":
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        for fake in getattr(loaded, "FAKES", ()):
            found[fake.name] = fake
    # in the registry's order (then any fake of a platform not registered, which a test reports)
    return {name: found.pop(name) for name in PLATFORMS if name in found} | found


FAKES: dict[PlatformName, FakePlatform] = _discover()
