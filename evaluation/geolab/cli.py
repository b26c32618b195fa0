"""geolab: the geoevents lab. `eval` measures quality against labelled data, `bench` measures
speed and memory, `train` fits the event classifier. It drives the service's own code
(streams/) and is installed beside it from the checkout, never in the service's image.

    geolab eval events|roles|extraction|actors|stories|copies|order
    geolab bench extract|replay|stories|stream|window|memory
    geolab train
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from geolab.paths import (
    ECBPLUS_ARTICLES,
    OWN_ARTICLES,
    OWN_SENTENCES,
    PLOVER_GSR,
    PLV_TRAIN,
)
from streams.cli import console, fail
from streams.errors import GeoeventsError
from streams.settings import DATA_DIR, get_settings

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="The geoevents lab: quality against labelled data, speed and memory, training.",
)
eval_cli = typer.Typer(no_args_is_help=True, help="Measure quality against labelled data.")
bench_cli = typer.Typer(no_args_is_help=True, help="Measure speed and memory; prints figures.")
cli.add_typer(eval_cli, name="eval")
cli.add_typer(bench_cli, name="bench")

Paths = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)]


TrainPlv = Annotated[
    Path, typer.Option("--plv", exists=True, dir_okay=False, help="plv-train sentences.jsonl.")
]
TrainGsr = Annotated[
    Path, typer.Option("--gsr", exists=True, dir_okay=False, help="plover-gsr sentences.jsonl.")
]
TrainOwn = Annotated[
    Path, typer.Option("--own", exists=True, dir_okay=False, help="The project's own sentences.")
]
TrainFixtures = Annotated[
    Path,
    typer.Option("--fixtures", exists=True, file_okay=False, help="Own labelled articles."),
]


def _sources(plv: Path, gsr: Path, own: Path, fixtures: Path) -> Any:
    from geolab.training import Sources

    return Sources(plv=plv, gsr=gsr, own=own, fixtures=fixtures)


BenchArticles = Annotated[int, typer.Option("--articles", help="Synthetic articles to time.")]
BenchWords = Annotated[int, typer.Option("--words", help="Words per synthetic article.")]
BenchSeed = Annotated[int, typer.Option("--seed", help="Seed of the article generator.")]
BenchCpu = Annotated[
    int | None, typer.Option("--cpu", help="CPU to pin to (default: the last one allowed).")
]
BenchJson = Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")]
BenchSource = Annotated[
    Path | None,
    typer.Option(
        "--input",
        exists=True,
        dir_okay=False,
        help="Build the articles from this JSONL file's bodies instead of synthetic text.",
    ),
]


def _print_figures(title: str, figures: dict[str, float | int | None], as_json: bool) -> None:
    import json

    from rich.table import Table

    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        text = str(value)
        if isinstance(value, float):
            text = f"{value:,.1f}" if abs(value) >= 100 else f"{value:,.3f}"
        table.add_row(name, text)
    Console().print(table)


# --- eval: quality against labelled data


@eval_cli.command("events")
def eval_events(
    sentences: Annotated[
        Path | None,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Score the shipped model on these labelled sentences (JSONL with text and "
            "event_type) instead of cross-validating.",
        ),
    ] = None,
    plv: TrainPlv = PLV_TRAIN,
    gsr: TrainGsr = PLOVER_GSR,
    own: TrainOwn = OWN_SENTENCES,
    fixtures: TrainFixtures = OWN_ARTICLES,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    errors: Annotated[
        bool, typer.Option("--errors", help="Also list every sentence classified wrong.")
    ] = False,
) -> None:
    """Event classification through the whole pipeline, on sentences no model saw: 5-fold
    cross-validated on plv-train, and on plover-gsr by a model trained without it; with the
    reliability of the confidence. Given a FILE, scores the shipped model on it instead."""
    import json

    from geolab import crossval, events

    try:
        if sentences is not None:
            seen = events.trained_on(sentences)
            report = events.run(sentences)
            wrong = list(events.errors(sentences)) if errors else []
            if as_json:
                typer.echo(json.dumps(report.as_dict() | {"trained_on_it": seen}, indent=2))
            else:
                events.render(report, Console())
                if seen:
                    console.print(
                        f"note: the shipped model was trained on {sentences}: these are "
                        "training-set figures, not quality (run without a FILE for those)"
                    )
            for gold, predicted, text in wrong:
                typer.echo(f"{gold:<9} -> {predicted:<9} {text}")
            return
        cv = crossval.run(_sources(plv, gsr, own, fixtures))
    except GeoeventsError as err:
        raise fail(err) from err
    if as_json:
        typer.echo(json.dumps(cv.as_dict(), indent=2))
    else:
        crossval.render_events(cv, Console())
    if errors:
        for r in cv.readings:
            if not r.correct:
                typer.echo(f"{r.example.label:<9} -> {r.predicted or '(none)':<9} {r.example.text}")


@eval_cli.command("roles")
def eval_roles(
    plv: TrainPlv = PLV_TRAIN,
    gsr: TrainGsr = PLOVER_GSR,
    own: TrainOwn = OWN_SENTENCES,
    fixtures: TrainFixtures = OWN_ARTICLES,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Actor and recipient phrases against plv-train's marked spans, 5-fold cross-validated:
    each sentence's most confident mention, read by a model that never saw it."""
    import json

    from geolab import crossval

    try:
        cv = crossval.run(_sources(plv, gsr, own, fixtures), gsr=False)
    except GeoeventsError as err:
        raise fail(err) from err
    if as_json:
        typer.echo(json.dumps(cv.roles.as_dict(), indent=2))
    else:
        crossval.render_roles(cv.roles, Console())


