"""Coding a frame's parties: the gazetteer names inside each phrase the parse found."""

from __future__ import annotations

from dataclasses import dataclass

from schemas import Actor
from streams.extraction.entities import EntityMention
from streams.extraction.frames import Party
from streams.extraction.gazetteer import gazetteer


@dataclass(frozen=True)
class Coded:
    """One phrase's parties as codes, and what kind of name each was read from."""

    actors: list[Actor]
    kinds: list[str]


def _inside(e: EntityMention, party: Party) -> bool:
    return e.start < party.end and party.start < e.end


def code_party(party: Party, entities: list[EntityMention], *, targets: bool) -> Coded:
    """The actors a phrase names, in text order. A place stands for its state only as a
    target ("shelled Kharkiv": Ukraine); as an agent a place names nobody."""
    ordered = [e for e in entities if _inside(e, party)]  # in text order
    # every name the phrase holds: its head's ("Russia's foreign ministry") and those joined
    # to it ("Leaders of Japan, South Korea and Australia", "South Korean and Japanese leaders")
    named = [e for e in ordered if e.actor is not None]
    if named:
        return Coded([e.actor for e in named if e.actor], [e.kind or "name" for e in named])
    if targets:
        states = gazetteer().states
        for e in ordered:
            if e.place is not None and e.place.country in states:
                return Coded([states[e.place.country]], ["place"])
    if party.pronoun:
        return Coded([], ["pronoun"])
    return Coded([], ["propn" if party.pos == "PROPN" else "noun"])


def code_parties(
    parties: tuple[Party, ...], entities: list[EntityMention], *, targets: bool
) -> Coded:
    """Every phrase's actors, once each, in order."""
    actors: list[Actor] = []
    kinds: list[str] = []
    for party in parties:
        coded = code_party(party, entities, targets=targets)
        kinds += coded.kinds
        for actor in coded.actors:
            if all(actor.code != a.code or actor.sector != a.sector for a in actors):
                actors.append(actor)
    return Coded(actors, kinds)
