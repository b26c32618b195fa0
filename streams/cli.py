"""The geoevents command line: the service's commands.

    geoevents run [--feed FILE...] [--keep-running]   the main job on the embedded default
    geoevents worker [--logfile F]                    a stream worker (embedded broker if none)
    geoevents broker [--host H] [--port P]            the embedded broker in the foreground
    geoevents ingest FILE... [--topic T]              publish articles or wire copy
    geoevents replay FILE... --out DIR                every step in-process, no broker
    geoevents schemas [--check]                       JSON Schemas and the AsyncAPI document
    geoevents alerts test --channel C [--severity S]  a test alert through one channel

Evaluation, benchmarks and training are the lab's (`geolab`, evaluation/geolab/cli.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from streams.errors import GeoeventsError
from streams.settings import DATA_DIR, get_settings

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Real-time geopolitical events from news, on Kafka.",
)
console = Console(stderr=True)
alerts_cli = typer.Typer(no_args_is_help=True, help="Check the alert channels' wiring.")
cli.add_typer(alerts_cli, name="alerts")

SAMPLE_CORPUS = DATA_DIR / "sample" / "corpus.jsonl"

Paths = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)]


def fail(err: Exception) -> typer.Exit:
    # No markup (error text may hold [brackets]) and no wrapping (keep file:line intact).
    console.print(f"error: {err}", style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@cli.command()
def run(
    keep_running: Annotated[
        bool, typer.Option("--keep-running", help="Keep the broker and worker up after the feed.")
    ] = False,
    feed: Annotated[
        list[Path] | None,
        typer.Option(
            "--feed", exists=True, dir_okay=False, help="Input files instead of the sample."
        ),
    ] = None,
) -> None:
    """The main job: embedded broker, a worker, the sample feed, alerts on screen."""
    from streams.demo import run_demo

    try:
        code = run_demo(feed or [SAMPLE_CORPUS], keep_running=keep_running, console=console)
    except GeoeventsError as err:
        raise fail(err) from err
    raise typer.Exit(code=code)


@cli.command()
def worker(
    logfile: Annotated[
        Path | None, typer.Option(help="Write the worker log here instead of stderr.")
    ] = None,
) -> None:
    """Run a stream worker; with no GEO_BROKER, start the embedded broker first."""
    from streams.broker import EmbeddedBroker, ensure_topics, service_topics
    from streams.delivery.dispatcher import check_channels
    from streams.rules import get_rules

    settings = get_settings()
    try:
        # A bad rules file stops the start here, naming file, line and field; so does a rule
        # routing to a channel whose URL or key is not set, or an unreadable secret file.
        check_channels(settings, get_rules())
    except GeoeventsError as err:
        raise fail(err) from err
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise fail(
            GeoeventsError(f"GEO_DATA_DIR: cannot create {settings.data_dir}: {err.strerror}")
        ) from err
    broker = None
    if settings.broker is None:
        broker = EmbeddedBroker()
        os.environ["GEO_BROKER"] = broker.start()
        get_settings.cache_clear()
        settings = get_settings()
        console.print(
            f"[bold yellow]WARNING[/]: GEO_BROKER is not set, so this worker runs an embedded, "
            f"in-memory broker on {settings.broker}: nothing it holds survives this process, "
            "and no other worker or producer shares it. Set GEO_BROKER to your Kafka brokers "
            "for anything but a try-out."
        )
    try:
        try:
            asyncio.run(
                ensure_topics(
                    settings.bootstrap_servers,
                    service_topics(settings),
                    options=settings.kafka.client_options(),
                )
            )
        except (GeoeventsError, ValueError) as err:
            raise fail(err) from err
        _run_worker(settings.log_level, logfile)
    finally:
        if broker is not None:
            broker.stop()


def _run_worker(loglevel: str, logfile: Path | None) -> None:
    from faust.worker import Worker

    from streams.app import app

    class StoppingWorker(Worker):
        """A worker that a stop signal ends within GEO_STOP_TIMEOUT_SECONDS.

        Faust's clean stop commits offsets and flushes the producer, and with the broker
        gone it waits on both for minutes. Past the timeout the process exits at once:
        nothing is lost (an offset is committed only after its outputs were sent), and what
        was not committed is read again by the partition's next owner.
        """

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # No spinner: it writes cursor codes to stdout, where the console channel pages,
            # whether or not stdout is a terminal.
            self.spinner = None

        def _schedule_shutdown(self, signal: Any) -> None:
            super()._schedule_shutdown(signal)
            timeout = get_settings().stop_timeout_seconds

            def exit_now() -> None:
                logging.getLogger("streams.cli").error(
                    "not stopped %.0f s after %s (broker unreachable?): exiting now; "
                    "uncommitted messages will be read again",
                    timeout,
                    getattr(signal, "name", signal),
                )
                os._exit(1)

            timer = threading.Timer(timeout, exit_now)
            timer.daemon = True
            timer.start()

    if logfile is not None:
        logfile.parent.mkdir(parents=True, exist_ok=True)
    StoppingWorker(
        app,
        loglevel=loglevel,
        logfile=str(logfile) if logfile else None,
        redirect_stdouts=False,
        quiet=True,  # no banner or spinner: stdout is where the console channel pages
    ).execute_from_commandline()


@cli.command()
def broker(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9092,
) -> None:
    """Run the embedded Kafka-protocol broker in the foreground, with the service's topics."""
    from streams.broker import run_foreground, service_topics

    try:
        run_foreground(host, port, topics=service_topics(get_settings()))
    except GeoeventsError as err:
        raise fail(err) from err


