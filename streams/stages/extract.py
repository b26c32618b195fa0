"""Event extraction stage: PLOVER event mentions read from an article's sentences."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import date
from typing import Literal

from schemas import Actor, ArticleRecord, EventMention, Evidence, Location, Quantity, Severity
from streams.extraction.caseless import Caseless
from streams.extraction.classify import (
    Coding,
    Trigger,
    coding,
    find_triggers,
    main_trigger,
    reading,
    words_of,
)
from streams.extraction.dates import event_date
from streams.extraction.entities import EntityMention, assign_roles, find_entities, locate
from streams.extraction.figures import quantities, weapon
from streams.extraction.gazetteer import gazetteer
from streams.extraction.lexicon import Context

CRITICAL_WEAPONS = frozenset({"ICBM", "SLBM", "IRBM", "hypersonic"})


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", flags)


# --- sentences -------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
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
            # An abbreviation or an acronym ends at the dot: read the few characters before it,
            # not the whole sentence so far (the words before `pos` are no part of either).
            dot = m.start()
            if body[dot] == "." and (
                _ABBREVIATION.search(body, max(pos, dot - 8), dot + 1)
                or (
                    _ACRONYM.search(body, max(pos, dot - 3), dot + 1)
                    and _ACRONYM_CONTINUES.match(body, m.end())
                )
            ):
                continue
            spans.append((pos, m.end()))
            pos = m.end()
        spans.append((pos, par_end))
    for start, end in spans:  # trim the whitespace between sentences off each
        text = body[start:end]
        trimmed = text.lstrip()
        if trimmed:
            yield start + len(text) - len(trimmed), start + len(text.rstrip())


# --- is the sentence about politics at all? ---------------------------------------------------

# Sports, business, technology and film use war words for other things.
_OFF_TOPIC = Context(
    words=frozenset(
        "midfielder midfielders goalkeeper footballer footballers tournament championship "
        "kick-off kickoff smartphone handset software firmware app startup shareholders "
        "quarterly earnings film films movie movies premiere documentary screenplay cinema "
        "lenders retailer retailers brand brands marketing advertising advertisers investors "
        "tablet laptop consumers tennis forehand backhand semifinal quarterfinal".split()
    ),
    prefixes=(),
    phrase_heads=frozenset(
        "product box share stock league premier champions the a teenage at into".split()
    ),
    # phrases where a word alone would also name politics (the Arab League, a hunger striker)
    phrases=(
        "product launch",
        "box office",
        "share price",
        "stock market",
        "league match",
        "premier league",
        "champions league",
        "league title",
        "the striker",
        "a striker",
        "teenage striker",
        "the keeper",
        "at goal",
        "into the net",
    ),  # fmt: skip
)


def _off_topic(text: str) -> bool:
    lowered = text.lower()
    return _OFF_TOPIC.found(lowered, words_of(lowered))


# --- roles -----------------------------------------------------------------------------------

_TROOPS = r"troops|soldiers|forces|servicemen|marines|paratroopers|peacekeepers"
_Roles = Literal["subject", "test", "deployment", "participants"]
_ROLES: dict[str, _Roles] = {
    "nuclear_test": "test",
    "missile_test": "test",
    "troop_deployment": "deployment",
    "peacekeeping": "deployment",
}
_PARTICIPANT_ROOTS = frozenset({"CONSULT", "COOPERATE", "AGREE"})
_TROOP_OWNER = re.compile(rf"(?:['’]s)?\s+(?:[\w-]+\s+)?(?:{_TROOPS})\b", re.IGNORECASE)
_TROOPS_FROM = re.compile(rf"\b(?:{_TROOPS})\s+from\s+(?:the\s+)?$", re.IGNORECASE)
_BETWEEN_SUBJECT_AND_VERB = re.compile(
    r"\s*(?:(?:has|have|had|also|again|reportedly|on \w+|\w+ly)\s+)*", re.IGNORECASE
)
_TROOPS_END = re.compile(rf"\b(?:{_TROOPS})$", re.IGNORECASE)
# A name right after one of these is where something happens, not who does it.
_WHERE = Caseless(
    r"\b(?:in|into|inside|to|at|near|toward|towards|across|off)\s+(?:the\s+)?"
    r"(?:(?:northern|southern|eastern|western|central)\s+)?$"
)
_VISIT = _rx(r"visit\w*")
_SUMMIT = _rx(r"summit(?:s|ry)?")
_UN = re.compile(r"\b(?:U\.?N\.?|United Nations|(?<!National )Security Council|General Assembly)\b")


def _troop_owner(text: str, entities: list[EntityMention], trigger: Trigger) -> list[Actor]:
    """The state whose forces they are: 'North Korean troops', 'soldiers from Belarus'."""
    owners = [
        e
        for e in entities
        if e.actor is not None
        and (
            e.start <= trigger.start < e.end  # "North Korean soldiers" is one name
            or _TROOPS_END.search(e.text)
            or _TROOP_OWNER.match(text, e.end)
            or _TROOPS_FROM.search(text, max(0, e.start - 40), e.start)
        )
    ]
    if not owners:
        return []
    owner = min(owners, key=lambda e: abs(e.start - trigger.start)).actor
    return [owner] if owner is not None else []


def _adjacent_subject(text: str, entities: list[EntityMention], anchor: int) -> list[Actor]:
    """The name right before the verb, when role assignment found none ("A day after North
    Korea test-fired ...": the subject of a fronted clause)."""
    before = [e for e in entities if e.actor is not None and e.end <= anchor]
    if before and _BETWEEN_SUBJECT_AND_VERB.fullmatch(text, before[-1].end, anchor):
        actor = before[-1].actor
        return [actor] if actor is not None else []
    return []


def _located(text: str, e: EntityMention) -> bool:
    return bool(_WHERE.search(text, max(0, e.start - 40), e.start))


def _destination(text: str, entities: list[EntityMention], after: int) -> Location | None:
    """Where forces went: the first place after 'to', 'in', 'into'..., narrowed to a region of it
    named next ("to Russia's Kursk region")."""
    places = [e for e in entities if e.start >= after and e.place is not None]
    first = next((e for e in places if _located(text, e)), None)
    if first is None or first.place is None:
        return None
    country = first.place.country
    narrower = [
        e.place
        for e in places
        if e.start > first.start and e.place and e.place.subdivision and e.place.country == country
    ]
    return narrower[0] if narrower and not first.place.subdivision else first.place


def _roles(
    kind: _Roles, root: str, text: str, trigger: Trigger, entities: list[EntityMention]
) -> tuple[list[Actor], list[Actor], Location | None]:
    actors, recipients = assign_roles(text, entities, trigger.anchor, trigger.end, root)
    actors = actors or _adjacent_subject(text, entities, trigger.anchor)
    place = locate(text, entities, trigger.end)
    if kind == "participants":
        # the place of a meeting is no party to it: "met in Washington"
        hosts = {e.actor.code for e in entities if e.actor is not None and _located(text, e)}
        partners = [a for a in recipients if a not in actors and a.code not in hosts]
        return actors + partners, [], place
    if kind == "deployment":
        actors = _troop_owner(text, entities, trigger) or actors
        place = _destination(text, entities, trigger.end) or place
        host = gazetteer().states.get(place.country or "") if place else None
        return actors, [host] if host and host.code not in codes(actors) else [], place
    if kind == "test":
        return actors, [], place
    return actors, [a for a in recipients if a not in actors], place


def codes(actors: list[Actor]) -> list[str]:
    """The actors' codes, for comparing parties whatever their sector."""
    return [a.code for a in actors]


# --- severity and confidence -----------------------------------------------------------------

# Default severity of each subtype (../shared/specs/events.md); a subtype not listed takes its
# root's default below.
_SEVERITY: dict[str, Severity] = {
    **dict.fromkeys(("nuclear_test", "nuclear_threat"), "critical"),
    **dict.fromkeys(
        (
            "missile_test",
            "airstrike",
            "missile_strike",
            "drone_strike",
            "shelling",
            "armed_clash",
            "bombing",
            "suicide_bombing",
            "shooting",
            "assassination",
            "attack",
            "killing",
            "invasion",
            "atrocity",
            "chemical_attack",
            "ceasefire_violation",
            "military_threat",
            "martial_law",
            "human_shields",
        ),
        "high",
    ),
    **dict.fromkeys(
        (
            "troop_deployment",
            "military_exercise",
            "mobilization",
            "alert",
            "military_buildup",
            "military_preparation",
            "show_of_force",
            "military_cooperation",
            "arms_transfer",
            "sanctions",
            "diplomat_expulsion",
            "expulsion",
            "severed_relations",
            "recall_ambassador",
            "treaty_withdrawal",
            "staff_withdrawal",
            "aid_suspension",
            "ceasefire",
            "peace_agreement",
            "withdrawal",
            "riot",
            "abduction",
            "torture",
            "sexual_violence",
            "crowd_control",
            "stabbing",
            "destruction",
            "seizure",
            "curfew",
            "state_of_emergency",
            "cyberattack",
        ),
        "medium",
    ),
    **dict.fromkeys(
        (
            "talks",
            "summit",
            "state_visit",
            "un_meeting",
            "phone_call",
            "mediation",
            "support",
            "asylum",
        ),
        "info",
    ),
}
_ROOT_SEVERITY: dict[str, Severity] = {
    "ASSAULT": "high", "MOBILIZE": "medium", "CONSULT": "info", "SUPPORT": "info",
}  # fmt: skip
_KINETIC = frozenset(
    {"airstrike", "missile_strike", "drone_strike", "shelling", "armed_clash", "bombing",
     "suicide_bombing", "shooting", "attack", "killing", "atrocity", "chemical_attack"}
)  # fmt: skip
# Sentences that name no actor still report an attack, a protest or a crackdown somewhere.
_PLACE_WILL_DO = frozenset({"ASSAULT", "PROTEST", "COERCE"})
MIN_CONFIDENCE = 0.5
# A finite verb before a noun trigger means the noun is an object, not the sentence's subject.
_FINITE = Caseless(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|said|says|\w+ed)\b"
)