@eval_cli.command("extraction")
def eval_extraction(
    articles: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, help="Article JSONL (default: the labelled corpus)."
        ),
    ] = None,
    expected: Annotated[
        Path | None,
        typer.Argument(exists=True, dir_okay=False, help="Expected events, one line per article."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    details: Annotated[
        bool, typer.Option("--details", help="Also list every miss, false positive and trap hit.")
    ] = False,
) -> None:
    """Score the extractor against labelled articles: detection, traps and every field."""
    import json

    from geolab import extraction

    try:
        report = extraction.run(
            articles or extraction.DEFAULT_ARTICLES, expected or extraction.DEFAULT_EXPECTED
        )
    except GeoeventsError as err:
        raise fail(err) from err
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
    else:
        extraction.render(report, Console(), details=details)


@eval_cli.command("actors")
def eval_actors(
    sentences: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="Coded sentences (plover-gsr sentences.jsonl)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Score actor coding: precision and recall of actor and recipient codes."""
    from geolab import actors

    try:
        report = actors.run(sentences)
    except GeoeventsError as err:
        raise fail(err) from err
    _print_figures("actor coding", dict(report.as_dict()), as_json)


@eval_cli.command("stories")
def eval_stories(
    articles: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Article JSONL to cluster.")
    ],
    labels: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Gold JSONL: `id` and `story`.")
    ],
    window: Annotated[
        float | None,
        typer.Option("--window", help="Seconds a story stays open after its last article."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Cluster articles into stories in published_at order; pairwise and BCubed P/R/F1."""
    import json

    from rich.table import Table

    from geolab import stories
    from streams.stories.clusterer import DEFAULT_WINDOW_SECONDS

    try:
        result = stories.evaluate(articles, labels, window or DEFAULT_WINDOW_SECONDS)
    except GeoeventsError as err:
        raise fail(err) from err
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    table = Table(
        title="story clustering",
        title_justify="left",
        caption=f"{result.articles} articles, {result.gold_stories} gold stories, "
        f"{result.predicted_stories} predicted",
        caption_justify="left",
        min_width=56,
    )
    for column in ("measure", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, figures in (("pairwise", result.pairwise), ("BCubed", result.bcubed)):
        table.add_row(
            name, f"{figures.precision:.3f}", f"{figures.recall:.3f}", f"{figures.f1:.3f}"
        )
    Console().print(table)


@eval_cli.command("copies")
def eval_copies(
    articles: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    labels: Annotated[Path | None, typer.Argument(exists=True, dir_okay=False)] = None,
) -> None:
    """Pair similarities of a corpus by bucket, and the near-copies the story stage marks."""
    from geolab.copies import evaluate

    console.print_json(data=evaluate(articles, labels))


@eval_cli.command("order")
def eval_order(
    articles: Paths,
    orders: Annotated[int, typer.Option(help="Shuffled orders to run.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the first order.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Run a feed in shuffled orders, partitions and stages interleaved as concurrent workers
    would take them; compare the canonical events and pages with replay's."""
    import json

    from geolab import order
    from streams.feed import read_records
    from streams.rules import get_rules

    try:
        records = list(read_records(articles))
        report = order.evaluate(records, get_settings(), get_rules(), orders, seed)
    except GeoeventsError as err:
        raise fail(err) from err
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    console.print(
        f"{report.articles} articles: replay leaves {report.events} events and pages "
        f"{report.pages}.\n{report.orders} shuffled orders: {report.same_events} with the same "
        f"events, {report.same_pages} with the same pages, {report.paged_twice} paging an event "
        f"twice ({report.paged_beyond_merges} more than once per event merged into it)."
    )
    for difference in report.differences[:5]:
        console.print_json(data=difference)


# --- bench: speed and memory


@bench_cli.command("extract")
def bench_extract(
    articles: BenchArticles = 2000,
    words: BenchWords = 400,
    seed: BenchSeed = 7,
    cpu: BenchCpu = None,
    as_json: BenchJson = False,
    source: BenchSource = None,
) -> None:
    """Time extract() on one core over seeded synthetic wire articles, after a warm-up."""
    from geolab import bench

    figures = bench.bench_extract(articles, words, seed, cpu, source=source)
    _print_figures("extract() throughput", figures, as_json)


@bench_cli.command("replay")
def bench_replay(
    articles: BenchArticles = 2000,
    words: BenchWords = 400,
    seed: BenchSeed = 7,
    cpu: BenchCpu = None,
    as_json: BenchJson = False,
    source: BenchSource = None,
    news: Annotated[
        bool,
        typer.Option(
            "--news",
            help="Distinct articles built from --input's sentences as bench window builds "
            "them (stories, near-copies, a million a day), instead of its bodies in turn.",
        ),
    ] = False,
) -> None:
    """Time the whole in-process pipeline (replay) over the same synthetic articles."""
    from geolab import bench

    try:
        figures = bench.bench_replay(articles, words, seed, cpu, source=source, news=news)
    except ValueError as err:
        raise fail(GeoeventsError(str(err))) from err
    _print_figures("replay: every stage", figures, as_json)


@bench_cli.command("stories")
def bench_stories(
    articles: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Article JSONL to replicate.")
    ],
    copies: Annotated[
        int, typer.Option("--copies", help="Disjoint copies of the articles (more live stories).")
    ] = 60,
    as_json: BenchJson = False,
) -> None:
    """Time story features and assign() on one core; bytes per stored and per indexed story."""
    from geolab import stories

    try:
        figures = stories.benchmark(stories.read_articles(articles), copies)
    except GeoeventsError as err:
        raise fail(err) from err
    _print_figures("story clustering", dict(figures.as_dict()), as_json)


@bench_cli.command("stream")
def bench_stream(
    articles: Annotated[int, typer.Option(help="Articles for the throughput phase.")] = 3000,
    rate: Annotated[float, typer.Option(help="Articles/s during the latency phase.")] = 20.0,
    latency_articles: Annotated[int, typer.Option(help="Articles in the latency phase.")] = 400,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes in the consumer group.")
    ] = 1,
    input_kind: Annotated[
        str,
        typer.Option(
            "--input",
            help="synthetic (filler prose that names nothing) or news (bench window's stream).",
        ),
    ] = "synthetic",
    base: Annotated[
        Path, typer.Option(help="With --input news: JSONL articles the news is built from.")
    ] = ECBPLUS_ARTICLES,
) -> None:
    """Publish-to-alert latency at a steady rate, then sustained articles/s, through the broker
    and N workers of one group, with each worker's partitions and CPU time."""
    from geolab.stream_bench import stream_bench

    if input_kind not in ("synthetic", "news"):
        raise fail(GeoeventsError(f"--input must be synthetic or news, not {input_kind!r}"))
    news = base if input_kind == "news" else None
    if news is not None and not news.is_file():
        raise fail(GeoeventsError(f"{base}: no such file (--base)"))
    figures = asyncio.run(stream_bench(articles, rate, latency_articles, workers, news))
    console.print_json(data=figures)


@bench_cli.command("window")
def bench_window(
    articles: Annotated[int, typer.Option(help="Articles in the stream.")] = 200_000,
    base: Annotated[
        Path, typer.Option(help="JSONL articles whose sentences the stream is built from.")
    ] = ECBPLUS_ARTICLES,
    per_day: Annotated[float, typer.Option(help="Articles a day (stream time).")] = 1e6,
    store: Annotated[str, typer.Option(help="rocksdb (as a worker) or memory.")] = "rocksdb",
) -> None:
    """A long stream that looks like news through every step: per tenth of the run, the cost
    per article, resident memory, live stories and table sizes."""
    from geolab.window import run

    if store not in ("rocksdb", "memory"):
        raise fail(GeoeventsError(f"--store must be rocksdb or memory, not {store!r}"))
    try:
        for row in run(articles, base, per_day, store):
            console.print_json(data=row)
    except (OSError, ValueError) as err:
        raise fail(GeoeventsError(f"{base}: {err}")) from err


@bench_cli.command("memory")
def bench_memory(
    articles: Annotated[int, typer.Option(help="Articles to replay.")] = 100_000,
    words: Annotated[int, typer.Option(help="Words per article.")] = 400,
) -> None:
    """Resident memory of replay's state as a long synthetic stream runs through every stage."""
    from geolab.stream_bench import replay_memory

    checkpoints = sorted(
        {c for c in (1_000, 10_000, 100_000, 1_000_000) if c < articles} | {articles}
    )
    for row in replay_memory(articles, checkpoints, words):
        console.print_json(data=row)


# --- train


@cli.command()
def train(
    plv: TrainPlv = PLV_TRAIN,
    gsr: TrainGsr = PLOVER_GSR,
    own: TrainOwn = OWN_SENTENCES,
    fixtures: TrainFixtures = OWN_ARTICLES,
    out: Annotated[
        Path, typer.Option("--out", file_okay=False, help="Where to write the model.")
    ] = DATA_DIR / "model",
) -> None:
    """Train the event classifier (seeded, a minute or two) and write it with its provenance."""
    import shlex
    import sys

    from geolab.training import train as fit_model

    command = "geolab " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    model = fit_model(_sources(plv, gsr, own, fixtures), out, command)
    p = model.provenance
    console.print(
        f"model written to {out}: {sum(p['examples'].values())} examples {p['examples']}, "
        f"{len(model.parsed.index)} + {len(model.lexical.index)} features, temperatures "
        f"{model.parsed.temperature} / {model.lexical.temperature}, commit {p['commit']}"
    )


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
