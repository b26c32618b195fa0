"""Keyword extractor: PLOVER event mentions read from an article's sentences by rule."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas import Actor, ArticleRecord, EventMention, Evidence, Location, Quantity, Severity
from schemas.event import EventType
from streams.errors import ConfigError

GAZETTEER_PATH = Path(__file__).resolve().parents[1] / "data" / "gazetteer.yaml"
# Keyword rules are right more often than not, but read no syntax; without an actor, less so.
CONFIDENCE, CONFIDENCE_NO_ACTOR = 0.6, 0.5
CRITICAL_WEAPONS = frozenset({"ICBM", "SLBM", "IRBM", "hypersonic"})


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", flags)


# --- gazetteer: an operator-edited data file, validated once at import --------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(min_length=1)


class _ActorEntry(_Entry):
    code: str = Field(pattern=r"^[A-Z]{3,4}$")
    kind: Literal["state", "org"] = "state"


class _PlaceEntry(_Entry):
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


class _GazetteerFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actors: list[_ActorEntry]
    places: list[_PlaceEntry]


@dataclass(frozen=True)
class _Sense:
    """What a name stands for: an actor when it acts, a place when it is where things happen."""

    actor: Actor | None = None
    place: Location | None = None


def _norm(alias: str) -> str:
    return alias.replace("’", "'")


def _line_of(text: str, loc: tuple[int | str, ...]) -> int:
    """The 1-based line of the YAML node at `loc`, or of its deepest existing parent."""
    node = yaml.compose(text)
    for key in loc:
        pairs = node.value if isinstance(node, yaml.MappingNode) else []
        items = node.value if isinstance(node, yaml.SequenceNode) else []
        children = {k.value: v for k, v in pairs} | dict(enumerate(items))
        if key not in children:
            break
        node = children[key]
    return node.start_mark.line + 1 if node is not None else 1


def _load_gazetteer(path: Path) -> dict[str, _Sense]:
    text = path.read_text(encoding="utf-8")
    try:
        data = _GazetteerFile.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    except ValidationError as err:
        loc, msg = err.errors()[0]["loc"], err.errors()[0]["msg"]
        where = "entry " + ".".join(map(str, loc))
        raise ConfigError(f"{path}:{_line_of(text, loc)}: {where}: {msg}") from err
    senses: dict[str, _Sense] = {}
    for section, entries in (("actors", data.actors), ("places", data.places)):
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            for alias in map(_norm, entry.aliases):
                if alias in seen:
                    where = f"entry {section}.{i} ({entry.name})"
                    raise ConfigError(
                        f"{path}:{_line_of(text, (section, i))}: {where}: "
                        f"alias {alias!r} is listed twice"
                    )
                seen.add(alias)
                old = senses.get(alias, _Sense())
                if isinstance(entry, _ActorEntry):  # a state is also the place it names
                    place = Location(name=entry.name, country=entry.code)
                    actor = Actor(code=entry.code, name=entry.name)
                    senses[alias] = _Sense(actor, place if entry.kind == "state" else None)
                elif isinstance(entry, _PlaceEntry):
                    place = Location(
                        name=entry.name, country=entry.country, subdivision=entry.subdivision
                    )
                    senses[alias] = replace(old, place=place)
    return senses


_SENSES = _load_gazetteer(GAZETTEER_PATH)
_STATES = {s.actor.code: s.actor for s in _SENSES.values() if s.actor and s.place}
_NAMES = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(a).replace("'", "['’]") for a in sorted(_SENSES, key=len, reverse=True))
    + r")(?!\w)"
)
# A name right after one of these is where something happens, not who does it ("meet in Seoul").
_LOCATIVE = re.compile(
    r"\b(?:in|into|inside|to|at|near|toward|towards|across|off)\s+(?:the\s+)?"
    r"(?:(?:\S+['’]s|northern|southern|eastern|western|central)\s+)?$",
    re.IGNORECASE,
)
_JOINER = re.compile(r"(?:['’]s)?\s*,?\s*(?:(?:and|or|&)\s+)?(?:the\s+)?")
_BY = re.compile(r"\bby\s+(?:the\s+)?$")
_WITH = re.compile(r"(?:(?:\s+[\w-]+){0,2}?\s+(?:with|between))?\s+(?:(?:the|his|her|their)\s+)?")
_RESOLUTION = re.compile(r"\s+resolutions?\b")  # "U.N. Security Council resolutions" names no party


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    sense: _Sense
    locative: bool


def _find_names(text: str) -> list[_Hit]:
    return [
        _Hit(
            m.start(),
            m.end(),
            _SENSES[_norm(m.group())],
            bool(_LOCATIVE.search(text, max(0, m.start() - 60), m.start())),
        )
        for m in _NAMES.finditer(text)
    ]


# --- sentences -------------------------------------------------------------------------------

_PARAGRAPH_BREAK, _TEXT = re.compile(r"\n\s*\n"), re.compile(r"\S(?:[\s\S]*\S)?")
_DATELINE = re.compile(r"[A-Z][A-Z.'’ -]+(?:,[^(\n]{1,40})?\s*\([^)\n]{1,60}\)\s*[—–-]+\s*")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)]*(?=\s+[\"'“‘(]*[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Sen|Rep|Gov|St|No|Jr|"
    r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)|(?<![\w.])[A-Z])\.$"
)
_ACRONYM = re.compile(r"(?:\b[A-Za-z]\.){2,}$")
# Capitalised words that continue a sentence after "U.S." or "U.N."; any other starts a new one.
_ACRONYM_CONTINUES = re.compile(
    r"\s+(?:President|Secretary|Ambassador|Embassy|Army|Navy|Air|Forces|Marines|Department|"
    r"State|Defense|Treasury|Congress|Senate|House|Security|Special|Envoy|Deputy|Vice|Trade|"
    r"Command|General|Agency|Coast|Mission|Representative|Officials?)\b"
)


def _sentences(body: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in body, skipping datelines, which name no actor."""
    bounds = [0, *(p for m in _PARAGRAPH_BREAK.finditer(body) for p in m.span()), len(body)]
    spans: list[tuple[int, int]] = []
    for par_start, par_end in zip(bounds[::2], bounds[1::2], strict=True):
        dateline = _DATELINE.match(body, par_start, par_end)
        pos = dateline.end() if dateline else par_start
        for m in _BOUNDARY.finditer(body, pos, par_end):
            head = body[pos : m.start() + 1]
            if m.group().startswith(".") and (
                _ABBREVIATION.search(head)
                or (_ACRONYM.search(head) and _ACRONYM_CONTINUES.match(body, m.end()))
            ):
                continue
            spans.append((pos, m.end()))
            pos = m.end()
        spans.append((pos, par_end))
    for start, end in spans:  # trim the whitespace between sentences off each
        text = _TEXT.search(body, start, end)
        if text:
            yield text.span()