def _severity(
    subtype: str, root: str, actors: list[Actor], place: Location | None, weapon: str | None,
    quantities: list[Quantity],
) -> Severity:  # fmt: skip
    if subtype == "missile_test" and weapon in CRITICAL_WEAPONS:
        return "critical"
    if subtype == "troop_deployment":
        home = place.country if place else None
        return "high" if home and any(a.code != home for a in actors) else "medium"
    if subtype in _KINETIC and any(q.unit == "killed" and q.value >= 100 for q in quantities):
        return "critical"  # mass casualties
    return _SEVERITY.get(subtype) or _ROOT_SEVERITY.get(root, "low")


def _confidence(text: str, trigger: Trigger, has_actor: bool) -> float:
    """How sure the rule is: its words' reliability, read in their clause, and with an actor."""
    if trigger.verbal:
        form = 1.0
    elif len(_WORDS.findall(text, 0, trigger.start)) <= 12 and not _FINITE.search(
        text, 0, trigger.start
    ):
        form = 0.9  # the sentence's subject: "The deployment of 12,000 troops has become ..."
    else:
        form = 0.55  # a noun in passing: "... over the growing military partnership"
    clause = (1.0, 0.85, 0.7)[trigger.clause]
    return round(trigger.entry.weight * form * clause * (1.0 if has_actor else 0.8), 2)


