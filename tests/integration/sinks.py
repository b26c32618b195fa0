"""Real HTTP servers on loopback playing alert channels: failing, throttling, hanging, refusing."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ALERT_ID = re.compile(r"al-test-\d+T\d+-[0-9a-f]+|al-[0-9a-f]{16}")

HUNG = 0
"""Recorded as the status of a request held past the client's timeout: it never got an answer."""


@dataclass(frozen=True)
class Reply:
    """What the sink answers; with `hold`, only once that event is set (or never, for the
    client: a held request is recorded as HUNG)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    hold: threading.Event | None = None


@dataclass(frozen=True)
class Received:
    """One request the sink got, and what it answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    alert_id: str | None
    status: int
    at: float


Behaviour = Callable[[str | None, int, bytes], Reply]
"""(alert id, how many requests for it this route has had including this one, body) -> Reply."""


class Sink:
    """A threading HTTP server on 127.0.0.1 that routes by path prefix to a behaviour."""

    def __init__(self) -> None:
        self._routes: dict[str, Behaviour] = {}
        self._seen: list[Received] = []
        self._counts: dict[tuple[str, str | None], int] = {}
        self._lock = threading.Condition()
        self._holds: list[threading.Event] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                sink._handle(self, body)

            def log_message(self, *args: object) -> None:  # quiet: pytest shows failures
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, prefix: str, behaviour: Behaviour) -> None:
        self._routes[prefix] = behaviour

    def _handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        path = handler.path
        headers = dict(handler.headers.items())
        found = ALERT_ID.search(body.decode("utf-8", "replace") + " " + str(headers))
        alert_id = found.group(0) if found else None
        prefix = next(
            (p for p in sorted(self._routes, key=len, reverse=True) if path.startswith(p)), None
        )
        with self._lock:
            count_key = (prefix or "", alert_id)
            self._counts[count_key] = self._counts.get(count_key, 0) + 1
            nth = self._counts[count_key]
        reply = self._routes[prefix](alert_id, nth, body) if prefix else Reply(404)
        status = reply.status
        if reply.hold is not None and not reply.hold.is_set():
            status = HUNG
        with self._lock:
            self._seen.append(Received(path, headers, body, alert_id, status, time.monotonic()))
            self._lock.notify_all()
        if reply.hold is not None:
            self._holds.append(reply.hold)
            reply.hold.wait(timeout=60)
        try:
            handler.send_response(reply.status if status != HUNG else 503)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            handler.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up waiting (that was the point)

    def received(self, prefix: str = "/") -> list[Received]:
        with self._lock:
            return [r for r in self._seen if r.path.startswith(prefix)]

    def wait_for(self, predicate: Callable[[Sink], bool], timeout: float = 60.0) -> None:
        """Block until `predicate(self)` holds; fail after a generous timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"sink condition not met after {timeout:.0f}s")
                self._lock.wait(timeout=min(left, 0.5))

    def close(self) -> None:
        for hold in self._holds:
            hold.set()
        self.server.shutdown()
        self.server.server_close()


def answered(
    sink: Sink, prefix: str, status: int, ids: list[str] | None = None
) -> dict[str | None, int]:
    """Per alert id (of `ids`, if given), how many of the route's requests got `status`."""
    counts: dict[str | None, int] = {}
    for r in sink.received(prefix):
        if r.status == status and (ids is None or r.alert_id in ids):
            counts[r.alert_id] = counts.get(r.alert_id, 0) + 1
    return counts