# --- is the trigger a current, real, political event? -----------------------------------------

_OFF_TOPIC = _rx(
    r"striker|midfielder|goalkeeper|footballer|league|tournament|championship|stadium|kick-?off|"
    r"smartphone|handset|product launch|software|firmware|app|startup|shareholders|quarterly|"
    r"earnings|films?|movies?|box office|premiere|documentary|screenplay|cinema|actor|actress"
)
_NEGATED = re.compile(
    r"n['’]t\b|\b(?:not|no|never|neither|nor|den(?:y|ies|ied|ying)|refus\w*|declin\w* to|"
    r"without|rul\w* out|dismiss\w*)\b",
    re.IGNORECASE,
)
# Case-sensitive so that the month "May" is not read as the modal "may".
_HEDGED = re.compile(
    r"\b(?:will|would|could|may|might|should|can|shall|[Pp]lan(?:s|ned|ning)? to|intend\w*|"
    r"threaten\w* to|vow\w* to|prepar\w* (?:to|for)|ready to|expected to|likely|possibl[ey]|"
    r"potential|[Ii]f|[Uu]nless|whether|consider\w*|propos\w*|seek\w* to|aim\w* to)\b"
)
_PAST = _rx(
    r"last (?:year|decade)['’]?s?|previous|prior|former|anniversary|recall\w*|"
    r"earlier(?! (?:this|today|on|in the))"
)
_YEAR, _YEAR_AFTER = re.compile(r"\b((?:19|20)\d\d)\b"), re.compile(r"\bin ((?:19|20)\d\d)\b")
_AGO = _rx(r"(?:years?|months?|decades?) ago")
_CLAUSE_MARKS = ',;:—–()“”"'