_WORDS = re.compile(r"\w+")
_DAY_AFTER = re.compile(
    r"[^,;]{0,60}?\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|"
    r"yesterday|overnight|this morning)\b"
)

# --- assembly --------------------------------------------------------------------------------


# The subtypes the spec names; a finer reading (an arrest, a riot police charge) stays in the
# PLOVER mode and sets the severity, and the mention's subtype is left empty.
SPEC_SUBTYPES = frozenset(
    {"nuclear_test", "missile_test", "troop_deployment", "military_exercise", "airstrike",
     "missile_strike", "drone_strike", "shelling", "armed_clash", "bombing", "military_threat",
     "nuclear_threat", "military_cooperation", "arms_transfer", "sanctions", "diplomat_expulsion",
     "ceasefire", "peace_agreement", "condemnation", "talks", "summit", "state_visit",
     "un_meeting", "protest", "riot"}
)  # fmt: skip
_TALKS = frozenset({"visit", "phone_call", "mediation"})
# Finer readings that are one of the spec's subtypes: forces massed on a border are deployed.
_AS_SPEC = {"military_buildup": "troop_deployment", "suicide_bombing": "bombing"}


def _coded(text: str, trigger: Trigger, triggers: list[Trigger]) -> Coding:
    code = coding(text, trigger, triggers)
    if code.root == "CONSULT" and (code.subtype == "talks" or code.subtype in _TALKS):
        # the spec's subtypes: a summit, a state visit or a U.N. meeting whatever the verb;
        # a visit, a call or a mediation is talks, held on a visit, by phone, through a third
        if _SUMMIT.search(text):
            return Coding("CONSULT", code.mode, "summit")
        if code.subtype == "talks" and _UN.search(text):
            return Coding("CONSULT", code.mode, "un_meeting")
        return Coding("CONSULT", code.mode, "talks")
    return code


def _current(text: str, trigger: Trigger, code: Coding, published: date | None) -> bool:
    """Whether the sentence reports the trigger's event as one happening now (cheap checks
    first: names are looked up only for what passes)."""
    if trigger.entry.statement:
        return False  # a denial is a statement about an event, not one
    if trigger.clause > 1 and not _DAY_AFTER.match(text, trigger.end):
        # "weeks after Beijing pledged ...", ", which ...": background, unless it names the
        # recent day ("A day after North Korea test-fired an ICBM on Monday, ...")
        return False
    if trigger.intent and (not trigger.firm or code.root == "AGREE"):
        return False  # what "may" happen has not, and "would meet" is a plan, not yet an act
    if _confidence(text, trigger, has_actor=True) < MIN_CONFIDENCE:
        return False
    spoken = code.root != trigger.root  # a promise, threat or refusal made by saying it
    return reading(text, trigger, published, spoken=spoken) == "current"


