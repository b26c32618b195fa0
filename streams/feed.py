"""Producer inputs: read JSONL articles and plain-text wire copy, and publish them raw."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from schemas.article import Article
from streams.datelines import WIRE_DATELINE
from streams.errors import BrokerError, GeoeventsError
from streams.ids import content_id

JSON_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
WIRE_SUFFIXES = frozenset({".txt", ".text", ".wire"})

# "date 2024-02-06" before the first article; it may share its line with the first dateline.
_DATE_MARKER = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_RECORD_FRAMING = 512  # a record batch's header and the record's own, counted in its size
_PUBLISH_WINDOW = 1000  # unacknowledged sends kept in flight before waiting on them


@dataclass(frozen=True)
class RawRecord:
    """One message to publish on the raw-articles topic, and where it came from."""

    key: bytes | None
    """The article id in UTF-8 when it is known, else None."""
    value: bytes
    """The exact bytes to publish."""
    origin: str
    """"path:line" for a JSONL line, "path#n" for the n-th article of a wire file."""


def _paragraphs(text: str) -> str:
    # Hard-wrapped lines within a paragraph are joined, so the body does not
    # depend on the width the copy was wrapped at.
    paragraphs = (" ".join(p.split()) for p in _BLANK_LINES.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def wire_id(source: str, date: str, body: str) -> str:
    return content_id("\n".join((source, date, body)), "wire-")


def split_wire(text: str) -> list[Article]:
    """Split plain-text wire copy into articles, one per dateline.

    An optional `date YYYY-MM-DD` marker at the top sets every article's
    publication time (midnight UTC). Text before the first dateline is ignored.
    Raises ValueError for a bad date marker or a dateline with no text after it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    published_at: datetime | None = None
    date = ""
    marker = _DATE_MARKER.match(text)
    if marker:
        date = marker.group(1)
        try:
            published_at = datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError as err:
            raise ValueError(f"bad date marker {date!r}: {err}") from err
        text = text[marker.end() :]
    datelines = list(WIRE_DATELINE.finditer(text))
    articles = []
    for n, match in enumerate(datelines):
        end = datelines[n + 1].start() if n + 1 < len(datelines) else len(text)
        body = _paragraphs(text[match.end() : end])
        source = match.group("agency").strip()
        if not body:
            raise ValueError(f"article {n + 1} ({match.group(0).strip()!r}) has no text")
        articles.append(
            Article(
                id=wire_id(source, date, body),
                source=source,
                published_at=published_at,
                body=body,
            )
        )
    return articles


def _is_jsonl(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return True
    if suffix in WIRE_SUFFIXES:
        return False
    # Unknown extension: JSON lines open with an object, wire copy never does.
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{")


def _key_of(line: bytes) -> bytes | None:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    article_id = obj.get("id") if isinstance(obj, dict) else None
    if not isinstance(article_id, str) or not article_id:
        return None
    try:
        return article_id.encode()
    except UnicodeEncodeError:  # a lone surrogate escaped in the JSON
        return None


def _jsonl_records(path: Path) -> Iterator[RawRecord]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.rstrip(b"\r\n")
            if number == 1:
                # A byte-order mark belongs to the file, not to the first record.
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            # Passed through unvalidated: intake dead-letters bad lines with their bytes.
            yield RawRecord(key=_key_of(line), value=line, origin=f"{path}:{number}")


def _wire_records(path: Path) -> Iterator[RawRecord]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise GeoeventsError(
            f"{path}: wire copy is not valid UTF-8 (byte offset {err.start})"
        ) from err
    try:
        articles = split_wire(text)
    except ValueError as err:
        raise GeoeventsError(f"{path}: {err}") from err
    if not articles and text.strip():
        raise GeoeventsError(f"{path}: no dateline such as 'CITY (AP) —' found in wire copy")
    for n, article in enumerate(articles, start=1):
        yield RawRecord(
            key=article.id.encode(), value=article.to_json_bytes(), origin=f"{path}#{n}"
        )


def read_records(paths: Iterable[Path]) -> Iterator[RawRecord]:
    """The records of each input file in order: JSONL passed through, wire copy split."""
    for path in paths:
        try:
            yield from (_jsonl_records(path) if _is_jsonl(path) else _wire_records(path))
        except OSError as err:
            raise GeoeventsError(f"{path}: cannot read: {err.strerror or err}") from err


def _progress_bar(topic: str) -> Progress:
    return Progress(
        TextColumn(f"publishing to [bold]{escape(topic)}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        # stderr keeps stdout for output a caller may pipe on.
        console=Console(stderr=True),
        transient=False,
    )


async def publish(
    records: Iterable[RawRecord],
    bootstrap: str,
    topic: str,
    progress: bool = True,
    max_message_bytes: int = 1024 * 1024,
    options: Mapping[str, Any] | None = None,
) -> int:
    """Publish every record with its key and wait for the broker's acks; return the count.

    A record larger than `max_message_bytes` (GEO_LIMITS__MAX_MESSAGE_BYTES) stops the
    publish with an error naming it: no broker configured to the same limit would take it.
    """
    total = len(records) if isinstance(records, list | tuple) else None
    # No idempotent producer: the embedded broker has no InitProducerId. A retried send
    # may then duplicate a message, which at-least-once consumers must absorb anyway.
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        max_request_size=max_message_bytes,
        **(options or {}),
    )
    bar = _progress_bar(topic) if progress else None
    task = bar.add_task("publish", total=total) if bar is not None else None
    sent = 0
    pending: list[tuple[str, asyncio.Future[object]]] = []

    async def settle() -> None:
        nonlocal sent
        for origin, future in pending:
            try:
                await future
            except KafkaError as err:
                raise BrokerError(f"{origin}: could not publish to {topic}: {err!r}") from err
            sent += 1
            if bar is not None and task is not None:
                bar.advance(task)
        pending.clear()

    try:
        await producer.start()
    except KafkaError as err:
        await producer.stop()
        raise BrokerError(f"cannot reach the broker at {bootstrap}: {err!r}") from err
    try:
        if bar is not None:
            bar.start()
        for record in records:
            size = len(record.value) + len(record.key or b"") + _RECORD_FRAMING
            if size > max_message_bytes:
                await settle()
                raise GeoeventsError(
                    f"{record.origin}: {size} bytes framed, over the {max_message_bytes}-byte "
                    f"message limit (GEO_LIMITS__MAX_MESSAGE_BYTES); the {sent} records before "
                    "it were published, none after it"
                )
            try:
                future = await producer.send(topic, record.value, key=record.key)
            except KafkaError as err:
                raise BrokerError(
                    f"{record.origin}: could not publish to {topic}: {err!r}"
                ) from err
            pending.append((record.origin, future))
            if len(pending) >= _PUBLISH_WINDOW:
                await settle()
        await producer.flush()
        await settle()
    finally:
        if bar is not None:
            bar.stop()
        await producer.stop()
    return sent
