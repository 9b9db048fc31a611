"""The gunicorn worker `ballot serve` runs: gunicorn's threaded worker, with a thread pool sized
for a meeting room and a time limit on every read and write of a connection.

`ballot serve` faces the room's clients directly. gunicorn's threaded worker gives a connection
a thread once its first bytes arrive and then reads the request in that thread, so a client
that sends half a request (or half a TLS handshake) holds a thread for as long as it stays
open. Here each worker has ROOM_THREADS threads, and each connection's socket is a
`TimedSocket`: whenever gunicorn makes it blocking it gets a timeout instead, so a read that
waits IO_TIMEOUT seconds for the client's next bytes ends the connection — the TLS handshake
included, which runs on this socket. Writes go out in pieces of WRITE_PIECE bytes, each with
the same limit, so a slow reader of a large download is served in full while a stalled one
is dropped. With TLS, gunicorn's kept-alive connections would lose the limit between
requests (the TLS socket is gunicorn's), so `ballot serve --certfile` turns keep-alive off.

It is a bound, not immunity: a few dozen stalled connections take a few threads for a few
seconds while everyone else is served; a flood of hundreds needs a buffering proxy (nginx) in
front, as README "Serving" and docs/threat-model.md say.
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

ROOM_THREADS = 64
IO_TIMEOUT = 10.0  # seconds a connection may go without sending or taking a byte
WRITE_PIECE = 64 * 1024


class TimedSocket(socket.socket):
    """A connection whose blocking mode always has a timeout, and whose `sendall` is limited
    per piece rather than for the whole response."""

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(IO_TIMEOUT)
        else:
            super().setblocking(False)

    def sendall(self, data: Any, flags: int = 0) -> None:
        view = memoryview(data).cast("B")
        for start in range(0, len(view), WRITE_PIECE):
            super().sendall(view[start : start + WRITE_PIECE], flags)


class RoomWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ThreadWorker whose new connections are TimedSockets."""

    def enqueue_req(self, conn: Any) -> None:
        if type(conn.sock) is socket.socket:  # a new connection, not yet wrapped or timed
            raw = conn.sock
            conn.sock = TimedSocket(raw.family, raw.type, raw.proto, fileno=raw.detach())
        super().enqueue_req(conn)
