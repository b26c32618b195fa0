"""A canonical event in an analyst's words: "North Korea deploys about 8,000 troops to
Russia's Kursk Oblast", from the templates of streams/data/vocabulary/subtypes.yaml."""

from __future__ import annotations

import re
from collections.abc import Sequence

from schemas import Actor, CanonicalEvent, Quantity
from streams.extraction.gazetteer import gazetteer
from streams.extraction.vocabulary import subtypes

_PIECE = re.compile(r"\{(\w+)(\??)\}")
_QUALIFIED = {
    "approximately": "about ",
    "at_most": "up to ",
    "at_least": "at least ",
    "more_than": "more than ",
    "exact": "",
}
# How a weapon class reads in a sentence.
_WEAPONS = {
    "ICBM": "an ICBM",
    "SLBM": "an SLBM",
    "IRBM": "an IRBM",
    "SRBM": "a short-range ballistic missile",
    "cruise": "a cruise missile",
    "hypersonic": "a hypersonic missile",
}


def _names(actors: Sequence[Actor]) -> str:
    names = list(dict.fromkeys(a.name for a in actors))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _figure(q: Quantity) -> str:
    value = f"{q.value:,.0f}" if q.value == int(q.value) else f"{q.value:,}"
    return _QUALIFIED.get(q.qualifier, "") + value


def _country_name(code: str | None) -> str:
    state = gazetteer().states.get(code or "")
    return state.name if state is not None else ""


def pieces(event: CanonicalEvent) -> dict[str, str]:
    """Every piece a template may use, empty where the event does not say."""
    where = event.location
    place_name = where.name if where else ""
    country = _country_name(where.country) if where else ""
    within = bool(country and place_name and country != place_name)
    figures = {q.unit: q for q in event.quantities}
    toll = ""
    if "killed" in figures:
        toll = f", killing {_figure(figures['killed'])}"
    elif "injured" in figures:
        toll = f", injuring {_figure(figures['injured'])}"
    weapon = event.weapon or ""
    return {
        "actor": _names(event.actors),
        "recipient": _names(event.recipients),
        "target": _names(event.recipients) or place_name,
        "place": f" in {place_name}, {country}" if within else f" in {place_name}" if where else "",
        "to_place": f"to {country}'s {place_name}"
        if within
        else f"to {place_name}"
        if where
        else "",
        "weapon": _WEAPONS.get(weapon, f"a {weapon} missile" if weapon else "a missile"),
        "troops": (_figure(figures["troops"]) + " ") if "troops" in figures else "",
        "toll": toll,
        "country": country or _names(event.recipients) or _names(event.actors),
    }


def _render(template: str, values: dict[str, str]) -> str | None:
    """The template filled in, or None when a piece it needs is unknown."""
    missing = False

    def fill(m: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(m[1], "")
        if not value and not m[2]:
            missing = True
        return value

    text = _PIECE.sub(fill, template)
    return None if missing else re.sub(r"\s{2,}", " ", text).strip()


def headline(event: CanonicalEvent) -> str:
    """The event in an analyst's words; its type and parties when no template fits."""
    table = subtypes()
    templates: list[str] = []
    if event.subtype is not None:
        for sub in table.subtypes:
            if sub.name == event.subtype and sub.root == event.event_type:
                templates = sub.headline
                break
    templates = templates + table.root_headline.get(event.event_type, [])
    values = pieces(event)
    for template in templates:
        text = _render(template, values)
        if text:
            return text[0].upper() + text[1:]
    what = (event.subtype or event.event_type).replace("_", " ")
    who = values["actor"]
    return f"{what.capitalize()} by {who}" if who else what.capitalize()
