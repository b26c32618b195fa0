"""Extraction quality: predicted event mentions against a hand-labelled corpus, field by field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from rich.console import Console
from rich.table import Table

from geolab.paths import OWN_ARTICLES
from schemas import Article, ArticleRecord, EventMention
from schemas.event import MODES, EventType, Severity
from streams.errors import GeoeventsError
from streams.stages.intake import normalise, to_record

DEFAULT_ARTICLES = OWN_ARTICLES / "articles.jsonl"
DEFAULT_EXPECTED = OWN_ARTICLES / "expected.jsonl"

TrapKind = Literal["past", "future", "hypothetical", "negative", "non_political"]
TRAP_KINDS: tuple[TrapKind, ...] = ("past", "future", "hypothetical", "negative", "non_political")
Extractor = Callable[[ArticleRecord], list[EventMention]]

# "PRK", "UNO", "NATO", or a code with the sector the text names: "KOR/GOV", "MLI/REB".
_ACTOR = re.compile(r"^[A-Z]{2,8}(?:/[A-Z]{3})?$")


# --- the labels --------------------------------------------------------------------------------


class _Label(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExpectedLocation(_Label):
    """Where an expected event happens: ISO 3166-1 alpha-3 and, when known, ISO 3166-2."""

    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


class ExpectedQuantity(_Label):
    """A figure the text gives about the event."""

    value: float
    unit: str = Field(min_length=1)
    qualifier: Literal["exact", "approximately", "at_least", "at_most", "more_than"] = "exact"


class ExpectedEvent(_Label):
    """One event an analyst codes from the article."""

    event_type: EventType
    mode: str | None = None
    subtype: str | None = None
    severity: Severity
    actors: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    location: ExpectedLocation | None = None
    quantities: list[ExpectedQuantity] = Field(default_factory=list)
    weapon: str | None = None
    event_date: date | None = None
    quote: str | None = Field(
        default=None, description="The words that report the event (to train on its sentence)."
    )

    @model_validator(mode="after")
    def _valid_codes(self) -> ExpectedEvent:
        if self.mode is not None and self.mode not in MODES.get(self.event_type, frozenset()):
            raise ValueError(f"mode {self.mode!r} is not a PLOVER mode of {self.event_type}")
        for code in (*self.actors, *self.recipients):
            if not _ACTOR.match(code):
                raise ValueError(f"actor {code!r} is not CODE or CODE/SECTOR")
        return self


class TrapQuote(_Label):
    """Words of one sentence that reports no current event, though it may look as if it does."""

    kind: TrapKind
    quote: str = Field(min_length=1)


class ExpectedArticle(_Label):
    """One line of expected.jsonl: the events of one article, and its traps."""

    article_id: str
    events: list[ExpectedEvent]
    trap: TrapKind | None = Field(
        default=None, description="Set on an article that reports no current event at all."
    )
    traps: list[TrapQuote] = Field(default_factory=list)
    note: str | None = None
    story: str | None = Field(
        default=None, description="Articles that report one real-world event share a story."
    )

    @model_validator(mode="after")
    def _trap_has_no_events(self) -> ExpectedArticle:
        if self.trap is not None and self.events:
            raise ValueError("a trap article lists no events")
        return self


@dataclass(frozen=True)
class GoldArticle:
    """An article, normalised as intake does, with its labels and its trap sentences' spans."""

    article: Article
    label: ExpectedArticle
    trap_spans: tuple[tuple[TrapKind, int, int], ...] = ()


def _read_lines(path: Path) -> Iterable[tuple[int, str]]:
    try:
        with path.open(encoding="utf-8") as handle:
            yield from ((n, line) for n, line in enumerate(handle, start=1) if line.strip())
    except OSError as err:
        raise GeoeventsError(f"{path}: cannot read: {err.strerror or err}") from err


def read_articles(path: Path) -> list[Article]:
    """Article JSONL, normalised as intake does; a bad line stops with its file and line."""
    articles = []
    for number, line in _read_lines(path):
        try:
            articles.append(normalise(Article.model_validate_json(line)))
        except ValidationError as err:
            raise GeoeventsError(f"{path}:{number}: not an Article: {err}") from err
    return articles


