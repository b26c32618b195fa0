"""Quantities with unit and qualifier, and weapon classes, read from written sentences."""

from __future__ import annotations

import pytest

from streams.extraction.figures import quantities, weapon


def q(sentence: str) -> list[tuple[float, str, str]]:
    return [(x.value, x.unit, x.qualifier) for x in quantities(sentence)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Some 8,000 North Korean soldiers are in Kursk.", [(8000, "troops", "approximately")]),
        ("Up to 12,000 troops could follow.", [(12000, "troops", "at_most")]),
        ("At least 30 killed in the strike.", [(30, "killed", "at_least")]),
        ("More than 100 people were killed.", [(100, "killed", "more_than")]),
        ("Nearly 1.5 million people have been displaced.", [(1.5e6, "displaced", "approximately")]),
        ("About 20 people were wounded.", [(20, "injured", "approximately")]),
        (
            "Around 300 troops, roughly 40 tanks.",
            [(300, "troops", "approximately"), (40, "tanks", "approximately")],
        ),
        ("An estimated 3,000 protesters marched.", [(3000, "protesters", "approximately")]),
        ("It fired three ballistic missiles.", [(3, "missiles", "exact")]),
        ("Twenty-five soldiers were captured.", [(25, "troops", "exact")]),
        ("Over 40 drones were shot down.", [(40, "drones", "more_than")]),
        ("Police arrested 12 people.", [(12, "arrested", "exact")]),
        (
            "The blast killed 7 civilians and wounded 19.",
            [(7, "killed", "exact"), (19, "injured", "exact")],
        ),
        ("Dozens of people were injured.", [(24, "injured", "at_least")]),
        ("Hundreds of protesters gathered.", [(200, "protesters", "at_least")]),
        ("Tens of thousands of refugees fled.", [(20000, "refugees", "at_least")]),
        ("A dozen warplanes took part.", [(12, "aircraft", "approximately")]),
        ("The death toll rose to 45 on Friday.", [(45, "killed", "exact")]),
        ("No fewer than 50 rockets were fired.", [(50, "missiles", "at_least")]),
        ("Fewer than 200 soldiers remain.", [(200, "troops", "at_most")]),
    ],
)
def test_quantities(sentence: str, expected: list[tuple[float, str, str]]) -> None:
    assert q(sentence) == expected


def test_quantities_keep_the_words_they_were_read_from() -> None:
    (found,) = quantities("Some 8,000 North Korean soldiers are in Kursk.")
    assert found.text == "Some 8,000 North Korean soldiers"


@pytest.mark.parametrize(
    "sentence",
    [
        "The war began in 2022 when troops crossed.",  # a year, not a count
        "It launched a Hwasong-18 missile.",  # a model number
        "F-16 jets flew over.",
        "The aid package is worth 5.1 million dollars.",  # no unit we count
    ],
)
def test_numbers_that_count_nothing(sentence: str) -> None:
    assert q(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("North Korea launched a Hwasong-18 on Thursday.", "ICBM"),
        ("It test-fired a Hwasong 17 intercontinental ballistic missile.", "ICBM"),
        ("A submarine-launched ballistic missile was fired.", "SLBM"),
        ("It tested a Pukguksong-3.", "SLBM"),
        ("Russia used a Kinzhal against Kyiv.", "hypersonic"),
        ("A hypersonic glide vehicle was tested.", "hypersonic"),
        ("The IRBM flew over Japan.", "IRBM"),
        ("Iran fired a Shahab-3.", "MRBM"),
        ("Iskander missiles were moved to Belarus.", "SRBM"),
        ("Ukraine fired ATACMS into Russia.", "SRBM"),
        ("Tomahawk cruise missiles struck the base.", "cruise"),
        ("Kalibr missiles were launched from the Black Sea.", "cruise"),
        ("A ballistic missile landed at sea.", "ballistic"),
        ("A ballistic missile, days after its SRBM test.", "SRBM"),  # specific beats generic
        ("Shahed drones attacked Odesa.", "drone"),
        ("The talks ended without a deal.", None),
    ],
)
def test_weapon_class(sentence: str, expected: str | None) -> None:
    assert weapon(sentence) == expected


def test_the_first_named_weapon_wins() -> None:
    assert weapon("After a cruise missile test, it fired an ICBM.") == "cruise"
