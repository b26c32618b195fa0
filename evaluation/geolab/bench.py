"""Extraction throughput: seeded synthetic wire articles, timed through extract() and replay."""

from __future__ import annotations

import gc
import json
import os
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from schemas import Article
from streams.feed import RawRecord
from streams.stages.intake import normalise, to_record

# --- vocabulary: (name, metonym, demonym) ------------------------------------------------------

_STATES = (
    ("North Korea", "Pyongyang", "North Korean"),
    ("Russia", "the Kremlin", "Russian"),
    ("Ukraine", "Kyiv", "Ukrainian"),
    ("China", "Beijing", "Chinese"),
    ("the United States", "Washington", "American"),
    ("South Korea", "Seoul", "South Korean"),
    ("Japan", "Tokyo", "Japanese"),
    ("Israel", "Israel", "Israeli"),
    ("Iran", "Tehran", "Iranian"),
    ("Turkey", "Ankara", "Turkish"),
    ("Poland", "Warsaw", "Polish"),
    ("France", "Paris", "French"),
    ("Britain", "Downing Street", "British"),
    ("India", "New Delhi", "Indian"),
    ("Pakistan", "Islamabad", "Pakistani"),
    ("the Philippines", "Manila", "Philippine"),
    ("Venezuela", "Caracas", "Venezuelan"),
    ("Mali", "Bamako", "Malian"),
    ("Sudan", "Khartoum", "Sudanese"),
    ("Serbia", "Belgrade", "Serbian"),
)
_PLACES = (
    "Russia's Kursk region", "the Belgorod region", "the Donetsk region", "Kharkiv",
    "the Zaporizhzhia region", "Gaza", "the Red Sea", "northern Syria", "El Fasher",
    "the Sea of Japan", "the Taiwan Strait", "Kashmir", "Odesa", "central Mali",
    "the Yellow Sea", "southern Lebanon",
)  # fmt: skip
_CITIES = ("Seoul", "Tokyo", "Geneva", "Brussels", "Cairo", "Doha", "Istanbul", "New York",
           "Belgrade", "Bogota", "Manila", "Riyadh", "Vienna", "Warsaw")  # fmt: skip
_LEADERS = (
    "President Vladimir Putin", "President Volodymyr Zelensky", "leader Kim Jong Un",
    "President Lee Jae-myung", "Prime Minister Sanae Takaichi", "President Xi Jinping",
    "Prime Minister Keir Starmer", "NATO Secretary General Mark Rutte",
    "U.N. Secretary-General Antonio Guterres", "Prime Minister Benjamin Netanyahu",
)  # fmt: skip
_WEAPONS = (
    "an intercontinental ballistic missile", "two short-range ballistic missiles",
    "a submarine-launched ballistic missile", "a hypersonic missile", "a cruise missile",
    "a Hwasong-18 missile", "an intermediate-range ballistic missile",
)  # fmt: skip
_DAYS = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday",
         "on Sunday", "yesterday", "overnight", "last week", "earlier this month")  # fmt: skip
_QUALIFIERS = ("some", "about", "up to", "at least", "more than", "")
_SOURCES = ("Harbor Wire", "Capital Dispatch", "Meridian Post", "Northgate News", "Sahel Monitor",
            "Gulf Courier", "Andes Report", "Baltic Ledger", "Pacific Times Wire")  # fmt: skip