def _mention(
    record: ArticleRecord, span: tuple[int, int], trigger: Trigger, code: Coding,
    entities: list[EntityMention],
) -> EventMention | None:  # fmt: skip
    article, (start, end) = record.article, span
    text = article.body[start:end]
    published = article.published_at.date() if article.published_at else None
    kind = _ROLES.get(code.subtype) or (
        "participants" if code.root in _PARTICIPANT_ROOTS else "subject"
    )
    actors, recipients, place = _roles(kind, code.root, text, trigger, entities)
    if code.root == "MOBILIZE" and code.subtype == "military_exercise" and len(actors) > 1:
        code = Coding("COOPERATE", None, "military_exercise")  # a joint drill (PLOVER)
    if trigger.entry.needs_place and place is None:
        return None
    if not actors and code.subtype != "nuclear_test":
        if code.root not in _PLACE_WILL_DO or place is None:
            return None
    confidence = _confidence(text, trigger, bool(actors))
    if confidence < MIN_CONFIDENCE:
        return None
    figures = quantities(text) if code.root in ("MOBILIZE", "ASSAULT", "AID") else []
    named_weapon = weapon(text) if code.subtype == "missile_test" else None
    mode = code.mode
    if code.root == "CONSULT" and mode is None:
        mode = "visit" if _VISIT.search(text) else "multilateral" if len(actors) > 2 else None
    spec = _AS_SPEC.get(code.subtype, code.subtype)
    subtype = spec if spec in SPEC_SUBTYPES else None
    key = f"{article.id}|{start}|{end}|{code.root}|{subtype}"
    return EventMention(
        mention_id=hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:16],
        article_id=article.id,
        source=article.source,
        published_at=article.published_at,
        event_type=code.root,
        mode=mode,
        subtype=subtype,
        severity=_severity(code.subtype, code.root, actors, place, named_weapon, figures),
        confidence=confidence,
        actors=actors,
        recipients=recipients,
        location=place,
        quantities=figures,
        weapon=named_weapon,
        event_date=event_date(text, trigger.start, published),
        evidence=Evidence(sentence=text, start=start, end=end),
        duplicate_of=record.duplicate_of,
    )


def _reported(triggers: list[Trigger]) -> list[Trigger]:
    """The main event, then any other act the main clause reports in its own words.

    A trigger after a speech act or a reaction is what is said or reacted to ("urged Russia to
    withdraw", "condemned the launch"), and one of a root already reported adds no event
    ("shelled Kharkiv, and 30 people were killed").
    """
    main = main_trigger(triggers)
    if main is None:
        return []
    out = [main]
    for t in triggers:
        if t is main or not t.verbal or t.clause or t.entry.weight < 0.8:
            continue  # only a plainly worded act of the main clause is a second event
        before = [u for u in triggers if u.start < t.start]
        if any(u.entry.speech or u.root in _REACTIONS for u in before):
            continue
        if all(t.root != u.root for u in out):
            out.append(t)
    return sorted(out, key=lambda t: t.start)


_REACTIONS = frozenset({"ACCUSE", "SANCTION", "REJECT", "REQUEST"})


def _sentence_mentions(record: ArticleRecord, span: tuple[int, int]) -> list[EventMention]:
    text = record.article.body[span[0] : span[1]]
    # A question asserts nothing.
    if text.rstrip("\"'”’) ").endswith("?"):
        return []
    lowered = text.lower()
    words = words_of(lowered)
    if _OFF_TOPIC.found(lowered, words):
        return []
    triggers = find_triggers(text, words)
    if not triggers:
        return []
    published = record.article.published_at
    day = published.date() if published else None
    entities: list[EntityMention] | None = None
    mentions: dict[tuple[str, str | None], EventMention] = {}
    for trigger in _reported(triggers):
        code = _coded(text, trigger, triggers)
        if not _current(text, trigger, code, day):
            continue
        if entities is None:
            entities = find_entities(text, day)
        mention = _mention(record, span, trigger, code, entities)
        if mention is not None and (mention.event_type, mention.subtype) not in mentions:
            mentions[mention.event_type, mention.subtype] = mention
    return list(mentions.values())


def extract(record: ArticleRecord) -> list[EventMention]:
    """Every current political event mention the article's sentences report, in text order."""
    if _off_topic(record.article.title):
        return []
    return [m for span in _sentences(record.article.body) for m in _sentence_mentions(record, span)]