def read_expected(path: Path) -> list[ExpectedArticle]:
    """expected.jsonl; a bad line stops with its file, line and field."""
    labels = []
    for number, line in _read_lines(path):
        try:
            labels.append(ExpectedArticle.model_validate_json(line))
        except ValidationError as err:
            raise GeoeventsError(f"{path}:{number}: not an expected article: {err}") from err
    return labels


def gold_article(article: Article, label: ExpectedArticle) -> GoldArticle:
    """Pair an article with its label, locating each trap quote in the body."""
    spans = []
    for trap in label.traps:
        start = article.body.find(trap.quote)
        if start < 0:
            raise GeoeventsError(f"{article.id}: trap quote not in the body: {trap.quote!r}")
        spans.append((trap.kind, start, start + len(trap.quote)))
    return GoldArticle(article, label, tuple(spans))


def load_corpus(articles_path: Path, expected_path: Path) -> list[GoldArticle]:
    """Both files, checked against each other: every article has exactly one label line."""
    articles = {a.id: a for a in read_articles(articles_path)}
    labels = read_expected(expected_path)
    seen: set[str] = set()
    gold = []
    for label in labels:
        if label.article_id in seen:
            raise GeoeventsError(f"{expected_path}: {label.article_id} is labelled twice")
        seen.add(label.article_id)
        if label.article_id not in articles:
            raise GeoeventsError(f"{expected_path}: {label.article_id} is not in {articles_path}")
        gold.append(gold_article(articles[label.article_id], label))
    unlabelled = sorted(set(articles) - seen)
    if unlabelled:
        raise GeoeventsError(f"{expected_path}: no label for {', '.join(unlabelled)}")
    return gold