# Sentences that report an event; {s}/{t} are states, {a}/{b} their demonyms, {m} a metonym.
_EVENTS = (
    "{s} test-fired {weapon} into the sea {day}, {t}'s military said.",
    "{m} fired {weapon} {day}, the first such launch in months, officials in {city} said.",
    "{q} {n} {a} troops have been deployed to {place}, {t}'s intelligence agency said {day}.",
    "{a} drones struck {place} {day}, killing {q} {n} people and injuring {n2}, officials said.",
    "{a} artillery shelled {place} {day}, wounding {n} civilians, the regional governor said.",
    "{a} airstrikes on {place} killed {q} {n} people {day}, according to local health officials.",
    "{s} condemned the launch as a grave provocation and a violation of U.N. resolutions.",
    "{m} accused {t} of violating the ceasefire in {place}.",
    "{leader} met {leader2} in {city} {day} for talks on security and trade.",
    "{s} and {t} agreed {day} to resume regular military talks, the two governments said.",
    "The European Union imposed new sanctions on {s} {day}, targeting {n} companies and banks.",
    "{s} expelled two {b} diplomats {day}, accusing them of espionage.",
    "{q} {n} protesters marched through {city} {day} to demand the government's resignation.",
    "Police in {city} detained {n} opposition activists after the rally, a rights group said.",
    "{a} and {b} warships began joint naval drills in {place} {day}.",
    "{m} warned that it would respond with force to any further provocation by {t}.",
    "{s} and {t} exchanged {n} prisoners of war each {day} in a swap mediated by Qatar.",
    "{m} called on {t} to withdraw its forces from {place} immediately.",
    "{m} rejected a proposal by {t} for a 30-day ceasefire, saying it favoured the other side.",
    "{s} delivered {q} {n} tonnes of food and medicine to {t} {day}, aid officials said.",
    "{s} pulled its troops out of {place} {day}, ending a deployment of several months.",
    "{leader} voiced strong support for {t}'s bid to join the European Union.",
)
# Context, quotes and colour: no current event, though some look as if they hold one.
_BACKGROUND = (
    "Analysts said the move was likely to deepen tensions in the region.",
    "The ministry did not give further details.",
    "Officials declined to say how long the operation would last.",
    '"We will not be intimidated," a spokesperson told reporters.',
    "The region has seen repeated flare-ups over the past decade.",
    "Trade between the two countries rose {n} percent last year, customs data showed.",
    "Markets in the region were little changed on the news.",
    "The report could not be independently verified.",
    "Residents said power had been restored to most homes by the evening.",
    "The agency cited satellite images and intercepted communications.",
    "Local media reported long queues at petrol stations.",
    "Officials said the decision followed months of deliberation within the government.",
    "The two sides have been at odds over the border for years.",
    "Diplomats said the statement had been drafted over several days of negotiation.",
    '"This is a dangerous moment," said a researcher at a think tank in {city}.',
    "The defence ministry posted photographs of the scene on social media.",
    "Shares in the country's largest defence company rose {n} percent.",
    "The government has promised to publish a review of its strategy in the spring.",
    "Schools and shops in the area stayed closed, residents said.",
    "The foreign ministry is expected to brief reporters later in the day.",
)
_TRAPS = (
    "{s} last conducted a nuclear test in 2017, and analysts say another could come at any time.",
    "{s} could deploy additional troops to {place} if the situation worsens, officials warned.",
    "{m} denied having troops in {place}.",
    "{s} and {t} plan to hold joint drills next month.",
    "The 2022 offensive in {place} is the subject of a new film that premiered in {city}.",
    "Options traders bought contracts with a strike price well above the current level.",
)
_EVENT_SHARE, _TRAP_SHARE = 0.25, 0.08
_START = datetime(2025, 11, 3, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Synthetic:
    """One generated article and the number of sentences it was built from."""

    article: Article
    sentences: int
    words: int


def _fill(rng: random.Random, template: str) -> str:
    (s, m, a), (t, _, b) = rng.sample(_STATES, 2)
    leader, leader2 = rng.sample(_LEADERS, 2)
    text = template.format(
        s=s, t=t, m=m, a=a, b=b, leader=leader, leader2=leader2,
        weapon=rng.choice(_WEAPONS), day=rng.choice(_DAYS), city=rng.choice(_CITIES),
        place=rng.choice(_PLACES), q=rng.choice(_QUALIFIERS),
        n=f"{rng.choice((2, 3, 5, 8, 12, 40, 150, 1200, 8000, 12000)):,}", n2=rng.randint(2, 60),
    )  # fmt: skip
    text = " ".join(text.split())
    return text[0].upper() + text[1:]


def _sentence(rng: random.Random, stories: list[str]) -> str:
    roll = rng.random()
    if roll < _EVENT_SHARE:
        # Half the event sentences re-report an earlier story, so replay has merging to do.
        if stories and rng.random() < 0.5:
            return rng.choice(stories)
        sentence = _fill(rng, rng.choice(_EVENTS))
        stories.append(sentence)
        return sentence
    if roll < _EVENT_SHARE + _TRAP_SHARE:
        return _fill(rng, rng.choice(_TRAPS))
    return _fill(rng, rng.choice(_BACKGROUND))


def _article(rng: random.Random, index: int, words: int, stories: list[str]) -> Synthetic:
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng, stories)
        for _ in range(5):  # a wire story rarely repeats itself word for word
            if sentence not in sentences:
                break
            sentence = _sentence(rng, stories)
        sentences.append(sentence)
        count += len(sentence.split())
    source = rng.choice(_SOURCES)
    paragraphs, i = [], 0
    while i < len(sentences):
        step = rng.randint(1, 3)
        paragraphs.append(" ".join(sentences[i : i + step]))
        i += step
    dateline = f"{rng.choice(_CITIES).upper()} ({source}) — "
    article = Article(
        id=f"bench-{index:07d}",
        source=source,
        published_at=_START + timedelta(minutes=7 * index),
        title=sentences[0][:120],
        body=dateline + "\n\n".join(paragraphs),
    )
    return Synthetic(normalise(article), len(sentences), count)


