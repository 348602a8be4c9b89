"""DNS for tests: a resolver that answers from a table, so a test can make a public-looking name
lead to 127.0.0.1 without /etc/hosts or a network look-up. Only the name look-up is played: the
connection that follows is real."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping

from aiohttp.abc import AbstractResolver, ResolveResult


class TableResolver(AbstractResolver):
    """``{name: [address, ...]}``; a name not in the table does not exist."""

    def __init__(self, table: Mapping[str, list[str]]) -> None:
        self._table = {name.lower(): addresses for name, addresses in table.items()}
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        addresses = self._table.get(host.lower().rstrip("."))
        if not addresses:
            raise OSError(socket.EAI_NONAME, f"{host} does not exist")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None
