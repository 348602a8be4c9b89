"""Fake external services for tests and benchmarks."""

from tests.fakes.platform_server import FakeBot, FakePlatformServer

__all__ = ["FakeBot", "FakePlatformServer"]
