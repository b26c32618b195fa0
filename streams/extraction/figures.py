"""Figures and weapons: numbers with their unit and qualifier, and the weapon class named."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

from schemas import Quantity
from streams.extraction.caseless import Caseless
from streams.extraction.gazetteer import weapon_classes

Qualifier = Literal["exact", "approximately", "at_least", "at_most", "more_than"]

_QUALIFIERS: dict[str, Qualifier] = {
    **dict.fromkeys(
        ("some", "about", "around", "nearly", "almost", "roughly", "approximately", "approx.",
         "an estimated", "estimated", "close to", "an approximate", "perhaps", "roughly some"),
        "approximately",
    ),
    **dict.fromkeys(("at least", "no fewer than", "no less than", "a minimum of"), "at_least"),
    # "fewer than" is strictly below: at_most is the closest qualifier the schema has
    **dict.fromkeys(
        ("up to", "as many as", "no more than", "at most", "fewer than", "less than",
         "under", "just under", "a maximum of"),
        "at_most",
    ),
    **dict.fromkeys(
        ("more than", "over", "just over", "well over", "upwards of", "in excess of",
         "above"),
        "more_than",
    ),
}  # fmt: skip
_ONES = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES: dict[str, int] = {
    **{w: i for i, w in enumerate(_ONES, 1)},
    **{w: i for i, w in enumerate(_TEENS, 10)},
    **{w: 10 * i for i, w in enumerate(_TENS, 2)},
    **{f"{t}-{o}": 10 * i + j for i, t in enumerate(_TENS, 2) for j, o in enumerate(_ONES, 1)},
}
_MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 10**9}
# Plural round numbers say "at least two of these": "dozens" is at least 24, "hundreds" 200.
_VAGUE: dict[str, int] = {
    "dozens": 24,
    "scores": 40,
    "hundreds": 200,
    "thousands": 2_000,
    "tens of thousands": 20_000,
    "hundreds of thousands": 200_000,
    "millions": 2_000_000,
}
_UNITS: dict[str, str] = {
    **dict.fromkeys(
        ("troops", "soldiers", "servicemen", "service members", "servicemembers", "marines",
         "paratroopers", "reservists", "conscripts", "sailors", "military personnel"),
        "troops",
    ),
    **dict.fromkeys(("fighters", "militants", "rebels", "insurgents", "militiamen"), "fighters"),
    **dict.fromkeys(("killed", "dead", "deaths", "fatalities", "lives", "bodies"), "killed"),
    **dict.fromkeys(("wounded", "injured", "injuries", "hurt"), "injured"),
    **dict.fromkeys(
        ("missiles", "missile", "rockets", "rocket", "projectiles", "icbms", "srbms", "slbms",
         "irbms"),
        "missiles",
    ),
    **dict.fromkeys(("drones", "drone", "uavs", "unmanned aerial vehicles"), "drones"),
    **dict.fromkeys(
        ("aircraft", "planes", "jets", "warplanes", "fighter jets", "bombers", "helicopters",
         "fighters jets"),
        "aircraft",
    ),
    **dict.fromkeys(("warships", "ships", "vessels", "submarines", "boats"), "ships"),
    **dict.fromkeys(("tanks", "armoured vehicles", "armored vehicles"), "tanks"),
    **dict.fromkeys(("shells", "artillery shells", "rounds"), "shells"),
    **dict.fromkeys(("displaced", "evacuated", "evacuees"), "displaced"),
    **dict.fromkeys(("refugees", "asylum seekers"), "refugees"),
    **dict.fromkeys(("protesters", "protestors", "demonstrators", "marchers"), "protesters"),
    **dict.fromkeys(("arrested", "detained", "detainees", "arrests"), "arrested"),
    **dict.fromkeys(("hostages", "captives"), "hostages"),
    **dict.fromkeys(("prisoners", "prisoners of war", "pows"), "prisoners"),
    **dict.fromkeys(("people", "civilians", "persons", "residents", "villagers", "children"),
                    "people"),
}  # fmt: skip
# Who a number counts can change with the verb after it: "30 people were killed" is 30 killed.
_OUTCOMES: dict[str, str] = {
    **dict.fromkeys(("killed", "dead", "died", "slain", "perished"), "killed"),
    **dict.fromkeys(("wounded", "injured", "hurt"), "injured"),
    **dict.fromkeys(("arrested", "detained", "held"), "arrested"),
    **dict.fromkeys(("displaced", "evacuated", "fled", "uprooted"), "displaced"),
    **dict.fromkeys(("missing",), "missing"),
}
_VERBS: dict[str, str] = {
    **dict.fromkeys(("killing", "killed", "kills", "kill"), "killed"),
    **dict.fromkeys(("wounding", "wounded", "injuring", "injured"), "injured"),
    **dict.fromkeys(("arresting", "arrested", "detaining", "detained"), "arrested"),
    **dict.fromkeys(("displacing", "displaced", "evacuating", "evacuated"), "displaced"),
    **dict.fromkeys(("deploying", "deployed", "sending", "sent", "dispatched"), "troops"),
    **dict.fromkeys(("firing", "fired", "launching", "launched"), "missiles"),
}
_COUNTED_BY_VERB = frozenset({"people", "troops", "fighters", "missiles"})


def _alternation(words: Iterable[str]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


_MULT = r"(?:\s+(?P<mult>hundred|thousand|million|billion))?"
# Numbers are found first and their context read around them: far cheaper than letting
# optional qualifiers and verbs lead a pattern tried at every position of the sentence.
_NUMBER = Caseless(
    r"(?P<num>(?<![\w.,/-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w-])|(?<![\w.,/-])\d+(?:\.\d+)?(?![\w-])"
    rf"|\b(?:(?:{'|'.join(_TENS)})(?:-(?:{'|'.join(_ONES)}))?|{'|'.join(_TEENS + _ONES)})\b)"
    rf"{_MULT}"
    rf"|\b(?P<vague>{_alternation(_VAGUE)})\b(?:\s+of(?:\s+(?:the|their))?)?"
    r"|\b(?P<article>an?)\s+(?P<amult>dozen|hundred|thousand|million)\b"
)
# Groups of these Caseless matches are lower-cased, as the tables above are.
_QUALIFIER_BEFORE = Caseless(rf"\b(?P<qual>{_alternation(_QUALIFIERS)})\s+$")
_VERB_BEFORE = Caseless(rf"\b(?P<verb>{_alternation(_VERBS)})\s+$")
_TOLL_BEFORE = re.compile(
    r"\bdeath\s+toll\s+(?:\w+\s+){0,3}?(?:to|of|at|reached|hit|is|was|stands\s+at)\s+$",
    re.IGNORECASE,
)
# [a-z] matches capitals too: these patterns are case-insensitive.
_FILLER = r"(?:\s+(?!(?:and|or|of|in|to|from|at|by|on|for|with|than)\b)[a-z’'-]+){0,3}?"
_UNIT_AFTER = Caseless(
    rf"{_FILLER}\s+(?P<unit>{_alternation(_UNITS)})\b"
    r"(?:(?:\s+(?:were|was|have\s+been|had\s+been|are|been|reportedly|also)){0,2}"
    rf"\s+(?P<outcome>{_alternation(_OUTCOMES)})\b)?"
)
_UNIT_NEXT = Caseless(rf"\s+(?P<unit>{_alternation(_UNITS)})\b")


def _value(m: re.Match[str], qualifier: Qualifier) -> tuple[float, Qualifier] | None:
    if m["vague"]:
        value = float(_VAGUE[re.sub(r"\s+", " ", m["vague"].lower())])
        return value, "at_least" if qualifier == "exact" else qualifier
    if m["amult"]:
        value = float(12 if m["amult"].lower() == "dozen" else _MULTIPLIERS[m["amult"].lower()])
        return value, "approximately" if qualifier == "exact" else qualifier
    num = m["num"].lower()
    value = float(_WORD_VALUES[num]) if num in _WORD_VALUES else float(num.replace(",", ""))
    if m["mult"]:
        value *= _MULTIPLIERS[m["mult"].lower()]
    elif 1900 <= value <= 2100 and "," not in num and "." not in num:
        return None  # a year, not a count
    return value, qualifier


def _read(sentence: str, m: re.Match[str]) -> tuple[int, int, Quantity] | None:
    """The count at number `m`: its qualifier before, its unit after or from the verb before."""
    start = m.start()
    qual = _QUALIFIER_BEFORE.search(sentence, max(0, start - 20), start)
    qualifier = (
        _QUALIFIERS.get(re.sub(r"\s+", " ", qual["qual"].lower()), "exact") if qual else "exact"
    )
    amount = _value(m, qualifier)
    if amount is None:
        return None
    head = qual.start() if qual else start
    unit: str | None = None
    end = m.end()
    if _TOLL_BEFORE.search(sentence, max(0, head - 50), head):
        unit = "killed"
    elif verb := _VERB_BEFORE.search(sentence, max(0, head - 14), head):
        head = verb.start()
        counted = _VERBS[verb["verb"].lower()]
        nxt = _UNIT_NEXT.match(sentence, end)
        noun = _UNITS.get(re.sub(r"\s+", " ", nxt["unit"].lower())) if nxt else None
        end = nxt.end() if nxt else end
        if counted in ("troops", "missiles"):  # "deployed 8,000 troops", not "deployed 8,000"
            unit = noun if noun == counted else None
        else:
            unit = counted if noun is None or noun in _COUNTED_BY_VERB else None
    if unit is None and (after := _UNIT_AFTER.match(sentence, m.end())) is not None:
        noun = _UNITS[re.sub(r"\s+", " ", after["unit"].lower())]
        outcome = after["outcome"]
        unit = _OUTCOMES[outcome.lower()] if outcome and noun in _COUNTED_BY_VERB else noun
        end = after.end()
    if unit is None:
        return None
    value, qualifier = amount
    text = sentence[head:end]
    return head, end, Quantity(value=value, unit=unit, qualifier=qualifier, text=text)


def quantities(sentence: str) -> list[Quantity]:
    """Every count the sentence gives, in text order: value, unit, qualifier and its words.

    "some 8,000 soldiers" is 8000 troops, approximately; "up to 12,000 troops" at_most;
    "at least 30 killed" at_least; "killing 12 people" is 12 killed. Plural round numbers
    ("dozens", "hundreds of") are at_least two of that number; "a dozen" is about 12.
    """
    out: list[Quantity] = []
    last_end = -1
    for m in _NUMBER.finditer(sentence):
        if m.start() < last_end:
            continue
        found = _read(sentence, m)
        if found is None:
            continue
        _, last_end, quantity = found
        if all((quantity.value, quantity.unit) != (q.value, q.unit) for q in out):
            out.append(quantity)
    return out


@lru_cache(maxsize=1)
def _weapons() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every class of weapons.yaml, a named group per class: one pass."""
    classes = weapon_classes()
    groups = {f"w{i}": c.name for i, c in enumerate(classes)}
    alternation = "|".join(f"(?P<w{i}>{c.alternatives})" for i, c in enumerate(classes))
    return re.compile(rf"\b(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE), groups


def weapon(sentence: str) -> str | None:
    """The class of the weapon the sentence names (weapons.yaml): the first named in the text;
    a generic 'ballistic missile' only when nothing more specific is named."""
    pattern, groups = _weapons()
    generic: str | None = None
    for m in pattern.finditer(sentence):
        name = groups[m.lastgroup or ""]
        if name != "ballistic":
            return name
        generic = generic or name
    return generic
