"""Gazetteers: the operator-edited name files, validated and indexed once per process."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas import Actor, Location
from streams.yamlfiles import Source, read_model

GAZETTEER_DIR = Path(__file__).resolve().parents[1] / "data" / "gazetteers"

_ISO3 = r"^[A-Z]{3}$"
_SECTOR = r"^[A-Z]{3}$"
_SUBDIVISION = r"^[A-Z]{2}-[A-Z0-9]{1,3}$"
# Names are read as runs of word characters; anything else but spaces, dots, apostrophes,
# hyphens and ampersands between them would never match (see `key`).
_ALIAS_CHARS = re.compile(r"^[\w .'’‘&+-]+$")
WORD = re.compile(r"\w+")
# What may stand between two words of one name in the text: "U.S.", "Kim Jong-un", "People's".
JOINABLE_GAP = re.compile(r"\s{1,2}|[.'’‘-]|\.\s|\s?-\s?|\s?&\s?")

Kind = Literal["state", "demonym", "capital", "seat", "org", "person", "place"]
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it


# --- file models -----------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Alias = Field(pattern=_ALIAS_CHARS.pattern, min_length=1)


class _Country(_Model):
    code: str = Field(pattern=_ISO3)
    iso: bool = True
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    demonyms: list[str] = Field(default_factory=list)
    capitals: list[str] = Field(default_factory=list)
    seats: dict[str, str] = Field(default_factory=dict)


class _CountriesFile(_Model):
    countries: list[_Country]


class _Term(_Model):
    start: date | None = Field(default=None, alias="from")
    until: date | None = None
    sector: str | None = Field(default=None, pattern=_SECTOR)


class _Org(_Model):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,15}$")
    name: str = Field(min_length=1)
    kind: Literal["igo", "ngo", "group"]
    sector: str | None = Field(default=None, pattern=_SECTOR)
    terms: list[_Term] = Field(default_factory=list)
    aliases: list[str] = Field(min_length=1)


class _OrgsFile(_Model):
    organisations: list[_Org]


class _Leader(_Model):
    name: str = Field(min_length=1)
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,15}$")
    office: str = Field(min_length=1)
    sector: str = Field(default="GOV", pattern=_SECTOR)
    start: date = Field(alias="from")
    until: date | None = None
    aliases: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> _Leader:
        if self.until is not None and self.until < self.start:
            raise ValueError(f"until {self.until} is before from {self.start}")
        return self


class _LeadersFile(_Model):
    leaders: list[_Leader]


class _Place(_Model):
    name: str = Field(min_length=1)
    country: str | None = Field(default=None, pattern=_ISO3)
    subdivision: str | None = Field(default=None, pattern=_SUBDIVISION)
    aliases: list[str] = Field(min_length=1)


class _PlacesFile(_Model):
    places: list[_Place]


class _SubdivisionName(_Model):
    name: str = Field(min_length=1)
    bases: list[str] | None = None  # None: the display name is the base
    aliases: list[str] = Field(default_factory=list)


class _SubdivisionsFile(_Model):
    countries: list[str] = Field(default_factory=list)
    no_bare: list[str] = Field(default_factory=list)
    names: dict[str, _SubdivisionName] = Field(default_factory=dict)


class _SectorsFile(_Model):
    nouns: dict[str, list[str]]
    alone: dict[str, list[str]] = Field(default_factory=dict)
    titles: dict[str, list[str]] = Field(default_factory=dict)


class _Weapon(_Model):
    weapon_class: str = Field(alias="class", min_length=1)
    patterns: list[str] = Field(default_factory=list)
    systems: list[str] = Field(default_factory=list)


class _WeaponsFile(_Model):
    weapons: list[_Weapon]


# --- the index ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    """Who acts for `code` in `sector` between two dates: a person's term, a group's period."""

    name: str
    code: str
    sector: str | None
    office: str = ""
    start: date | None = None
    until: date | None = None

    def holds(self, on: date | None) -> bool:
        """True when the term covers `on`; with no date every term counts."""
        if on is None:
            return True
        return (self.start is None or self.start <= on) and (self.until is None or on < self.until)


@dataclass(frozen=True)
class Sense:
    """What a name stands for: an actor, a place, or both (a capital), and how it was listed."""

    kind: Kind
    actor: Actor | None = None
    place: Location | None = None
    holders: tuple[Holder, ...] = ()  # people's terms, and groups' dated sectors


@dataclass(frozen=True)
class Gazetteer:
    """Every name, indexed for word-by-word lookup, and the vocabularies read with them."""

    senses: dict[str, Sense]
    longest: dict[str, int]  # first word of a name -> most words any name starting with it has
    states: dict[str, Actor]
    offices: dict[tuple[str, str], tuple[Holder, ...]]
    nouns: dict[str, str]  # lower-case sector word -> sector
    alone: dict[str, str]
    titles: dict[str, frozenset[str]]  # lower-case title -> offices it names
    org_kinds: dict[str, str]
    sectors: frozenset[str] = field(default_factory=frozenset)
    # The first word of every sector noun: a phrase starting with any other word is no noun,
    # so the lookups of its two, three and four word forms can be skipped.
    noun_heads: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        heads = frozenset(noun.split(" ")[0] for noun in self.nouns)
        object.__setattr__(self, "noun_heads", heads)  # frozen: derived once, here


def key(name: str) -> str:
    """The lookup key of a name: its words joined by single spaces, apostrophes normalised."""
    return " ".join(WORD.findall(name))


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _plural(word: str) -> str | None:
    if word.endswith(("sh", "ch", "ss", "se", "x", "z", "s")):
        return None
    return word + "s"


class _Builder:
    """Collects senses from every file; earlier files win a shared name, as documented."""

    def __init__(self) -> None:
        self.senses: dict[str, Sense] = {}
        self.origin: dict[str, tuple[Source, tuple[int | str, ...]]] = {}

    def add(
        self,
        alias: str,
        sense: Sense,
        source: Source,
        loc: tuple[int | str, ...],
        *,
        clash: Literal["error", "keep", "merge_place"] = "error",
    ) -> None:
        k = key(alias)
        if not k:
            raise source.fail(loc, f"alias {alias!r} has no words")
        old = self.senses.get(k)
        if old is None:
            self.senses[k] = sense
            self.origin[k] = (source, loc)
            return
        if old == sense or clash == "keep":
            return
        if clash == "merge_place" and sense.place is not None:
            if (
                old.place is None
                or old.kind in ("capital", "state")
                and old.place.subdivision is None
            ):
                self.senses[k] = Sense(old.kind, old.actor, sense.place, old.holders)
            return
        if old.kind == "person" and sense.kind == "person":
            self.senses[k] = Sense("person", None, None, old.holders + sense.holders)
            return
        first_source, first_loc = self.origin[k]
        first = f"{first_source.path.name}:{first_source.line(first_loc)}"
        raise source.fail(loc, f"alias {alias!r} is already listed (at {first})")


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def _clean_pycountry_names(country: Any) -> Iterator[str]:
    for attr in ("name", "common_name", "official_name"):
        value = getattr(country, attr, None)
        if value and "," not in value and "(" not in value:
            yield value.removeprefix("the ")


def _load_countries(
    directory: Path, builder: _Builder, sectors: frozenset[str]
) -> dict[str, Actor]:
    data, source = read_model(directory / "countries.yaml", _CountriesFile, "gazetteer")
    states: dict[str, Actor] = {}
    for i, entry in enumerate(data.countries):
        loc: tuple[int | str, ...] = ("countries", i)
        iso = pycountry.countries.get(alpha_3=entry.code)
        if entry.iso and iso is None:
            raise source.fail((*loc, "code"), f"{entry.code} is not an ISO 3166-1 alpha-3 code")
        if entry.code in states:
            raise source.fail((*loc, "code"), f"{entry.code} is listed twice")
        name = entry.name or _country_name(entry.code)
        actor = Actor(code=entry.code, name=name)
        states[entry.code] = actor
        place = Location(name=name, country=entry.code)
        for alias in (name, *entry.aliases):
            builder.add(alias, Sense("state", actor, place), source, (*loc, "aliases"))
        for demonym in entry.demonyms:
            sense = Sense("demonym", actor)
            builder.add(demonym, sense, source, (*loc, "demonyms"))
            plural = _plural(demonym)
            if plural:
                builder.add(plural, sense, source, (*loc, "demonyms"), clash="keep")
        government = Actor(code=entry.code, name=name, sector="GOV")
        for capital in entry.capitals:
            city = Location(name=capital, country=entry.code)
            builder.add(capital, Sense("capital", government, city), source, (*loc, "capitals"))
        for seat, sector in entry.seats.items():
            if sector not in sectors:
                raise source.fail((*loc, "seats", seat), f"unknown sector {sector!r}")
            seat_actor = Actor(code=entry.code, name=name, sector=sector)
            builder.add(seat, Sense("seat", seat_actor), source, (*loc, "seats", seat))
    _add_iso_names(builder, states)
    return states


def _add_iso_names(builder: _Builder, states: dict[str, Actor]) -> None:
    """Every other ISO country, by its ISO names; curated names win any clash."""
    auto = Source(Path("pycountry"), "", None)
    for country in pycountry.countries:
        code = country.alpha_3
        if code not in states:
            states[code] = Actor(code=code, name=_country_name(code))
        actor = states[code]
        for alias in _clean_pycountry_names(country):
            sense = Sense("state", actor, Location(name=actor.name, country=code))
            builder.add(alias, sense, auto, (code,), clash="keep")


def _load_orgs(directory: Path, builder: _Builder, sectors: frozenset[str]) -> dict[str, str]:
    data, source = read_model(directory / "organisations.yaml", _OrgsFile, "gazetteer")
    kinds: dict[str, str] = {}
    for i, entry in enumerate(data.organisations):
        loc: tuple[int | str, ...] = ("organisations", i)
        for j, term in enumerate(entry.terms):
            if term.sector is not None and term.sector not in sectors:
                raise source.fail((*loc, "terms", j), f"unknown sector {term.sector!r}")
        if entry.sector is not None and entry.sector not in sectors:
            raise source.fail((*loc, "sector"), f"unknown sector {entry.sector!r}")
        if entry.kind != "group":
            kinds.setdefault(entry.code, entry.kind)
        actor = Actor(code=entry.code, name=entry.name, sector=entry.sector)
        holders = tuple(
            Holder(entry.name, entry.code, t.sector, start=t.start, until=t.until)
            for t in entry.terms
        )
        for alias in entry.aliases:
            builder.add(alias, Sense("org", actor, None, holders), source, (*loc, "aliases"))
    return kinds


def _load_leaders(
    directory: Path, builder: _Builder, sectors: frozenset[str]
) -> dict[tuple[str, str], tuple[Holder, ...]]:
    data, source = read_model(directory / "leaders.yaml", _LeadersFile, "gazetteer")
    offices: dict[tuple[str, str], list[Holder]] = {}
    for i, entry in enumerate(data.leaders):
        loc: tuple[int | str, ...] = ("leaders", i)
        if entry.sector not in sectors:
            raise source.fail((*loc, "sector"), f"unknown sector {entry.sector!r}")
        holder = Holder(
            entry.name, entry.code, entry.sector, entry.office, entry.start, entry.until
        )
        offices.setdefault((entry.code, entry.office), []).append(holder)
        for alias in dict.fromkeys(entry.aliases):
            builder.add(alias, Sense("person", holders=(holder,)), source, (*loc, "aliases"))
    return {k: tuple(v) for k, v in offices.items()}


def _check_subdivision(source: Source, loc: tuple[int | str, ...], code: str) -> Any:
    subdivision = pycountry.subdivisions.get(code=code)
    if subdivision is None:
        raise source.fail(loc, f"{code} is not an ISO 3166-2 subdivision code")
    return subdivision


def _alpha3(alpha2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha2)
    return str(country.alpha_3) if country else alpha2


def _load_places(directory: Path, builder: _Builder) -> None:
    data, source = read_model(directory / "places.yaml", _PlacesFile, "gazetteer")
    for i, entry in enumerate(data.places):
        loc: tuple[int | str, ...] = ("places", i)
        if entry.country and pycountry.countries.get(alpha_3=entry.country) is None:
            raise source.fail((*loc, "country"), f"{entry.country} is not an ISO3 code")
        if entry.subdivision:
            sub = _check_subdivision(source, (*loc, "subdivision"), entry.subdivision)
            if entry.country and _alpha3(sub.country_code) != entry.country:
                msg = f"{entry.subdivision} is not in {entry.country}"
                raise source.fail((*loc, "subdivision"), msg)
        place = Location(name=entry.name, country=entry.country, subdivision=entry.subdivision)
        for alias in entry.aliases:
            builder.add(alias, Sense("place", None, place), source, (*loc, "aliases"),
                        clash="merge_place")  # fmt: skip


# Type words of pycountry's local names, dropped to get the name the news uses.
_TYPE_WORDS = re.compile(
    r"(?:\s+(?:Sheng|Shi|(?:\w+\s+)?Zizhiqu|SAR|oblast|kray|avtonomnyy okrug|okrug|Respublika|"
    r"zupanija|voblasc|Province|Governorate|Region|State|Prefecture|District)|"
    r"-(?:do|gwangyeoksi|teukbyeolsi|teukbyeoljachido))$",
    re.IGNORECASE,
)
_SUFFIXES = (" region", " Region", " province", " Province", " Oblast", " oblast", " Governorate",
             " governorate", " Prefecture", " prefecture", " State", " state", " Krai", " krai",
             " district", " District")  # fmt: skip


def _local_base(name: str) -> str:
    base = _ascii(name)
    base = re.sub(r"\s*[\[(].*?[\])]", "", base)  # "Bender [Tighina]"
    base = base.split(",")[0]  # "Adygeya, Respublika"
    base = re.sub(r"['’‘ʻʼ`]", "", base)
    return _TYPE_WORDS.sub("", base).strip()


def _load_subdivisions(directory: Path, builder: _Builder) -> None:
    data, source = read_model(directory / "subdivisions.yaml", _SubdivisionsFile, "gazetteer")
    no_bare = frozenset(map(key, data.no_bare))
    for i, code in enumerate(data.countries):
        if pycountry.countries.get(alpha_3=code) is None:
            raise source.fail(("countries", i), f"{code} is not an ISO3 code")
    for code in data.names:
        _check_subdivision(source, ("names", code), code)
    wanted = {c: code for code in data.countries if (c := _alpha2(code))}
    generated: dict[str, dict[str, tuple[str, Sense]]] = {}  # key -> subdivision -> sense
    for sub in pycountry.subdivisions:
        if sub.country_code not in wanted and sub.code not in data.names:
            continue
        country = _alpha3(sub.country_code)
        curated = data.names.get(sub.code)
        if curated is not None:
            place = Location(name=curated.name, country=country, subdivision=sub.code)
            sense = Sense("place", None, place)
            loc: tuple[int | str, ...] = ("names", sub.code)
            bases = [curated.name] if curated.bases is None else curated.bases
            for alias in (curated.name, *curated.aliases, *_variants(bases, no_bare)):
                builder.add(alias, sense, source, loc, clash="keep")
            continue
        base = _local_base(sub.name)
        if not base:
            continue
        kind = str(sub.type)
        name = f"{base} {kind}" if kind in ("Province", "Governorate", "Prefecture") else base
        sense = Sense("place", None, Location(name=name, country=country, subdivision=sub.code))
        for alias in _variants([base], no_bare):
            generated.setdefault(key(alias), {}).setdefault(sub.code, (alias, sense))
    auto = Source(Path("pycountry"), "", None)
    for options in generated.values():
        if len({code[:2] for code in options}) == 1:  # shared by two countries: ambiguous
            alias, sense = options[min(options)]
            builder.add(alias, sense, auto, (), clash="keep")


def _alpha2(code: str) -> str | None:
    country = pycountry.countries.get(alpha_3=code)
    return str(country.alpha_2) if country else None


def _variants(bases: Iterable[str], no_bare: frozenset[str]) -> Iterator[str]:
    for base in bases:
        if key(base) not in no_bare:
            yield base
        for suffix in _SUFFIXES:
            yield base + suffix


def _load_sectors(
    directory: Path,
) -> tuple[dict[str, str], dict[str, str], dict[str, frozenset[str]]]:
    data, source = read_model(directory / "sectors.yaml", _SectorsFile, "gazetteer")
    nouns: dict[str, str] = {}
    for sector, words in data.nouns.items():
        if not re.fullmatch(_SECTOR, sector):
            raise source.fail(("nouns", sector), "a sector is three capital letters")
        for word in words:
            if word.lower() in nouns:
                raise source.fail(
                    ("nouns", sector), f"{word!r} already names {nouns[word.lower()]}"
                )
            nouns[word.lower()] = sector
    alone: dict[str, str] = {}
    for sector, words in data.alone.items():
        if sector not in data.nouns:
            raise source.fail(("alone", sector), f"unknown sector {sector!r}")
        alone.update((w.lower(), sector) for w in words)
    titles: dict[str, set[str]] = {}
    for office, words in data.titles.items():
        for word in words:
            titles.setdefault(word.lower(), set()).add(office)
    return nouns, alone, {t: frozenset(o) for t, o in titles.items()}


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The service's gazetteers, loaded on first use and cached for the process."""
    return load(GAZETTEER_DIR)