@cli.command()
def ingest(
    paths: Paths,
    topic: Annotated[str | None, typer.Option(help="Topic to publish to.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Publish JSONL article files or plain-text wire copy to the articles topic."""
    from streams.feed import publish, read_records

    settings = get_settings()
    if settings.broker is None:
        raise fail(GeoeventsError("set GEO_BROKER to the broker to publish to"))
    try:
        count = asyncio.run(
            publish(
                read_records(paths),
                settings.bootstrap_servers,
                topic or settings.topics.articles,
                progress=progress,
                max_message_bytes=settings.limits.max_message_bytes,
                options=settings.kafka.client_options(),
            )
        )
    except (GeoeventsError, ValueError) as err:
        raise fail(err) from err
    console.print(f"published {count} articles to {topic or settings.topics.articles}")


@cli.command()
def replay(
    inputs: Paths,
    out: Annotated[Path, typer.Option("--out", help="Directory for the five output files.")],
) -> None:
    """Run every stage in-process over the inputs, no broker; write the results to --out."""
    from streams.feed import read_records
    from streams.replay import Replay, write_outputs
    from streams.rules import get_rules

    try:
        result = Replay(get_settings(), get_rules()).run(read_records(inputs))
    except GeoeventsError as err:
        raise fail(err) from err
    counts = write_outputs(result, out)
    for name, count in counts.items():
        console.print(f"{out / name}: {count}")
    for alert in result.alerts:
        console.print(f"[bold]{alert.kind}[/] {alert.title}")


@cli.command()
def schemas(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the committed files are stale.")
    ] = False,
) -> None:
    """Generate JSON Schemas and the AsyncAPI document under schemas/."""
    from streams import schemagen

    if check:
        stale = schemagen.stale()
        if stale:
            console.print(f"stale: {', '.join(stale)}; run `make schemas`")
            raise typer.Exit(code=1)
        console.print("schemas are up to date")
        return
    for path in schemagen.write():
        console.print(f"wrote {path}")


@alerts_cli.command("test")
def alerts_test(
    channel: Annotated[str, typer.Option(help="console, slack, pagerduty, alertmanager, webhook.")],
    severity: Annotated[str, typer.Option(help="Severity of the test alert.")] = "info",
) -> None:
    """Send a test alert to one channel, with the worker's settings, and say how it went."""
    from streams.delivery.dispatcher import send_test
    from streams.rules import CHANNELS, SEVERITIES, get_rules

    if channel not in CHANNELS or severity not in SEVERITIES:
        raise fail(
            GeoeventsError(
                f"--channel is one of {', '.join(CHANNELS)}; "
                f"--severity one of {', '.join(SEVERITIES)}"
            )
        )
    try:
        outcome, alert = asyncio.run(send_test(get_settings(), get_rules(), channel, severity))
    except GeoeventsError as err:
        raise fail(err) from err
    if outcome.result != "sent":
        # The error is already redacted: no URL or key of a channel reaches the terminal.
        console.print(
            f"{channel}: {outcome.result} after {outcome.attempts} attempt(s): {outcome.error}",
            style="red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(code=1)
    console.print(
        f"{channel}: delivered test alert {alert.alert_id} in {outcome.attempts} attempt(s)",
        markup=False,
        highlight=False,
    )


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
