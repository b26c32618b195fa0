"""Who and where: actors and places named in a sentence, their roles, and the event's place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from schemas import Actor, Location
from streams.extraction.gazetteer import JOINABLE_GAP, WORD, Gazetteer, Holder, Sense, gazetteer


@dataclass(frozen=True)
class EntityMention:
    """A span of the sentence that names an actor, a place, or both (a capital may be either)."""

    start: int
    end: int
    text: str
    actor: Actor | None
    place: Location | None
    kind: str = ""  # state, demonym, capital, seat, org, person, place, group (a sector noun)


# --- vocabularies of the heuristics (closed-class words, not gazetteer data) -----------------

# A name after one of these, and the determiners or adjectives between, is not the subject.
_PREPOSITIONS = frozenset(
    "of in at from to with by for against on onto into inside near toward towards across over "
    "between among amid about after before during through throughout within outside without "
    "along around behind beyond under via upon off than despite including like".split()
)
_LOCATIVE = frozenset(
    "in at inside near across throughout within outside around along off over into from via".split()
)
_SKIPPABLE = frozenset(
    "the a an its their his her our this that these those both neighbouring neighboring "
    "northern southern eastern western central north south east west occupied disputed "
    "annexed besieged embattled rebel-held government-held russian-occupied war-torn "
    "nearby border frontline front-line key strategic capital city town region province "
    "entire whole much all parts part".split()
)
_MODIFIERS = (
    r"senior|top|high-ranking|ranking|new|elite|special|regular|state|security|naval|air|"
    r"ground|border|riot|armed|local|provincial|federal|national|foreign|interior|civilian|"
    r"regional|retired|former|acting|outgoing|incoming|chief|deputy|vice|leading|prominent|"
    r"hardline|moderate|ethnic|occupation|occupying|invading|allied|coalition|government|"
    r"defen[cs]e|intelligence|nuclear|opposition|rebel|militant|police|military|army|"
    r"islamist|separatist|pro-government|anti-government|two|three|several|some|many|"
    r"[a-z]+(?:ist|ic|al|ian|ese|ish)"  # "Irish nationalist guerrillas", "Islamic militants"
)
_FORMER = re.compile(r"\b(?:former|ex|erstwhile|late|then)[-\s]+$", re.I)
_TITLE_BEFORE = re.compile(
    r"(?:\b(?:President|Vice President|Prime Minister|Premier|Chancellor|Foreign Minister|"
    r"Defen[cs]e Minister|Defen[cs]e Secretary|Foreign Secretary|Secretary of State|"
    r"Secretary-General|Secretary General|Supreme Leader|Leader|Minister|Gen\.|General|"
    r"Lt\. Gen\.|Lieutenant General|Maj\. Gen\.|Adm\.|Admiral|Col\.|Colonel|Marshal|"
    r"Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Sheikh|Sheik|Ayatollah|Crown Prince|Prince|King|Queen|Emir|"
    r"Sultan|Chairman|Senator|Sen\.|Rep\.|Ambassador|Envoy|Commander|Chief|Mullah|Dictator|"
    r"Strongman|Leader|Speaker|Governor|Gov\.)\s+)+$"
)
_OWNER_GAP = re.compile(
    r"(?:['’]s)?\s+(?:(?:new|newly[- ]elected|acting|interim|outgoing|incoming|deputy|vice|"
    r"veteran|embattled|(?P<former>former|ex-|late))\s+)*",
    re.I,
)
_CONJ = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&)\s+)(?:the\s+)?", re.I)
_POSSESSIVE = re.compile(r"['’]s?\b")
_ACRONYM = re.compile(r"(?:\w\.)+\w")
_OWNER_OF = re.compile(r"\s+(?:in|from|of|throughout|across|inside)\s+(?:the\s+)?", re.I)


@lru_cache(maxsize=1)
def _alone_pattern() -> tuple[re.Pattern[str], frozenset[str]]:
    """Sector words that make an actor alone, compiled once from sectors.yaml, and the first
    word of each as it may be written: a sentence holding none of these has none of them."""
    g = gazetteer()
    # case-sensitive, initial capital or not: much faster than re.IGNORECASE over a sentence
    alone = "|".join(
        f"[{re.escape(n[0].upper())}{re.escape(n[0])}]{re.escape(n[1:])}"
        for n in sorted(g.alone, key=len, reverse=True)
    )
    # A match starts at a word boundary with its first word whole (\b, then a word that
    # runs to a space or to \b): that word is one of the sentence's WORD tokens.
    firsts = frozenset(
        initial + first.group()[1:]
        for n in g.alone
        for first in [WORD.match(n)]
        if first is not None
        for initial in n[0].upper() + n[0]
    )
    return re.compile(rf"\b(?:{alone})\b"), firsts


# --- finding names ---------------------------------------------------------------------------


def _matches(sentence: str, words: list[str], g: Gazetteer) -> list[tuple[int, int, Sense]]:
    """Longest gazetteer names, left to right, without overlaps (`words`: its WORD tokens)."""
    longest, senses = g.longest, g.senses
    # Most words start no name: find the few that may in one pass, before any offsets.
    firsts = [i for i, word in enumerate(words) if word in longest]
    if not firsts:
        return []
    spans = [m.span() for m in WORD.finditer(sentence)]
    out: list[tuple[int, int, Sense]] = []
    free, count = 0, len(words)  # `free`: the first word not inside a name already found
    for i in firsts:
        if i < free:
            continue
        most, n = longest[words[i]], 1
        while (
            n < most
            and i + n < count
            and JOINABLE_GAP.fullmatch(sentence, spans[i + n - 1][1], spans[i + n][0])
        ):
            n += 1  # the words a name could span without crossing punctuation
        for size in range(n, 0, -1):
            sense = senses.get(" ".join(words[i : i + size]))
            if sense is not None:
                start, end = spans[i][0], spans[i + size - 1][1]
                if sentence.startswith(".", end) and _ACRONYM.fullmatch(sentence, start, end):
                    end += 1  # keep the final dot of "U.S." but not a full stop after "Iraq."
                out.append((start, end, sense))
                free = i + size
                break
    return out


def _resolve(sense: Sense, on: date | None, g: Gazetteer) -> tuple[Actor | None, str]:
    """The actor a name stands for on the day: people and dated groups by their terms."""
    if sense.kind == "person":
        current = [h for h in sense.holders if h.holds(on)]
        if current:
            h = current[0]
            if any(c.code != h.code for c in current):
                return None, "person"  # two people of two states share the name: ambiguous
            return Actor(code=h.code, name=h.name, sector=h.sector), "person"
        # out of office on the day: the state they last (or will first) act for, no sector
        assert on is not None  # with no date every term holds
        past = [h for h in sense.holders if h.until is not None and h.until <= on]
        h = max(past, key=lambda h: h.start or date.min) if past else sense.holders[0]
        return Actor(code=h.code, name=h.name), "person"
    if sense.kind == "org" and sense.actor is not None and sense.holders:
        term = next((h for h in sense.holders if h.holds(on)), None)
        if term is not None and on is not None:
            return sense.actor.model_copy(update={"sector": term.sector}), "org"
    return sense.actor, sense.kind


def _office_holder(code: str, title: str, on: date | None, g: Gazetteer) -> Holder | None:
    """Who held the office a title names in `code` on the day ("the U.S. president")."""
    if on is None:
        return None
    for office in sorted(g.titles.get(title.lower(), ())):
        for holder in g.offices.get((code, office), ()):
            if holder.holds(on):
                return holder
    return None


@dataclass
class _Span:
    start: int
    end: int
    actor: Actor | None
    place: Location | None
    kind: str
    title: str = ""  # the title noun attached, when it names an office


def _with_sector(actor: Actor | None, sector: str | None) -> Actor | None:
    if actor is None or actor.sector == sector:
        return actor
    return actor.model_copy(update={"sector": sector})


_MODIFIER_WORDS = re.compile(rf"(?:{_MODIFIERS})", re.I)
_LONGEST_NOUN = 4  # words in the longest sector noun ("ministry of foreign affairs")
# Up to two modifiers and the longest noun after a name, in one match: a word is a run of
# [\w-] after spaces only, nested so that each is read only when all before it were.
_NEXT_WORDS = re.compile(r"(?:\s+([\w-]+)" * (2 + _LONGEST_NOUN) + ")?" * (2 + _LONGEST_NOUN))


@lru_cache(maxsize=4096)  # a few hundred words ever come after a name; each is read once
def _is_modifier(word: str) -> bool:
    return _MODIFIER_WORDS.fullmatch(word) is not None


def _noun_after(
    sentence: str, end: int, limit: int, g: Gazetteer
) -> tuple[int, str, str, bool] | None:
    """The sector noun right after a name: (its end, the noun, its sector, 'former' said).

    Up to two modifiers may stand between: any lower-case words after a possessive
    ("Lebanon's new president"), known ones otherwise ("Israeli security forces").
    """
    possessive = _POSSESSIVE.match(sentence, end)
    pos = possessive.end() if possessive else end
    # the words that follow, each after nothing but spaces (punctuation ends the phrase)
    after = _NEXT_WORDS.match(sentence, pos, min(limit, pos + 80))
    words = [(after.end(k), w) for k, w in enumerate(after.groups(), 1) if w] if after else []
    lowered = [w.lower() for _, w in words]
    for skip in range(3):
        if skip:
            word = words[skip - 1][1] if len(words) >= skip else ""
            lower = possessive is not None and word[:1].islower()
            if not (lower or _is_modifier(word)):
                return None
        if skip < len(words) and lowered[skip] not in g.noun_heads:
            continue  # no noun starts with this word, whatever its length
        for size in range(min(_LONGEST_NOUN, len(words) - skip), 0, -1):
            phrase = " ".join(lowered[skip : skip + size])
            sector = g.nouns.get(phrase)
            if sector is not None:
                former = any(w.lower() == "former" for _, w in words[:skip])
                return words[skip + size - 1][0], phrase, sector, former
    return None


def _attach_nouns(sentence: str, spans: list[_Span], on: date | None, g: Gazetteer) -> None:
    """'North Korean troops', "Russia's foreign ministry", 'officials of Iraq': the sector."""
    for i, span in enumerate(spans):
        if span.actor is None or span.kind == "person":
            continue
        limit = spans[i + 1].start if i + 1 < len(spans) else len(sentence)
        found = _noun_after(sentence, span.end, limit, g)
        former = bool(_FORMER.search(sentence, max(0, span.start - 12), span.start))
        if found is not None:
            end, noun, sector, said_former = found
            former = former or said_former
            span.end = end
            span.place = None
            span.title = noun if noun in g.titles else ""
            span.actor = _with_sector(span.actor, None if former else sector)
            if span.title and not former and span.actor is not None:
                holder = _office_holder(span.actor.code, span.title, on, g)
                if holder is not None:
                    span.actor = Actor(code=holder.code, name=holder.name, sector=holder.sector)
            continue
        owner = _noun_of(sentence, span, spans, g) if span.kind in _OWNED else None
        if owner is not None:
            span.start, sector = owner
            span.place = None
            span.actor = _with_sector(span.actor, sector)
        elif former and span.kind in ("state", "demonym", "org"):
            span.actor = _with_sector(span.actor, None)


_OWNED = frozenset({"state", "capital", "org"})
_OF = re.compile(r"(?:(?P<of>of)|(?P<from>from))\s+(?:the\s+)?$", re.I)
_TROOPS_FROM = frozenset({"troops", "soldiers", "fighters", "volunteers", "mercenaries"})


def _noun_of(
    sentence: str, span: _Span, spans: list[_Span], g: Gazetteer
) -> tuple[int, str] | None:
    """'the government of Iraq', 'troops from Belarus': where the mention starts, and its sector."""
    floor = max((s.end for s in spans if s.end <= span.start), default=0)
    window_start = max(floor, span.start - 60)
    m = _OF.search(sentence, max(window_start, span.start - 12), span.start)
    if m is None:
        return None
    found = [
        (w.start(), w.group().lower()) for w in WORD.finditer(sentence, window_start, m.start())
    ]
    for size in (3, 2, 1):  # longest noun first: "ministry of defence" before "defence"
        if len(found) < size:
            continue
        phrase = " ".join(w for _, w in found[-size:])
        sector = g.nouns.get(phrase)
        if sector is None or (m["from"] and phrase not in _TROOPS_FROM):
            continue
        if len(found) > size and found[-size - 1][1] in ("their", "its", "his", "her", "our"):
            return None  # "withdraw their troops from Chad": where from, not whose
        return found[-size][0], sector
    return None


def _merge_titles(sentence: str, spans: list[_Span]) -> list[_Span]:
    """'Russian President Vladimir Putin' is one mention: the person, with the state's title."""
    out: list[_Span] = []
    for span in spans:
        prev = out[-1] if out else None
        if (
            span.kind == "person"
            and prev is not None
            and prev.actor is not None
            and prev.kind != "person"
            and prev.title
            and sentence[prev.end : span.start].strip() == ""
        ):
            actor = span.actor or prev.actor
            out[-1] = _Span(prev.start, span.end, actor, None, "person", prev.title)
            continue
        if span.kind == "person":
            title = _TITLE_BEFORE.search(sentence, max(0, span.start - 40), span.start)
            if title is not None and (not out or out[-1].end <= title.start()):
                span.start = title.start()
                if _FORMER.search(sentence, max(0, span.start - 12), span.start):
                    span.actor = _with_sector(span.actor, None)  # "former President Obama"
                owner = _OWNER_GAP.fullmatch(sentence, prev.end, span.start) if prev else None
                if prev is not None and owner is not None and prev.kind != "person":
                    # "Lebanon's new President Elias Hrawi": one mention, the person's
                    span.start = prev.start
                    if owner["former"] and span.actor is not None:
                        span.actor = _with_sector(span.actor, None)
                    out.pop()
        out.append(span)
    return out


