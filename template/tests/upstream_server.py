"""A small HTTP server on a free loopback port, standing for the upstream services.

Real sockets and real HTTP/1.1, so the app's shared client runs exactly as it does against
a remote service: connecting, pooling, timeouts, refused and broken connections.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Route:
    """How the server answers one path: after `delay` seconds, with `status` and `body`.

    `close`: drop the connection without answering.
    """

    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0
    close: bool = False

    @classmethod
    def json(cls, data: object, *, status: int = 200, delay: float = 0.0) -> "Route":
        """A route answering `data` as JSON."""
        return cls(status=status, body=json.dumps(data).encode(), delay=delay)


@dataclass(frozen=True)
class Received:
    """A request the server read."""

    method: str
    path: str
    body: bytes


@dataclass
class UpstreamServer:
    """The server's routes (path to Route; any other path answers 404) and what it read."""

    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    def url(self, path: str) -> str:
        """The URL of `path` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read one request, answer it as its route says, close the connection."""
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        try:
            request_line = (await reader.readline()).decode("latin-1").split()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length)
            method, target = request_line[0], request_line[1]
            path = target.split("?", 1)[0]
            self.received.append(Received(method, path, body))
            route = self.routes.get(path, Route(status=404, body=b'{"detail": "Not Found"}'))
            await asyncio.sleep(route.delay)
            if not route.close:
                head = (
                    f"HTTP/1.1 {route.status} Status\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(route.body)}\r\nConnection: close\r\n\r\n"
                )
                writer.write(head.encode() + route.body)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, IndexError):
            pass
        finally:
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()
            if task is not None:
                self._handlers.discard(task)

    async def stop_handlers(self) -> None:
        """Cancel the requests still being answered (those of routes with a long delay)."""
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)


@asynccontextmanager
async def serve_upstream() -> AsyncIterator[UpstreamServer]:
    """An upstream server on a free loopback port, for the duration of the block."""
    upstream = UpstreamServer()
    server = await asyncio.start_server(upstream.handle, "127.0.0.1", 0)
    upstream.port = server.sockets[0].getsockname()[1]
    try:
        yield upstream
    finally:
        server.close()
        await upstream.stop_handlers()
        await server.wait_closed()