def _asserted(text: str, start: int, end: int, published: date | None) -> bool:
    """False when the words before the trigger negate it, hedge it or place it in the past."""
    cut = max(text.rfind(c, 0, start) for c in _CLAUSE_MARKS) + 1
    window = text[max(cut, start - 80) : start]
    if cut < start - 80:
        window = window.partition(" ")[2]  # never start reading mid-word
    if any(p.search(window) for p in (_NEGATED, _HEDGED, _PAST)) or _AGO.search(text):
        return False
    years = [*_YEAR.findall(window), *_YEAR_AFTER.findall(text, end)]
    return not any(published is None or int(y) < published.year for y in years)


# --- rules -----------------------------------------------------------------------------------

_MISSILE = _rx(r"missiles?|ICBMs?|SLBMs?|IRBMs?|SRBMs?|rockets?|projectiles?")
_TROOPS = r"troops|soldiers|forces|servicemen|marines|paratroopers"
_PRESENT = (
    r"are|were|is|was|have|has|had|been|now|already|reportedly|currently|still|stationed|"
    r"deployed|based|arrived|moved|poured|massed|gathered|fighting|serving|operating"
)
_Roles = Literal["subject", "test", "deployment", "participants"]


@dataclass(frozen=True)
class _Rule:
    subtype: str
    event_type: EventType
    mode: str | None
    severity: Severity
    trigger: re.Pattern[str]
    roles: _Roles = "subject"
    needs: re.Pattern[str] | None = None  # another word the sentence must hold (missile, troops)
    excludes: re.Pattern[str] | None = None
    needs_actor: bool = True
    needs_place: bool = False
    slot: str = ""  # rules sharing a slot yield one mention per sentence between them


_RULES = (
    _Rule("nuclear_test", "MOBILIZE", "weapons", "critical", _rx(
        r"nuclear (?:weapons? |bomb |device )?test(?:s|ed|ing)?|nuclear detonation|"
        r"detonat\w+ an? (?:\w+ )?nuclear"), roles="test", needs_actor=False),
    _Rule("missile_test", "MOBILIZE", "weapons", "high", _rx(
        r"test[- ]?fir\w*|launch(?:ed|es|ing)?|fir(?:e|ed|es|ing)|tested|"
        r"(?:missile|ICBM|SLBM|IRBM|SRBM|rocket) tests?"),
        roles="test", needs=_MISSILE,
        # missiles fired at a target are a strike, and a space launch is no weapons test
        excludes=_rx(r"struck|strikes? on|hit|hitting|kill\w*|target\w*|barrage|satellites?|"
                     r"spacecraft|space agency|astronauts?|"
                     r"fired (?:\w+ ){0,3}at (?:the )?(?-i:[A-Z])\w*")),
    _Rule("troop_deployment", "MOBILIZE", "troops", "medium", _rx(
        r"deploy\w*|sen(?:d|ds|ding|t)|dispatch\w*|station(?:s|ed|ing)?"),
        roles="deployment", needs=_rx(_TROOPS)),
    # forces said to be somewhere: "soldiers are now in Kursk", "there are 8,000 soldiers in..."
    # but not a bare "U.S. troops in Syria came under fire"
    _Rule("troop_deployment", "MOBILIZE", "troops", "medium", _rx(
        rf"(?:{_TROOPS})(?=(?:\s+(?:{_PRESENT}))+\s+(?:in|into|inside)\s|"
        rf"(?:\s+(?:{_PRESENT}))*\s+(?:entered|crossed into)\s)|"
        rf"there (?:are|were) (?:[\w,’'-]+ ){{0,4}}?(?:{_TROOPS})(?=\s+(?:in|into|inside)\s)"),
        roles="deployment", needs_place=True),
    _Rule("condemnation", "ACCUSE", "disapprove", "low", _rx(
        # verbs only: "X's launch drew condemnation" does not say who condemned it
        r"(?:condemn|denounc|deplor|censur|criticiz|criticis)(?:e|es|ed|s|ing)?")),
    _Rule("sanctions", "SANCTION", None, "medium", _rx(
        r"sanctions? (?:on|against)|impos\w* (?:\w+ )?sanctions|sanctioned")),
    _Rule("airstrike", "ASSAULT", "aerial", "high", _rx(
        r"air ?strikes?|air raids?|bombed|bombing|bombard\w*")),
    _Rule("shelling", "ASSAULT", "heavy-weapons", "high", _rx(
        r"shell(?:ed|ing)|artillery (?:fire|strikes?|barrage)")),
    _Rule("summit", "CONSULT", None, "info", _rx(r"summit"), roles="participants", slot="consult"),
    _Rule("talks", "CONSULT", None, "info", _rx(
        r"talks|met (?:with|in)|meet(?:s|ing)? (?:with|in)|negotiations|visit(?:s|ed|ing)?"),
        roles="participants", slot="consult"),
)  # fmt: skip
_REACTIONS = [r for r in _RULES if r.event_type in ("ACCUSE", "SANCTION")]
_REACTED_TO = frozenset({"MOBILIZE", "ASSAULT"})
_TROOP_OWNER = re.compile(rf"(?:['’]s)?\s+(?:[\w-]+\s+)?(?:{_TROOPS})\b", re.IGNORECASE)
_TROOPS_FROM = re.compile(rf"\b(?:{_TROOPS})\s+from\s+(?:the\s+)?$", re.IGNORECASE)
_VISIT = _rx(r"visit\w*")


