"""``hookcast serve|api|worker``: start-up in an order that does not surprise.

The listening socket is bound first, so that a busy port fails in one line before the database
is touched (no migration, no admin token). "listening" is printed only once uvicorn has run the
application's start-up and serves the socket: a client that waits for the line is answered.
"""

from __future__ import annotations

import contextlib
import gc
import socket
import sys

import uvicorn

from hookcast.logs import configure as configure_logs
from hookcast.runtime import ProcessRole
from hookcast.settings import Settings, get_settings, redact_url

BACKLOG = 2048  # uvicorn's default


class CannotListen(Exception):
    """The address cannot be bound; the message is the line to print."""


def bind_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port and listening, as uvicorn would make it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        reason = (exc.strerror or str(exc)).lower()
        raise CannotListen(f"hookcast: cannot listen on {host}:{port}: {reason}") from exc
    return sock


def announce_data(role: ProcessRole, settings: Settings) -> None:
    """One line saying where this process keeps its data."""
    print(
        f"hookcast {role.value}: data dir {settings.data_dir}, database {redact_url(settings.database_url)}",
        file=sys.stderr,
        flush=True,
    )


class _AnnouncingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, line: str) -> None:
        super().__init__(config)
        self._line = line

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.should_exit:
            print(self._line, file=sys.stderr, flush=True)


def serve_http(role: ProcessRole, host: str, port: int) -> None:
    try:
        sock = bind_listener(host, port)
    except CannotListen as exc:
        print(exc, file=sys.stderr, flush=True)
        raise SystemExit(1) from exc
    from hookcast.app import create_app

    settings = get_settings()
    settings.prepare_data_dir()
    configure_logs(settings.log_level, settings.log_json)
    announce_data(role, settings)
    config = uvicorn.Config(
        create_app(settings, role),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        lifespan="on",
        backlog=BACKLOG,
        # Bounded: open requests get this long on SIGTERM, then the worker gets its grace.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_grace_seconds)),
    )
    shown_host = f"[{host}]" if ":" in host else host
    server = _AnnouncingServer(config, f"hookcast {role.value}: listening on http://{shown_host}:{port}")
    settle_garbage_collector()
    with sock:
        server.run(sockets=[sock])


def run_worker() -> None:
    import uvloop

    from hookcast.runtime import running, stop_on_signals, until_stopped

    settings = get_settings()
    settings.prepare_data_dir()
    configure_logs(settings.log_level, settings.log_json)
    announce_data(ProcessRole.WORKER, settings)
    settle_garbage_collector()

    async def main() -> None:
        stop = stop_on_signals()
        async with running(settings, ProcessRole.WORKER) as runtime:
            print("hookcast worker: delivering", file=sys.stderr, flush=True)
            await until_stopped(stop, runtime.tasks)  # then stops gracefully, leaving ``running``

    with contextlib.suppress(KeyboardInterrupt):
        uvloop.run(main())


def settle_garbage_collector() -> None:
    """Keep what was loaded at start (modules, ORM mappings, models) out of every later full
    collection: they live as long as the process, and scanning them stalled busy moments."""
    gc.collect()
    gc.freeze()
