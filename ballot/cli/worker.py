"""The gunicorn worker `ballot serve` runs: gunicorn's threaded worker, with a thread pool sized
for a meeting room and a read timeout on every connection.

`ballot serve` faces the room's clients directly. gunicorn's threaded worker gives a connection
a thread once its first bytes arrive and then reads the request in that thread, so a client
that sends half a request holds a thread for as long as it stays open. Here each worker has
ROOM_THREADS threads, and a read that waits READ_TIMEOUT seconds for the client's next bytes
ends that connection: a handful of stalled or slow connections (a phone dropping off the
Wi-Fi, or someone doing it on purpose) takes a few threads for a few seconds while everyone
else is served. It is a bound, not immunity: a flood of hundreds of half-open connections needs
a buffering proxy in front (nginx, README "Serving"), as docs/threat-model.md says.
"""

from __future__ import annotations

from typing import Any

from gunicorn.workers.gthread import ThreadWorker

ROOM_THREADS = 64
READ_TIMEOUT = 10.0  # seconds without a byte from the client, mid-request


class RoomWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's ThreadWorker, whose connections time out when a client stops sending."""

    def handle(self, conn: Any) -> Any:
        setup = conn.init

        def init() -> None:
            setup()  # the socket is blocking (no timeout) after this: give it one
            conn.sock.settimeout(READ_TIMEOUT)

        conn.init = init
        return super().handle(conn)