def _actors(hits: Iterable[_Hit]) -> list[Actor]:
    out: list[Actor] = []
    for hit in hits:
        if hit.sense.actor is not None and hit.sense.actor not in out:
            out.append(hit.sense.actor)
    return out


def _joined(text: str, hits: list[_Hit]) -> list[_Hit]:
    """The first hit and those joined to it by 'and' or ',' (hits in reading order)."""
    group = hits[:1]
    for hit in hits[1:]:
        a, b = sorted((group[-1], hit), key=lambda h: h.start)
        if not _JOINER.fullmatch(text, a.end, b.start):
            break
        group.append(hit)
    return sorted(group, key=lambda h: h.start)


def _subject(text: str, hits: list[_Hit], start: int, end: int) -> list[Actor]:
    """The states named nearest before the trigger, or after it in 'by X' (passive voice)."""
    parties = [h for h in hits if h.sense.actor and not h.locative]
    group = _joined(text, [h for h in reversed(parties) if h.end <= start])
    after = [h for h in parties if h.start >= end]
    by = [h for h in after if _BY.search(text, max(end, h.start - 20), h.start)]
    return _actors(group or by[:1])


def _partners(text: str, hits: list[_Hit], end: int) -> list[Actor]:
    """Who the talks are with: 'talks on Thursday with South Korea and Japan'."""
    after = [h for h in hits if h.sense.actor and not h.locative and h.start >= end]
    first = next((i for i, h in enumerate(after) if _WITH.fullmatch(text, end, h.start)), None)
    return _actors(_joined(text, after[first:])) if first is not None else []


def _troop_owner(text: str, hits: list[_Hit], start: int) -> list[Actor]:
    """The state whose forces they are: 'North Korean troops', 'soldiers from Belarus'."""
    owners = [
        h
        for h in hits
        if h.sense.actor
        and not h.locative
        and (
            _TROOP_OWNER.match(text, h.end)
            or _TROOPS_FROM.search(text, max(0, h.start - 40), h.start)
        )
    ]
    return _actors([min(owners, key=lambda h: abs(h.start - start))]) if owners else []


def _location(hits: Iterable[_Hit]) -> Location | None:
    """The first place named as a place, narrowed to a region of it named too ("Russia's Kursk")."""
    places = [h.sense.place for h in hits if h.sense.place and (h.locative or not h.sense.actor)]
    if not places:
        return None
    return next((p for p in places if p.subdivision and p.country == places[0].country), places[0])


