"""A TCP proxy the fault tests own: between a generated service and PostgreSQL or Redis.

`kill()` closes every connection and refuses new ones (the server is gone); `freeze()` keeps
every connection open and accepts new ones but forwards nothing (the server hangs, or the
network drops packets); `restore()` serves again. One thread per direction per connection:
the services under test hold a few dozen connections at most.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class TcpProxy:
    """Forwards connections from a loopback port to `upstream` until closed."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self._flowing = threading.Event()
        self._flowing.set()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.port = 0
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # killed
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        self._flowing.wait()  # a frozen proxy does not even reach the server
        try:
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            client.close()
            return
        server.settimeout(None)
        with self._lock:
            if self._listener is None:  # killed meanwhile
                client.close()
                server.close()
                return
            self._sockets |= {client, server}
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()
                target.sendall(data)
        except OSError:
            pass  # either side closed: close the other
        finally:
            for sock in (source, target):
                self._close(sock)

    def _close(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def kill(self) -> None:
        """Close every connection and the listener: connecting is refused."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        self._flowing.set()
        for sock in sockets:
            self._close(sock)

    def freeze(self) -> None:
        """Forward nothing, on old connections and new ones, until `restore()`."""
        self._flowing.clear()

    def restore(self) -> None:
        """Forward again; after `kill()`, listen again on the same port."""
        if self._listener is None:
            self._listen()
        self._flowing.set()

    def close(self) -> None:
        self.kill()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
