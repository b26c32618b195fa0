"""Who and where: actors and places named in a sentence, their roles, and the event's place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from schemas import Actor, Location
from streams.extraction.caseless import Caseless
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


def _acting(e: EntityMention, actor: Actor) -> EntityMention:
    """The mention read as `actor` (dataclasses.replace, without its per-call introspection)."""
    return EntityMention(e.start, e.end, e.text, actor, e.place, e.kind)


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
_NOT_PARTY_AFTER = re.compile(  # "U.S.-backed rebels", "Russian-occupied Crimea"
    r"-(?:backed|led|based|made|born|owned|funded|allied|trained|supplied|built|brokered|member|"
    r"sponsored|run|held|controlled|occupied|annexed|administered|mediated|linked|aligned|"
    r"friendly|bound)\b|\s+(?:resolutions?|border|borders|frontier|coast|waters|airspace|"
    r"territory|soil|side|embassy|consulate|flag|elections?|war|conflict|crisis|"
    r"peninsula)\b",
    re.I,
)
_NOT_PARTY_BEFORE = re.compile(r"\b(?:pro|anti|non|ex|post|pre)-$|\bethnic\s+$", re.I)
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


# --- roles -----------------------------------------------------------------------------------

_SAYING = (
    r"said|says|say|told|tells|reported|announced|announces|added|adds|stated|confirmed|"
    r"confirms|noted|claimed|quoted|wrote|explained|insisted|declared|disclosed|revealed"
)
# Where the clause that governs the trigger starts: after reported speech, a relative pronoun,
# or a semicolon ("Seoul said that Pyongyang fired", "..., which Russia attacked").
_CLAUSE_START = Caseless(
    rf"(?:[;:]|\s[—–]\s|\b(?:that|which|who|whom|whose|where|{_SAYING})\b|"
    r"\baccording to [^,]*,)"
)
_INTRO = re.compile(
    r"\s*(?:after|before|while|when|as|although|though|since|following|despite|amid|if|"
    r"because|once|until|in (?:response|retaliation) to|in (?:response|retaliation) for|"
    r"(?:hours|days|weeks|a day|a week) (?:after|before))\b[^,]*,",
    re.I,
)
# Where the objects of the trigger end: attribution, a new clause, a subordinate reason.
_CLAUSE_END = Caseless(
    rf"(?:[;:]|\s[—–]\s|,\s+(?:[^,]{{0,60}}?\b)?(?:{_SAYING}|according)\b|"
    r"\b(?:after|while|because|when|but|although|since|following|amid|despite|that|which|"
    r"who|whose|where|whereas|in (?:response|retaliation)|in protest|"
    r"as (?:he|she|it|they|we|the \w+ (?:was|were|is|are)))\b)"
)
# "Russia said on Sunday it had...", "... said their forces had...": the speaker acts.
_PRONOUN_SUBJECT = Caseless(r"\W*(?:\w+\W+){0,3}?(?:it|they|he|she|we|its|their|his|her|our)\b")
_BE = Caseless(
    r"\b(?:was|were|is|are|been|being|be|has been|have been|had been|got|get|gets)"
    r"(?:\s+\w+ly)?\s*$"
)
_PARTICIPLE = re.compile(
    r"\w+(?:ed|en)|struck|shot|hit|held|sent|taken|seen|fought|caught|beaten|cut|put|set|"
    r"told|sold|thrown|shown|won|led|met|brought|bought|kept|left|made|paid|spent|built|run",
    re.I,
)
_BY_NEXT = re.compile(r"^\s*(?:\w+ly\s+)?by\s+(?:the\s+)?$", re.I)
_ADJECTIVAL = re.compile(r"\s+(?:to|about|that|with|of)\b", re.I)  # "is opposed to", "ready to"
_BY = re.compile(r"^\W*(?:\w+\s+){0,4}?by\s+(?:the\s+)?(?:\w+\s+)?$", re.I)
_PARTNER_TYPES = frozenset({"CONSULT", "COOPERATE", "AGREE", "AID", "SUPPORT"})
_COMPLEMENT_TYPES = frozenset({"REQUEST", "ACCUSE", "THREATEN", "REJECT"})
_STRUCK = frozenset({"ASSAULT", "COERCE", "THREATEN"})
# "North Korean troops were deployed", "Syrian forces were withdrawn": still theirs to act.
_SUBJECT_ACTS_IN_PASSIVE = frozenset({"MOBILIZE", "RETREAT", "CONSULT"})
# Acts whose target may be named by where they happen; for the last two only a foreign place.
_PLACE_TARGETS = frozenset({"COERCE", "CONCEDE", "RETREAT", "AID", "CONSULT", "MOBILIZE"})
_FOREIGN_PLACE_TARGETS = frozenset({"CONSULT", "MOBILIZE"})
_THAT = re.compile(r"(?:\s+[\w,]+){0,3}?\s+that\b", re.I)


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


def _is_party(sentence: str, e: EntityMention) -> bool:
    return (
        e.actor is not None
        and not _NOT_PARTY_AFTER.match(sentence, e.end)
        and not _NOT_PARTY_BEFORE.search(sentence, max(0, e.start - 8), e.start)
    )


def _group(sentence: str, entities: list[EntityMention], first: int) -> list[EntityMention]:
    """The mention at `first` and those joined to it by 'and', 'or' or commas."""
    group = [entities[first]]
    for e in entities[first + 1 :]:
        if not _CONJ.fullmatch(sentence, group[-1].end, e.start) or e.actor is None:
            break
        group.append(e)
    return group


def _clause_start(sentence: str, trigger_start: int) -> int:
    start = 0
    for m in _CLAUSE_START.finditer(sentence, 0, trigger_start):
        start = m.end()
    intro = _INTRO.match(sentence, start, trigger_start)
    return intro.end() if intro else start


def _clause_end(sentence: str, trigger_end: int) -> int:
    m = _CLAUSE_END.search(sentence, trigger_end)
    return m.start() if m else len(sentence)


def _subject(sentence: str, parties: list[EntityMention], lo: int, hi: int) -> list[EntityMention]:
    """The first name that no preposition governs between lo and hi, and its conjuncts."""
    owner: int | None = None  # "the deployment of NATO troops arrived": NATO, failing all else
    for i, e in enumerate(parties):
        if e.start < lo or e.end > hi or not _is_party(sentence, e):
            continue
        prep = _preposition(sentence, e.start, lo)
        if prep is None:
            return [m for m in _group(sentence, parties, i) if m.end <= hi]
        if prep == "of" and owner is None:
            owner = i
    if owner is not None:
        return [m for m in _group(sentence, parties, owner) if m.end <= hi]
    return []


def _governed_elsewhere(prep: str | None, near: bool, is_city: bool, event_type: str) -> bool:
    """True when the preposition makes the name a place, an agent or a bystander, not a target."""
    if prep is None:
        return False
    if prep == "by":
        return near  # the agent of a passive, handled by the caller
    if prep in ("in", "inside", "near", "across", "throughout", "within", "outside"):
        return True  # where, not whom
    if prep in ("at", "from", "over", "off", "via", "around", "along"):
        return event_type == "CONSULT" or (is_city and prep != "at")
    if prep == "of":
        return not near  # "the invasion of Ukraine", not "the capital of X"
    if prep == "with":
        return event_type not in _PARTNER_TYPES | {"ASSAULT", "COERCE", "PROTEST"}
    return False


def _objects(
    sentence: str, entities: list[EntityMention], lo: int, hi: int, event_type: str
) -> list[EntityMention]:
    """Who the act is done to: the first object of the trigger, and its conjuncts."""
    states = gazetteer().states
    for e in entities:
        if e.start < lo or e.start >= hi:
            continue
        prep = _preposition(sentence, e.start, lo)
        near = len(WORD.findall(sentence, lo, e.start)) <= 2
        is_city = e.place is not None and e.kind in ("capital", "place")
        if _governed_elsewhere(prep, near, is_city, event_type):
            continue
        country = e.place.country if e.place is not None else None
        if e.actor is None:
            # a place struck or besieged stands for its state: "shelled Juba"
            if (
                event_type in _STRUCK
                and country in states
                and prep in (None, "at", "on", "against")
            ):
                return [_acting(e, states[country or ""])]
            continue
        if not _is_party(sentence, e):
            continue
        if is_city and e.kind == "capital" and event_type in _STRUCK and country in states:
            return [_acting(e, states[country or ""])]  # "shelled Kyiv": the state, no GOV
        parties = [m for m in entities if m.actor is not None]
        return [m for m in _group(sentence, parties, parties.index(e)) if m.start < hi]
    return []


def _actors(mentions: list[EntityMention]) -> list[Actor]:
    out: list[Actor] = []
    for m in mentions:
        if m.actor is not None and all(
            (a.code, a.sector) != (m.actor.code, m.actor.sector) for a in out
        ):
            out.append(m.actor)
    return out


def assign_roles(
    sentence: str,
    entities: list[EntityMention],
    trigger_start: int,
    trigger_end: int,
    event_type: str,
) -> tuple[list[Actor], list[Actor]]:
    """(actors, recipients) of the event whose trigger spans [trigger_start, trigger_end).

    The subject of the trigger's clause acts ("X and Y", "X's troops"); the first object after
    the trigger, bare or after against/on/at/to/with/from/for, is the recipient; a passive
    ("Y was attacked by X", "condemned by X") swaps them. Names governed by 'in', 'near' and
    the like are places, not parties.
    """
    entities = [e for e in entities if e.end <= trigger_start or e.start >= trigger_end]
    parties = [e for e in entities if e.actor is not None]
    lo = _clause_start(sentence, trigger_start)
    hi = _clause_end(sentence, trigger_end)
    subject = _subject(sentence, parties, lo, trigger_start)
    if not subject and _PRONOUN_SUBJECT.match(sentence, lo) and lo > 0:
        # "Russia said it struck ...": the speaker is the subject of the reported clause
        subject = _subject(sentence, parties, _clause_start(sentence, lo - 1), lo)
    after = [e for e in entities if e.start >= trigger_end]
    passive = bool(
        _BE.search(sentence, max(0, trigger_start - 30), trigger_start)
        and _PARTICIPLE.fullmatch(sentence, trigger_start, trigger_end)
        and not _ADJECTIVAL.match(sentence, trigger_end)
    )
    by = _BY if passive else _BY_NEXT  # "was attacked on Monday by X", "condemned by X"
    agent = next(
        (e for e in after if e.actor is not None and by.match(sentence[trigger_end : e.start])),
        None,
    )
    if agent is not None:
        actors = _group(sentence, parties, parties.index(agent))
        return _actors(actors), [a for a in _actors(subject) if a not in _actors(actors)]
    if passive and event_type not in _SUBJECT_ACTS_IN_PASSIVE:
        return [], _actors(subject)  # "Ukraine was attacked": done to the subject
    that = _THAT.match(sentence, trigger_end)
    if that is not None and event_type in _COMPLEMENT_TYPES:
        # "demanded that Hamas renounce...": the one asked is the complement's subject
        hi = _clause_end(sentence, that.end())
        objects = _objects(sentence, after, that.end(), hi, event_type)
    else:
        objects = _objects(sentence, after, trigger_end, hi, event_type)
    if event_type == "CONSULT" and not subject and objects:
        return _actors(objects), []  # "talks between X and Y"
    acting = _actors(subject)
    if event_type in _PLACE_TARGETS and not objects:
        objects = _host(sentence, after, trigger_end, hi, acting, event_type)
    return acting, [a for a in _actors(objects) if a not in acting]


def _host(
    sentence: str,
    after: list[EntityMention],
    lo: int,
    hi: int,
    acting: list[Actor],
    event_type: str,
) -> list[EntityMention]:
    """The state of the place acted on: a visit's host ("arrived in Amman"), the people under
    a curfew ("lifted a curfew in Montenegro"), troops' host country ("deployed to Syria")."""
    states = gazetteer().states
    for e in after:
        if e.start >= hi or e.place is None or e.place.country not in states:
            continue
        if _preposition(sentence, e.start, lo) in (None, "in", "to", "into", "inside"):
            host = states[e.place.country]
            own = any(a.code == host.code for a in acting)
            if not own or event_type not in _FOREIGN_PLACE_TARGETS:
                return [_acting(e, host)]
        break
    return []


# --- location --------------------------------------------------------------------------------


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