def _roles(
    rule: _Rule, text: str, trigger: re.Match[str], hits: list[_Hit]
) -> tuple[list[Actor], list[Actor], Location | None]:
    actors = _subject(text, hits, trigger.start(), trigger.end())
    after = [h for h in hits if h.start >= trigger.end()]
    place = _location(after) or _location(hits)  # where it happened usually follows the verb
    if rule.roles == "participants":
        partners = _partners(text, hits, trigger.end())
        return actors + [a for a in partners if a not in actors], [], place
    if rule.roles == "deployment":
        actors = _troop_owner(text, hits, trigger.start()) or actors
        place = _location(after)
        host = _STATES.get(place.country) if place and place.country else None
        return actors, [host] if host and host not in actors else [], place
    if rule.roles == "test":
        return actors, [], place
    named = (h for h in after if not h.locative and not _RESOLUTION.match(text, h.end))
    return actors, [a for a in _actors(named) if a not in actors], place


# --- figures, weapons, dates -----------------------------------------------------------------

_Qualifier = Literal["exact", "approximately", "at_least", "at_most", "more_than"]
_QUALIFIERS: dict[str, _Qualifier] = {
    **dict.fromkeys(("some", "about", "around", "nearly", "roughly", "approximately", "almost",
                     "an estimated", "estimated"), "approximately"),
    **dict.fromkeys(("up to", "as many as", "fewer than", "less than"), "at_most"),
    "at least": "at_least", "more than": "more_than", "over": "more_than",
}  # fmt: skip
_UNITS = {
    **dict.fromkeys(("troops", "soldiers", "forces", "servicemen"), "troops"),
    **dict.fromkeys(("killed", "killing", "dead"), "killed"),
    **dict.fromkeys(("wounded", "wounding", "injured", "injuring"), "injured"),
    **dict.fromkeys(("missiles", "rockets"), "missiles"),
}
_NUMBER_WORDS = {
    w: i for i, w in enumerate("two three four five six seven eight nine ten".split(), 2)
}
_NUMBER = (
    rf"(?:\b(?P<qual>{'|'.join(_QUALIFIERS)})\s+)?"
    rf"\b(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?|{'|'.join(_NUMBER_WORDS)})"
    r"(?:\s+(?P<mult>thousand|million))?"
)
_QUANTITIES = (  # "some 8,000 North Korean soldiers", and "killing at least 30 people"
    re.compile(
        rf"{_NUMBER}(?:\s+(?!(?:and|or|in|to|of|from|at)\b)[A-Za-z’'-]+){{0,3}}?"
        rf"\s+(?P<unit>{'|'.join(_UNITS)})\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?P<unit>killed|killing|wounded|wounding|injured|injuring)\s+{_NUMBER}\b", re.I
    ),
)
_WEAPONS = (
    ("ICBM", _rx(r"ICBMs?|intercontinental(?:[- ]range)? ballistic missiles?|Hwasong-1[4-9]")),
    ("SLBM", _rx(r"SLBMs?|submarine[- ]launched ballistic missiles?")),
    ("IRBM", _rx(r"IRBMs?|intermediate[- ]range ballistic missiles?")),
    ("hypersonic", _rx(r"hypersonic")),
    ("SRBM", _rx(r"SRBMs?|short[- ]range ballistic missiles?")),
    ("cruise", _rx(r"cruise missiles?")),
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WHEN = _rx("|".join(("today", "yesterday", *_WEEKDAYS)))


def _quantities(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in sorted((m for p in _QUANTITIES for m in p.finditer(text)), key=lambda m: m.start()):
        num = m["num"].lower()
        value = float(_NUMBER_WORDS.get(num) or num.replace(",", ""))
        value *= {"thousand": 1_000, "million": 1_000_000}.get((m["mult"] or "").lower(), 1)
        qualifier = _QUALIFIERS.get((m["qual"] or "").lower(), "exact")
        quantity = Quantity(
            value=value, unit=_UNITS[m["unit"].lower()], qualifier=qualifier, text=m.group()
        )
        if all((q.value, q.unit) != (value, quantity.unit) for q in out):
            out.append(quantity)
    return out


def _weapon(text: str) -> str | None:
    return next((name for name, pattern in _WEAPONS if pattern.search(text)), None)


def _event_date(text: str, near: int, published: date | None) -> date | None:
    """The day named nearest the trigger, resolved back from the publication date."""
    words = list(_WHEN.finditer(text))
    if published is None or not words:
        return published
    word = min(words, key=lambda m: abs(m.start() - near)).group().lower()
    if word in ("today", "yesterday"):
        return published - timedelta(days=word == "yesterday")
    return published - timedelta(days=(published.weekday() - _WEEKDAYS.index(word)) % 7)


def _severity(
    rule: _Rule, actors: list[Actor], place: Location | None, weapon: str | None,
    quantities: list[Quantity],
) -> Severity:  # fmt: skip
    if rule.subtype == "missile_test" and weapon in CRITICAL_WEAPONS:
        return "critical"
    if rule.subtype == "troop_deployment":
        home = place.country if place else None
        return "high" if home and any(a.code != home for a in actors) else "medium"
    if rule.event_type == "ASSAULT" and any(
        q.unit == "killed" and q.value >= 100 for q in quantities
    ):
        return "critical"  # mass casualties
    return rule.severity


# --- assembly --------------------------------------------------------------------------------


def _mention(
    record: ArticleRecord, span: tuple[int, int], rule: _Rule, trigger: re.Match[str],
    hits: list[_Hit],
) -> EventMention | None:  # fmt: skip
    article, (start, end) = record.article, span
    text = article.body[start:end]
    published = article.published_at.date() if article.published_at else None
    if not _asserted(text, trigger.start(), trigger.end(), published):
        return None
    actors, recipients, place = _roles(rule, text, trigger, hits)
    if (rule.needs_actor and not actors) or (rule.needs_place and place is None):
        return None
    quantities = _quantities(text) if rule.event_type in _REACTED_TO else []
    weapon = _weapon(text) if rule.subtype == "missile_test" else None
    mode = rule.mode
    if rule.event_type == "CONSULT":
        mode = "visit" if _VISIT.search(text) else "multilateral" if len(actors) > 2 else None
    key = f"{article.id}|{start}|{end}|{rule.event_type}|{rule.subtype}"
    return EventMention(
        mention_id=hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:16],
        article_id=article.id,
        source=article.source,
        published_at=article.published_at,
        event_type=rule.event_type,
        mode=mode,
        subtype=rule.subtype,
        severity=_severity(rule, actors, place, weapon, quantities),
        confidence=CONFIDENCE if actors else CONFIDENCE_NO_ACTOR,
        actors=actors,
        recipients=recipients,
        location=place,
        quantities=quantities,
        weapon=weapon,
        event_date=_event_date(text, trigger.start(), published),
        evidence=Evidence(sentence=text, start=start, end=end),
        duplicate_of=record.duplicate_of,
    )


def _sentence_mentions(record: ArticleRecord, span: tuple[int, int]) -> list[EventMention]:
    text = record.article.body[span[0] : span[1]]
    # A question asserts nothing; sports, business and film use war words for other things.
    if text.rstrip("\"'”’) ").endswith("?") or _OFF_TOPIC.search(text):
        return []
    hits = _find_names(text)
    found: dict[str, tuple[int, EventMention]] = {}
    for rule in _RULES:
        slot = rule.slot or rule.subtype
        needs_met = rule.needs is None or rule.needs.search(text)
        if slot in found or not needs_met or (rule.excludes and rule.excludes.search(text)):
            continue
        for trigger in rule.trigger.finditer(text):
            mention = _mention(record, span, rule, trigger, hits)
            if mention is not None:
                found[slot] = (trigger.start(), mention)
                break
    # Whatever follows a reaction word is what it reacts to, even when the reaction itself names
    # no actor: "the statement criticised the presence of North Korean troops in Russia".
    reaction = min(
        (m.start() for r in _REACTIONS for m in r.trigger.finditer(text)), default=len(text)
    )
    kept = [(p, m) for p, m in found.values() if not (m.event_type in _REACTED_TO and p > reaction)]
    return [m for _, m in sorted(kept, key=lambda pm: pm[0])]


def extract(record: ArticleRecord) -> list[EventMention]:
    """Every current political event mention the article's sentences report, in text order."""
    if _OFF_TOPIC.search(record.article.title):
        return []
    return [m for span in _sentences(record.article.body) for m in _sentence_mentions(record, span)]