def _share_sectors(sentence: str, spans: list[_Span]) -> None:
    """'Hungarian and Romanian officials': the noun after the last names the sector of all."""
    for left, right in zip(reversed(spans[:-1]), reversed(spans[1:]), strict=True):
        if (
            left.kind in ("demonym", "state")
            and left.actor is not None
            and left.actor.sector is None
            and right.actor is not None
            and right.actor.sector is not None
            and right.kind in ("demonym", "state")
            and _CONJ.fullmatch(sentence, left.end, right.start)
        ):
            left.actor = _with_sector(left.actor, right.actor.sector)


def _alone(sentence: str, words: list[str], spans: list[_Span], g: Gazetteer) -> list[_Span]:
    """'rebels', 'protesters in Tehran': groups named by their sector alone."""
    alone, firsts = _alone_pattern()
    if firsts.isdisjoint(words):
        return sorted(spans, key=lambda s: s.start)
    found: list[_Span] = []
    for m in alone.finditer(sentence):
        if any(s.start < m.end() and m.start() < s.end for s in spans):
            continue
        sector = g.alone[m.group().lower()]
        owner = _OWNER_OF.match(sentence, m.end())
        host = None
        if owner is not None:
            host = next((s for s in spans if s.start >= owner.end()), None)
            if host is not None and sentence[owner.end() : host.start].count(" ") > 1:
                host = None
        code = None
        if host is not None:
            code = host.actor.code if host.actor else host.place.country if host.place else None
        if code and code in g.states:
            actor = Actor(code=code, name=g.states[code].name, sector=sector)
        else:
            actor = Actor(code=sector, name=m.group().lower(), sector=sector)
        found.append(_Span(m.start(), m.end(), actor, None, "group"))
    return sorted([*spans, *found], key=lambda s: s.start)