def load(directory: Path) -> Gazetteer:
    """Every gazetteer file in `directory`, validated and indexed; a bad file raises
    ConfigError naming the file, the line and the entry."""
    nouns, alone, titles = _load_sectors(directory)
    sectors = frozenset(nouns.values())
    builder = _Builder()
    states = _load_countries(directory, builder, sectors)
    org_kinds = _load_orgs(directory, builder, sectors)
    offices = _load_leaders(directory, builder, sectors)
    _load_places(directory, builder)
    _load_subdivisions(directory, builder)
    longest: dict[str, int] = {}
    for k in builder.senses:
        words = k.split(" ")
        longest[words[0]] = max(longest.get(words[0], 0), len(words))
    return Gazetteer(
        senses=builder.senses,
        longest=longest,
        states=states,
        offices=offices,
        nouns=nouns,
        alone=alone,
        titles=titles,
        org_kinds=org_kinds,
        sectors=sectors,
    )


@dataclass(frozen=True)
class WeaponClass:
    """A weapon class and the compiled pattern of everything that names it."""

    name: str
    pattern: re.Pattern[str]
    generic: bool  # only generic descriptions ("ballistic missile"), no named system
    alternatives: str = ""  # the pattern's body, to combine classes into one pattern


@lru_cache(maxsize=1)
def weapon_classes() -> tuple[WeaponClass, ...]:
    """The service's weapon classes, loaded on first use and cached for the process."""
    return load_weapons(GAZETTEER_DIR)


def load_weapons(directory: Path) -> tuple[WeaponClass, ...]:
    """The classes of weapons.yaml, most specific first; a bad file raises ConfigError."""
    data, source = read_model(directory / "weapons.yaml", _WeaponsFile, "gazetteer")
    out: list[WeaponClass] = []
    for i, entry in enumerate(data.weapons):
        systems = [r"[-\s]?".join(map(re.escape, re.split(r"[-\s]+", s))) for s in entry.systems]
        alternatives = sorted([*entry.patterns, *systems], key=len, reverse=True)
        if not alternatives:
            raise source.fail(("weapons", i), "a class needs patterns or systems")
        try:
            pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(alternatives)})(?![\w-])", re.I)
        except re.error as err:
            raise source.fail(("weapons", i, "patterns"), f"bad pattern: {err}") from err
        body = "|".join(alternatives)
        out.append(WeaponClass(entry.weapon_class, pattern, not entry.systems, body))
    return tuple(out)