def synthetic_articles(n: int, words: int = 400, seed: int = 7) -> list[Synthetic]:
    """`n` wire-style articles of about `words` words each, the same for the same seed."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    stories: list[str] = []
    return [_article(rng, i, words, stories) for i in range(n)]


def corpus_articles(path: Path, n: int, words: int = 400) -> list[Synthetic]:
    """`n` articles of about `words` words built from the bodies of a JSONL article file.

    Consecutive bodies are joined paragraph by paragraph until an article is long enough,
    cycling through the file: real news text at the event density real news has, where the
    synthetic corpus is far denser (a quarter of its sentences report an event).
    """
    bodies = [
        json.loads(line)["body"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    paragraphs = [p.strip() for body in bodies for p in body.split("\n") if p.strip()]
    if not paragraphs:
        raise ValueError(f"{path}: no article bodies")
    out: list[Synthetic] = []
    cursor = 0
    for index in range(n):
        chosen: list[str] = []
        count = 0
        while count < words:
            paragraph = paragraphs[cursor % len(paragraphs)]
            cursor += 1
            chosen.append(paragraph)
            count += len(paragraph.split())
        article = Article(
            id=f"corpus-{index:07d}",
            source="Corpus",
            published_at=_START + timedelta(minutes=7 * index),
            body="\n\n".join(chosen),
        )
        sentences = sum(max(1, p.count(". ")) for p in chosen)
        out.append(Synthetic(normalise(article), sentences, count))
    return out


def _corpus(n: int, words: int, seed: int, source: Path | None) -> list[Synthetic]:
    return corpus_articles(source, n, words) if source else synthetic_articles(n, words, seed)


# --- timing ------------------------------------------------------------------------------------


@contextmanager
def pinned(cpu: int | None = None) -> Iterator[int | None]:
    """Pin this process to one CPU (the last allowed one by default) where the OS allows it."""
    if not hasattr(os, "sched_setaffinity"):
        yield None
        return
    allowed = os.sched_getaffinity(0)
    chosen = max(allowed) if cpu is None else cpu
    os.sched_setaffinity(0, {chosen})
    try:
        yield chosen
    finally:
        os.sched_setaffinity(0, allowed)


def _percentile(sorted_values: list[int], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, round(q / 100 * len(sorted_values)))
    return float(sorted_values[rank - 1])


def bench_extract(
    n: int = 2000,
    words: int = 400,
    seed: int = 7,
    cpu: int | None = None,
    warmup: int = 100,
    source: Path | None = None,
) -> dict[str, float | int | None]:
    """Time extract() over `n` articles (synthetic, or built from `source`) after a warm-up."""
    from streams.extraction.mentions import extract

    corpus = _corpus(n, words, seed, source)
    records = [to_record(item.article) for item in corpus]
    warm = synthetic_articles(warmup, words, seed + 1)
    with pinned(cpu) as core:
        for item in warm:
            extract(to_record(item.article))
        gc.collect()
        timings: list[int] = []
        mentions = 0
        started = time.perf_counter()
        for record in records:
            t0 = time.perf_counter_ns()
            mentions += len(extract(record))
            timings.append(time.perf_counter_ns() - t0)
        elapsed = time.perf_counter() - started
    timings.sort()
    sentences = sum(item.sentences for item in corpus)
    return {
        "articles": n,
        "words_per_article": sum(item.words for item in corpus) / n,
        "sentences": sentences,
        "cpu": core,
        "seconds": elapsed,
        "articles_per_s": n / elapsed,
        "sentences_per_s": sentences / elapsed,
        "us_per_article_p50": _percentile(timings, 50) / 1000,
        "us_per_article_p99": _percentile(timings, 99) / 1000,
        "mentions_per_article": mentions / n,
    }


def raw_records(corpus: list[Synthetic]) -> list[RawRecord]:
    """The articles as they would arrive on articles.raw."""
    return [
        RawRecord(
            key=item.article.id.encode(),
            value=json.dumps(item.article.model_dump(mode="json"), ensure_ascii=False).encode(),
            origin=f"synthetic#{i}",
        )
        for i, item in enumerate(corpus)
    ]


def bench_replay(
    n: int = 2000,
    words: int = 400,
    seed: int = 7,
    cpu: int | None = None,
    warmup: int = 100,
    source: Path | None = None,
    news: bool = False,
) -> dict[str, float | int | None]:
    """Time the whole in-process pipeline (streams.replay.Replay) over `n` articles; with
    `news`, distinct articles from `source`'s sentences as `bench window` builds them
    (stories, near-copies, a million a day)."""
    from streams.extraction.model import default_model
    from streams.extraction.parse import parser
    from streams.replay import Replay
    from streams.rules import get_rules
    from streams.settings import get_settings

    settings, rules = get_settings(), get_rules()
    if news:
        from geolab.window import NewsStream

        if source is None:
            raise ValueError("news articles are built from an --input file's sentences")
        records = list(NewsStream(source, seed=seed, words=words).records(n))
    else:
        records = raw_records(_corpus(n, words, seed, source))
    warm = raw_records(synthetic_articles(warmup, words, seed + 1))
    with pinned(cpu) as core:
        loaded = time.perf_counter()
        default_model()
        parser()  # start-up: the classifier and the parser, once per process
        startup = time.perf_counter() - loaded
        Replay(settings, rules).run(warm)
        gc.collect()
        replay = Replay(settings, rules)
        replay.extract_seconds = []
        started = time.perf_counter()
        result = replay.run(records)
        elapsed = time.perf_counter() - started
    extracting = sorted(int(s * 1e9) for s in replay.extract_seconds)
    return {
        "articles": n,
        "cpu": core,
        "startup_seconds": startup,
        "seconds": elapsed,
        "articles_per_s": n / elapsed,
        "extract_us_per_article_p50": _percentile(extracting, 50) / 1000,
        "extract_us_per_article_p99": _percentile(extracting, 99) / 1000,
        "mentions": len(result.mentions),
        "canonical_events": len(result.events),
        "alerts": len(result.alerts),
        "dead_letters": len(result.dead_letters),
    }