def find_entities(sentence: str, on: date | None = None) -> list[EntityMention]:
    """Every actor and place the sentence names, in text order, resolved for the date `on`.

    States come from names, demonyms, capitals and seats of power; bodies and groups from
    organisations.yaml; people from leaders.yaml, coded by the office they held on `on` (out
    of office: the state with no sector); a sector where the text says it.
    """
    g = gazetteer()
    words = WORD.findall(sentence)
    spans: list[_Span] = []
    for start, end, sense in _matches(sentence, words, g):
        actor, kind = _resolve(sense, on, g)
        if actor is None and sense.place is None:
            continue
        spans.append(_Span(start, end, actor, sense.place, kind))
    spans = _merge_titles(sentence, spans)
    _attach_nouns(sentence, spans, on, g)
    spans = _merge_titles(sentence, spans)  # a title attached just now may precede a person
    _share_sectors(sentence, spans)
    spans = _alone(sentence, words, spans, g)
    return [
        EntityMention(s.start, s.end, sentence[s.start : s.end], s.actor, s.place, s.kind)
        for s in spans
    ]


# --- location --------------------------------------------------------------------------------


def _preposition(sentence: str, start: int, floor: int) -> str | None:
    """The preposition that governs the name at `start`, skipping determiners and adjectives."""
    # The six words before `start` lie in its last 80 characters unless words are long: seven
    # or more words found there hold them whole (only the first can be cut by the window).
    words = WORD.findall(sentence, max(floor, start - 80), start)
    if len(words) < 7 and start - 80 > floor:
        words = WORD.findall(sentence, floor, start)
    possessor = False
    for word in reversed(words[-6:]):
        low = word.lower()
        if possessor or low == "s":  # "in Russia's Kursk region": skip the possessive
            possessor = low == "s"
            continue
        if low in _PREPOSITIONS:
            return low
        if low not in _SKIPPABLE and not (low.endswith("ern") or word[0].isdigit()):
            return None
    return None


def _specific(place: Location) -> int:
    return 2 if place.subdivision else 1 if place.country else 0


def locate(
    sentence: str, entities: list[EntityMention], trigger_end: int | None = None
) -> Location | None:
    """Where the event happens: the first place after 'in', 'at', 'near'..., made specific by a
    later one of the same country ("in Russia's Kursk region"); else, given the trigger's end,
    a place it acts on directly ("shelled Juba"); else the first place that names no actor."""
    located = [
        e
        for e in entities
        if e.place is not None and _preposition(sentence, e.start, 0) in _LOCATIVE
    ]
    if located:
        best = located[0].place
        assert best is not None
        for e in located[1:]:
            assert e.place is not None
            same = e.place.country == best.country or best.country is None
            if same and _specific(e.place) > _specific(best):
                best = e.place
        return best
    if trigger_end is not None:
        hit = next((e for e in entities if e.start >= trigger_end), None)
        if (
            hit is not None
            and hit.place is not None
            and hit.kind in ("capital", "place")
            and len(WORD.findall(sentence, trigger_end, hit.start)) <= 1
        ):
            return hit.place
    bare = [e for e in entities if e.place is not None and e.actor is None]
    return bare[0].place if bare else None
