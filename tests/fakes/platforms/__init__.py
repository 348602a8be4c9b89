"""Per-platform fakes: each a Dialect of tests/fakes/platform_server.py, registered there.

The server module is loaded first: it defines the Dialect these build on, and imports them to
register them, so a test may import either one first.
"""

from tests.fakes import platform_server as platform_server