# --- figures -----------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Tally:
    """True positives, false positives and false negatives, and the P/R/F1 they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: Iterable[object], predicted: Iterable[object]) -> None:
        """Count two multisets against each other (set semantics: duplicates count once)."""
        exp, pred = set(expected), set(predicted)
        self.tp += len(exp & pred)
        self.fp += len(pred - exp)
        self.fn += len(exp - pred)

    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None when nothing was predicted."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None when nothing was expected."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        """2tp / (2tp + fp + fn); None when there was nothing on either side."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def as_dict(self) -> dict[str, object]:
        """The counts and the ratios."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass
class Accuracy:
    """Correct out of total, over the matched pairs where the field is labelled."""

    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        """Count one comparison."""
        self.total += 1
        self.correct += ok

    @property
    def value(self) -> float | None:
        """correct / total; None when nothing was compared."""
        return _ratio(self.correct, self.total)

    def as_dict(self) -> dict[str, object]:
        """The counts and the ratio."""
        return {"correct": self.correct, "total": self.total, "accuracy": self.value}


@dataclass
class TrapTally:
    """How many traps of one kind the corpus holds, and the mentions read from them."""

    count: int = 0
    mentions: int = 0

    def as_dict(self) -> dict[str, int]:
        """The two counts."""
        return {"count": self.count, "mentions": self.mentions}


@dataclass
class FieldScores:
    """Per-field agreement over the (expected, predicted) pairs matched at root level."""

    pairs: int = 0
    actors: Tally = field(default_factory=Tally)
    recipients: Tally = field(default_factory=Tally)
    actor_sectors: Accuracy = field(default_factory=Accuracy)
    subtype: Accuracy = field(default_factory=Accuracy)
    mode: Accuracy = field(default_factory=Accuracy)
    location_country: Accuracy = field(default_factory=Accuracy)
    location_subdivision: Accuracy = field(default_factory=Accuracy)
    location_spurious: int = 0
    quantities: Tally = field(default_factory=Tally)
    weapon: Accuracy = field(default_factory=Accuracy)
    weapon_spurious: int = 0
    event_date: Accuracy = field(default_factory=Accuracy)
    severity: Accuracy = field(default_factory=Accuracy)

    def as_dict(self) -> dict[str, object]:
        """Every figure, JSON-ready."""
        out: dict[str, object] = {}
        for name, value in vars(self).items():
            out[name] = value.as_dict() if isinstance(value, Tally | Accuracy) else value
        return out


@dataclass(frozen=True)
class Finding:
    """One disagreement, for reading what went wrong (`--details`)."""

    article_id: str
    kind: Literal["missed", "false_positive", "trap", "field", "error"]
    text: str


@dataclass
class ExtractionReport:
    """Every figure of one scoring run."""

    articles: int = 0
    event_articles: int = 0
    expected_events: int = 0
    predicted_mentions: int = 0
    extractor_errors: int = 0
    detection_root: Tally = field(default_factory=Tally)
    detection_subtype: Tally = field(default_factory=Tally)
    per_root: dict[str, Tally] = field(default_factory=dict)
    trap_articles: dict[str, TrapTally] = field(
        default_factory=lambda: {k: TrapTally() for k in TRAP_KINDS}
    )
    trap_sentences: dict[str, TrapTally] = field(
        default_factory=lambda: {k: TrapTally() for k in TRAP_KINDS if k != "non_political"}
    )
    fields: FieldScores = field(default_factory=FieldScores)
    findings: list[Finding] = field(default_factory=list)

    @property
    def trap_mentions(self) -> int:
        """Mentions read from trap articles and trap sentences together."""
        tallies = (*self.trap_articles.values(), *self.trap_sentences.values())
        return sum(t.mentions for t in tallies)

    def as_dict(self) -> dict[str, object]:
        """The figures (not the findings), JSON-ready."""
        return {
            "corpus": {
                "articles": self.articles,
                "event_articles": self.event_articles,
                "trap_articles": sum(t.count for t in self.trap_articles.values()),
                "expected_events": self.expected_events,
                "predicted_mentions": self.predicted_mentions,
                "extractor_errors": self.extractor_errors,
            },
            "detection": {
                "root": self.detection_root.as_dict(),
                "root+subtype": self.detection_subtype.as_dict(),
            },
            "per_root": {root: t.as_dict() for root, t in sorted(self.per_root.items())},
            "traps": {
                "articles": {k: t.as_dict() for k, t in self.trap_articles.items()},
                "sentences": {k: t.as_dict() for k, t in self.trap_sentences.items()},
                "mentions": self.trap_mentions,
            },
            "fields": self.fields.as_dict(),
        }


# --- alignment ---------------------------------------------------------------------------------


def _split(code: str) -> tuple[str, str | None]:
    head, _, sector = code.partition("/")
    return head, sector or None


def _codes(actors: Iterable[str]) -> set[str]:
    return {_split(a)[0] for a in actors}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def similarity(pred: EventMention, exp: ExpectedEvent, *, strict: bool = False) -> float | None:
    """How well a mention fits an expected event; None when they cannot be the same event.

    They must share the PLOVER root (and the subtype, when `strict`). Among candidates, the
    subtype, the mode and the overlap of actor and recipient codes decide which is which.
    """
    if pred.event_type != exp.event_type or (strict and pred.subtype != exp.subtype):
        return None
    return (
        1.0
        + 0.5 * (pred.subtype == exp.subtype)
        + 0.25 * (pred.mode == exp.mode)
        + _jaccard({a.code for a in pred.actors}, _codes(exp.actors))
        + 0.5 * _jaccard({a.code for a in pred.recipients}, _codes(exp.recipients))
    )


_MAX_EXACT = 12  # expected events per article; above it, 2**n states is too many: go greedy


def assign(scores: Sequence[Sequence[float | None]], n_expected: int) -> list[tuple[int, int]]:
    """The (prediction, expected) pairs that match the most events, then score the highest.

    `scores[i][j]` is the similarity of prediction i to expected event j, None if they cannot
    pair. Exact (dynamic programming over the set of expected events used) up to 12 expected
    events per article, greedy above.
    """
    if n_expected > _MAX_EXACT:
        return _greedy(scores)
    best: dict[int, tuple[int, float, tuple[tuple[int, int], ...]]] = {0: (0, 0.0, ())}
    for i, row in enumerate(scores):
        step = dict(best)
        for used, (count, total, pairs) in best.items():
            for j, score in enumerate(row):
                if score is None or used >> j & 1:
                    continue
                candidate = (count + 1, total + score, (*pairs, (i, j)))
                key = used | 1 << j
                if key not in step or candidate[:2] > step[key][:2]:
                    step[key] = candidate
        best = step
    return list(max(best.values(), key=lambda v: v[:2])[2])


def _greedy(scores: Sequence[Sequence[float | None]]) -> list[tuple[int, int]]:
    cells = [(s, i, j) for i, row in enumerate(scores) for j, s in enumerate(row) if s is not None]
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for _, i, j in sorted(cells, key=lambda c: (-c[0], c[1], c[2])):
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((i, j))
    return sorted(pairs)


# --- scoring -----------------------------------------------------------------------------------


def _describe(event_type: str, subtype: str | None, actors: Iterable[str]) -> str:
    return f"{event_type}/{subtype or '-'} [{', '.join(actors)}]"


def _describe_mention(m: EventMention) -> str:
    return _describe(m.event_type, m.subtype, (a.code for a in m.actors))


def _trap_of(mention: EventMention, spans: Iterable[tuple[TrapKind, int, int]]) -> TrapKind | None:
    start, end = mention.evidence.start, mention.evidence.end
    return next((kind for kind, s, e in spans if s < end and start < e), None)


def _score_actors(
    fields: FieldScores, role: Tally, expected: list[str], predicted: EventMention, recipients: bool
) -> None:
    actors = predicted.recipients if recipients else predicted.actors
    role.add(_codes(expected), (a.code for a in actors))
    sectors = {a.code: a.sector for a in actors}
    for code, sector in map(_split, expected):
        if sector is not None and code in sectors:
            fields.actor_sectors.add(sectors[code] == sector)


def _score_pair(report: ExtractionReport, aid: str, exp: ExpectedEvent, pred: EventMention) -> None:
    f = report.fields
    f.pairs += 1
    _score_actors(f, f.actors, exp.actors, pred, recipients=False)
    _score_actors(f, f.recipients, exp.recipients, pred, recipients=True)
    f.subtype.add(pred.subtype == exp.subtype)
    f.mode.add(pred.mode == exp.mode)
    where = pred.location
    if exp.location is not None and exp.location.country is not None:
        f.location_country.add(where is not None and where.country == exp.location.country)
    if exp.location is not None and exp.location.subdivision is not None:
        f.location_subdivision.add(
            where is not None and where.subdivision == exp.location.subdivision
        )
    if exp.location is None and where is not None:
        f.location_spurious += 1
    f.quantities.add(
        ((q.value, q.unit, q.qualifier) for q in exp.quantities),
        ((q.value, q.unit, q.qualifier) for q in pred.quantities),
    )
    if exp.weapon is not None:
        f.weapon.add(pred.weapon == exp.weapon)
    elif pred.weapon is not None:
        f.weapon_spurious += 1
    f.event_date.add(pred.event_date == exp.event_date)
    f.severity.add(pred.severity == exp.severity)
    _field_findings(report, aid, exp, pred)


def _field_findings(
    report: ExtractionReport, aid: str, exp: ExpectedEvent, pred: EventMention
) -> None:
    where = pred.location
    pairs = {
        "subtype": (exp.subtype, pred.subtype),
        "mode": (exp.mode, pred.mode),
        "actors": (sorted(_codes(exp.actors)), sorted({a.code for a in pred.actors})),
        "recipients": (sorted(_codes(exp.recipients)), sorted({a.code for a in pred.recipients})),
        "location": (
            (exp.location.country, exp.location.subdivision) if exp.location else None,
            (where.country, where.subdivision) if where else None,
        ),
        "quantities": (
            sorted((q.value, q.unit, q.qualifier) for q in exp.quantities),
            sorted((q.value, q.unit, q.qualifier) for q in pred.quantities),
        ),
        "weapon": (exp.weapon, pred.weapon),
        "event_date": (exp.event_date, pred.event_date),
        "severity": (exp.severity, pred.severity),
    }
    wrong = [f"{name} {e!s} -> {p!s}" for name, (e, p) in pairs.items() if e != p]
    if wrong:
        head = _describe(exp.event_type, exp.subtype, exp.actors)
        report.findings.append(Finding(aid, "field", f"{head}: {'; '.join(wrong)}"))


def _per_root(report: ExtractionReport, root: str) -> Tally:
    return report.per_root.setdefault(root, Tally())


def _score_article(report: ExtractionReport, gold: GoldArticle, preds: list[EventMention]) -> None:
    aid, label = gold.article.id, gold.label
    report.predicted_mentions += len(preds)
    report.expected_events += len(label.events)
    if label.trap is not None:
        report.trap_articles[label.trap].count += 1
        report.trap_articles[label.trap].mentions += len(preds)
    else:
        report.event_articles += 1
    for trap in label.traps:
        report.trap_sentences[trap.kind].count += 1
    candidates = []
    for pred in preds:
        kind = label.trap or _trap_of(pred, gold.trap_spans)
        if kind is None:
            candidates.append(pred)
            continue
        if label.trap is None:
            report.trap_sentences[kind].mentions += 1
        # a mention read from a trap matches no event: a false positive at every level
        report.detection_root.fp += 1
        report.detection_subtype.fp += 1
        _per_root(report, pred.event_type).fp += 1
        text = f"{kind}: {_describe_mention(pred)}: {pred.evidence.sentence}"
        report.findings.append(Finding(aid, "trap", text))
    _align(report, aid, label.events, candidates)


def _match(
    tally: Tally, expected: list[ExpectedEvent], preds: list[EventMention], strict: bool
) -> list[tuple[int, int]]:
    scores = [[similarity(p, e, strict=strict) for e in expected] for p in preds]
    pairs = assign(scores, len(expected))
    tally.tp += len(pairs)
    tally.fp += len(preds) - len(pairs)
    tally.fn += len(expected) - len(pairs)
    return pairs


def _align(
    report: ExtractionReport, aid: str, expected: list[ExpectedEvent], preds: list[EventMention]
) -> None:
    _match(report.detection_subtype, expected, preds, strict=True)
    pairs = _match(report.detection_root, expected, preds, strict=False)
    # the root-level pairs carry the field figures and the per-root table
    matched_p = {i for i, _ in pairs}
    matched_e = {j for _, j in pairs}
    for i, j in pairs:
        _per_root(report, expected[j].event_type).tp += 1
        _score_pair(report, aid, expected[j], preds[i])
    for j, exp in enumerate(expected):
        if j not in matched_e:
            _per_root(report, exp.event_type).fn += 1
            text = _describe(exp.event_type, exp.subtype, exp.actors)
            report.findings.append(Finding(aid, "missed", text))
    for i, pred in enumerate(preds):
        if i not in matched_p:
            _per_root(report, pred.event_type).fp += 1
            text = f"{_describe_mention(pred)}: {pred.evidence.sentence}"
            report.findings.append(Finding(aid, "false_positive", text))


def evaluate(
    gold: Sequence[GoldArticle], predictions: Mapping[str, Sequence[EventMention]]
) -> ExtractionReport:
    """Score the predicted mentions of each article against its labels."""
    report = ExtractionReport(articles=len(gold))
    for item in gold:
        _score_article(report, item, list(predictions.get(item.article.id, ())))
    return report


def predict(
    gold: Sequence[GoldArticle], extractor: Extractor
) -> tuple[dict[str, list[EventMention]], list[Finding]]:
    """Run the extractor on every article; an exception is recorded, not raised."""
    predictions: dict[str, list[EventMention]] = {}
    errors = []
    for item in gold:
        try:
            predictions[item.article.id] = extractor(to_record(item.article))
        except Exception as err:  # a crash is a figure of the extractor under test
            errors.append(Finding(item.article.id, "error", f"{type(err).__name__}: {err}"))
    return predictions, errors


def run(
    articles_path: Path = DEFAULT_ARTICLES,
    expected_path: Path = DEFAULT_EXPECTED,
    extractor: Extractor | None = None,
) -> ExtractionReport:
    """Load the corpus, run the extractor (the service's by default) and score it. The
    labels code current events only, so the service's mentions of plans, possibilities and
    history (which open no event) are not predictions of one."""
    from streams.extraction.mentions import extract
    from streams.merging.reports import news

    def current(record: ArticleRecord) -> list[EventMention]:
        return [m for m in extract(record) if news(m)]

    gold = load_corpus(articles_path, expected_path)
    predictions, errors = predict(gold, extractor or current)
    report = evaluate(gold, predictions)
    report.extractor_errors = len(errors)
    report.findings[:0] = errors
    return report


# --- rendering ---------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _tally_row(name: str, t: Tally) -> list[str]:
    return [name, str(t.tp), str(t.fp), str(t.fn), _pct(t.precision), _pct(t.recall), _pct(t.f1)]


def _prf_table(title: str, first: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(first)
    for name in ("TP", "FP", "FN", "P %", "R %", "F1 %"):
        table.add_column(name, justify="right")
    return table


def render(report: ExtractionReport, console: Console, details: bool = False) -> None:
    """Rich tables of every figure; with `details`, every disagreement too."""
    r = report
    console.print(
        f"{r.articles} articles ({r.event_articles} with events, "
        f"{r.articles - r.event_articles} traps), {r.expected_events} expected events, "
        f"{r.predicted_mentions} predicted mentions, {r.extractor_errors} extractor errors",
        soft_wrap=True,
    )
    detection = _prf_table("Event detection", "level")
    detection.add_row(*_tally_row("root", report.detection_root))
    detection.add_row(*_tally_row("root+subtype", report.detection_subtype))
    console.print(detection)

    per_root = _prf_table("Detection by PLOVER root", "root")
    for root, tally in sorted(report.per_root.items()):
        per_root.add_row(*_tally_row(root, tally))
    console.print(per_root)

    traps = Table(title="Trap false positives (mentions read from traps)", title_justify="left")
    for name in ("trap", "kind", "count", "mentions"):
        traps.add_column(name, justify="right" if name in ("count", "mentions") else "left")
    for where, tallies in (("article", report.trap_articles), ("sentence", report.trap_sentences)):
        for kind, t in tallies.items():
            traps.add_row(where, kind, str(t.count), str(t.mentions))
    traps.add_row("all", "", "", str(report.trap_mentions), style="bold")
    console.print(traps)
    console.print(_fields_table(report.fields))
    if details:
        for finding in report.findings:
            console.print(
                f"{finding.article_id} {finding.kind}: {finding.text}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


def _fields_table(f: FieldScores) -> Table:
    table = Table(
        title=f"Fields of the {f.pairs} events matched at root level", title_justify="left"
    )
    for name in ("field", "measure", "n", "value %"):
        table.add_column(name, justify="right" if name in ("n", "value %") else "left")
    for name, tally in (("actors", f.actors), ("recipients", f.recipients)):
        n = str(tally.tp + tally.fn)
        table.add_row(name, "code P / R / F1", n, " / ".join(map(_pct, _prf(tally))))
    q = f.quantities
    table.add_row(
        "quantities",
        "value+unit+qualifier P / R",
        str(q.tp + q.fn),
        f"{_pct(q.precision)} / {_pct(q.recall)}",
    )
    accuracies = (
        ("actor sectors", f.actor_sectors),
        ("subtype", f.subtype),
        ("mode", f.mode),
        ("location country", f.location_country),
        ("location subdivision", f.location_subdivision),
        ("weapon", f.weapon),
        ("event_date", f.event_date),
        ("severity", f.severity),
    )
    for name, acc in accuracies:
        table.add_row(name, "accuracy", str(acc.total), _pct(acc.value))
    table.add_row("location", "given where none expected", str(f.location_spurious), "")
    table.add_row("weapon", "given where none expected", str(f.weapon_spurious), "")
    return table


def _prf(t: Tally) -> tuple[float | None, float | None, float | None]:
    return t.precision, t.recall, t.f1
