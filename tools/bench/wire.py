"""A proxy in front of PostgreSQL's Unix socket that counts the round trips clients make.

The benchmark points the layer at the proxy instead of the server, so that round trips are
counted on the wire rather than estimated from the code. A round trip is one flight of bytes
from the client that the server answers: however many messages the client sends before the
server speaks (psycopg sends Parse, Bind, Execute and Sync together) and however many chunks
the answer arrives in, the client waited for the network once. Bytes the server sends on its
own, before the client has asked anything since the last answer, are not a round trip.
"""

from __future__ import annotations

import selectors
import shutil
import socket
import tempfile
import threading
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict, make_conninfo

_SOCKET_NAME = ".s.PGSQL.{port}"
_CHUNK = 65536


class _Pair:
    """A client's connection and the proxy's own connection to the server, for that client."""

    def __init__(self, client: socket.socket, server: socket.socket) -> None:
        self.client = client
        self.server = server
        # Whether the client has spoken since the server last answered.
        self.asked = False
        self.closed = False


class RoundTripCounter:
    """Listens on a Unix socket of its own and forwards every connection to ``target``.

    ``round_trips`` and ``connections`` only grow; read them before and after the work to
    measure. A round trip is counted before its answer is passed on, so the count is already
    up to date when the client has its answer.
    """

    def __init__(self, target: Path, port: int = 5432) -> None:
        self.target = target
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="loyalty-wire-"))
        self.round_trips = 0
        self.connections = 0
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.folder / _SOCKET_NAME.format(port=port)))
        self._listener.listen()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="round-trip-counter", daemon=True)
        self._thread.start()

    @classmethod
    def in_front_of(cls, database_url: str) -> RoundTripCounter:
        """A counter in front of the server that a Unix-socket ``database_url`` names."""
        params = conninfo_to_dict(database_url)
        port = int(params.get("port") or 5432)
        return cls(Path(str(params["host"])) / _SOCKET_NAME.format(port=port), port)

    def url(self, database_url: str) -> str:
        """``database_url`` with its host replaced by this proxy."""
        return make_conninfo(database_url, host=str(self.folder), port=str(self.port))

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> RoundTripCounter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            for key, _ in self._selector.select(timeout=0.1):
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    self._forward(key.fileobj, key.data)
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()
        self._selector.close()

    def _accept(self) -> None:
        client, _ = self._listener.accept()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.connect(str(self.target))
        except OSError:
            client.close()
            server.close()
            return
        pair = _Pair(client, server)
        self._selector.register(client, selectors.EVENT_READ, pair)
        self._selector.register(server, selectors.EVENT_READ, pair)
        self.connections += 1

    def _forward(self, source: socket.socket, pair: _Pair) -> None:
        if pair.closed:
            return
        try:
            data = source.recv(_CHUNK)
            if not data:
                raise ConnectionResetError
            if source is pair.client:
                pair.asked = True
                pair.server.sendall(data)
                return
            if pair.asked:
                pair.asked = False
                self.round_trips += 1
            pair.client.sendall(data)
        except OSError:
            # Either end hung up: so does the proxy, on both sides, as a network would.
            pair.closed = True
            for end in (pair.client, pair.server):
                self._selector.unregister(end)
                end.close()
