"""Actors and locations read from sentences the tests write themselves (roles are read from
the parse: tests/unit/extraction/test_frames.py)."""

from __future__ import annotations

from datetime import date

import pytest

from schemas import Actor, Location
from streams.extraction.entities import EntityMention, find_entities, locate


def actors(sentence: str, on: date | None = None) -> list[tuple[str, str | None]]:
    return [(e.actor.code, e.actor.sector) for e in find_entities(sentence, on) if e.actor]


def mention(sentence: str, text: str, on: date | None = None) -> EntityMention:
    return next(e for e in find_entities(sentence, on) if e.text == text)


# --- actors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Pyongyang fired a missile.", [("PRK", "GOV")]),
        ("The Kremlin rejected the offer.", [("RUS", "GOV")]),
        ("Seoul and Washington responded.", [("KOR", "GOV"), ("USA", "GOV")]),
        ("Downing Street said nothing.", [("GBR", "GOV")]),
        ("The Pentagon confirmed the deployment.", [("USA", "MIL")]),
        ("The North Korean statement was brief.", [("PRK", None)]),
        ("The U.S. ambassador left.", [("USA", "GOV")]),
        ("Burkina Faso and Côte d'Ivoire signed.", [("BFA", None), ("CIV", None)]),
        ("Tuvalu protested.", [("TUV", None)]),  # any ISO country, by pycountry
        ("South Sudan and Sudan met.", [("SSD", None), ("SDN", None)]),  # longest name wins
    ],
)
def test_states_from_names_demonyms_capitals_and_seats(
    sentence: str, expected: list[tuple[str, str | None]]
) -> None:
    assert actors(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("North Korean troops crossed the border.", ("PRK", "MIL")),
        ("Ukrainian lawmakers approved the bill.", ("UKR", "LEG")),
        ("Russia's Foreign Ministry protested.", ("RUS", "GOV")),
        ("Israeli security forces raided the camp.", ("ISR", "MIL")),
        ("Sudanese rebels shelled the town.", ("SDN", "REB")),
        ("Iranian protesters gathered.", ("IRN", "CVL")),
        ("Egyptian police dispersed them.", ("EGY", "COP")),
        ("The government of Iraq objected.", ("IRQ", "GOV")),
        ("UN peacekeepers withdrew.", ("UNO", "MIL")),
    ],
)
def test_sector_where_the_text_says_it(sentence: str, expected: tuple[str, str]) -> None:
    assert expected in actors(sentence)


def test_a_sector_word_alone_is_a_group_and_takes_the_state_after_in() -> None:
    assert actors("Rebels attacked a convoy.") == [("REB", "REB")]
    assert actors("Protesters in Tehran clashed with police.")[0] == ("IRN", "CVL")
    assert ("CVL", "CVL") in actors("Civilians fled the town.")


def test_the_noun_after_a_list_of_demonyms_is_every_ones_sector() -> None:
    assert actors("Senior Hungarian and Romanian officials met.") == [
        ("HUN", "GOV"),
        ("ROU", "GOV"),
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The United Nations called for calm.", ("UNO", None)),
        ("The U.N. Security Council met.", ("UNO", "GOV")),
        ("NATO allies agreed.", ("NATO", None)),
        ("The EU imposed sanctions.", ("EUR", None)),
        ("The African Union sent envoys.", ("AU", None)),
        ("ASEAN ministers met.", ("ASEAN", "GOV")),
        ("The IAEA inspected the site.", ("IAEA", None)),
        ("OPEC cut output.", ("OPEC", None)),
        ("The WHO declared an emergency.", ("WHO", None)),
        ("Hamas fired rockets.", ("PSE", "REB")),
        ("Hezbollah fighters crossed.", ("LBN", "REB")),
    ],
)
def test_international_bodies_and_groups(sentence: str, expected: tuple[str, str | None]) -> None:
    assert actors(sentence)[0] == expected


def test_leaders_by_name_or_title_resolve_for_the_date() -> None:
    biden = mention("President Biden spoke.", "President Biden", date(2024, 2, 6))
    assert biden.actor == Actor(code="USA", name="Joe Biden", sector="GOV")
    kim = mention("Kim Jong Un watched the launch.", "Kim Jong Un", date(2023, 7, 12))
    assert kim.actor == Actor(code="PRK", name="Kim Jong Un", sector="GOV")
    title = mention("The U.S. president spoke.", "U.S. president", date(2024, 2, 6))
    assert title.actor == Actor(code="USA", name="Joe Biden", sector="GOV")
    later = mention("The U.S. president spoke.", "U.S. president", date(2017, 3, 1))
    assert later.actor is not None and later.actor.name == "Donald Trump"


def test_a_leader_out_of_office_codes_the_state_without_a_sector() -> None:
    trump = mention("Trump criticised the plan.", "Trump", date(2022, 5, 1))
    assert trump.actor == Actor(code="USA", name="Donald Trump", sector=None)
    assert actors("Putin spoke.", date(1995, 1, 1)) == [("RUS", None)]
    # the same name held by two people: the one in office on the day
    assert mention("Bush met Blair.", "Bush", date(2003, 1, 1)).actor == Actor(
        code="USA", name="George W. Bush", sector="GOV"
    )
    former = mention("Former President Obama spoke.", "President Obama")
    assert former.actor == Actor(code="USA", name="Barack Obama", sector=None)


def test_a_title_and_a_state_before_a_name_are_one_mention() -> None:
    found = find_entities("Russian President Vladimir Putin met Chinese leader Xi Jinping.")
    assert [e.text for e in found] == [
        "Russian President Vladimir Putin",
        "Chinese leader Xi Jinping",
    ]
    assert [(e.actor.code, e.actor.sector) for e in found if e.actor] == [
        ("RUS", "GOV"),
        ("CHN", "GOV"),
    ]


def test_groups_whose_role_changed_follow_the_date() -> None:
    assert actors("The Taliban attacked a post.", date(2010, 1, 1)) == [("AFG", "REB")]
    assert actors("The Taliban banned the protest.", date(2022, 12, 1)) == [("AFG", "GOV")]


def test_a_capital_is_both_actor_and_place_and_offsets_index_the_sentence() -> None:
    sentence = "Officials in Seoul said Pyongyang fired."
    seoul = mention(sentence, "Seoul")
    assert seoul.place == Location(name="Seoul", country="KOR", subdivision="KR-11")
    assert seoul.actor is not None and seoul.actor.code == "KOR"
    for e in find_entities(sentence):
        assert sentence[e.start : e.end] == e.text


def test_lookalike_words_are_not_states() -> None:
    assert actors("Let us talk about it, said the turkey farmer in may.") == []
    assert actors("The U.S.-backed rebels advanced.")[0] == ("USA", None)  # named, not a party


# --- locations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Troops were seen in the Kursk region on Monday.",
            Location(name="Kursk Oblast", country="RUS", subdivision="RU-KRS"),
        ),
        (
            "Fighting continued in Kursk Oblast.",
            Location(name="Kursk Oblast", country="RUS", subdivision="RU-KRS"),
        ),
        (
            "Shelling hit towns in Russia's Kursk region.",
            Location(name="Kursk Oblast", country="RUS", subdivision="RU-KRS"),
        ),
        (
            "Drones struck near Kursk.",
            Location(name="Kursk Oblast", country="RUS", subdivision="RU-KRS"),
        ),
        (
            "Clashes erupted in the Donetsk region.",
            Location(name="Donetsk Oblast", country="UKR", subdivision="UA-14"),
        ),
        (
            "A missile hit an apartment block in Kharkiv.",
            Location(name="Kharkiv", country="UKR", subdivision="UA-63"),
        ),
        ("Air strikes pounded Gaza again.", Location(name="Gaza Strip", country="PSE")),
        (
            "Exercises were held in Crimea.",
            Location(name="Crimea", country="UKR", subdivision="UA-43"),
        ),
        (
            "The missile fell into the Sea of Japan.",
            Location(name="Sea of Japan"),
        ),
        (
            "Talks took place in Seoul.",
            Location(name="Seoul", country="KOR", subdivision="KR-11"),
        ),
        (
            "Protests spread across Herat province.",
            Location(name="Herat Province", country="AFG", subdivision="AF-HER"),
        ),
    ],
)
def test_locate(sentence: str, expected: Location) -> None:
    assert locate(sentence, find_entities(sentence)) == expected


def test_a_capital_acting_is_not_where_it_happens() -> None:
    sentence = "Pyongyang fired two missiles on Thursday."
    assert locate(sentence, find_entities(sentence)) is None


def test_ambiguous_names_keep_their_main_sense() -> None:
    georgia = mention("Russia and Georgia signed.", "Georgia")
    assert georgia.actor is not None and georgia.actor.code == "GEO"
    washington = mention("Washington said no.", "Washington")
    assert washington.actor is not None and washington.actor.code == "USA"
    assert washington.place is not None and washington.place.subdivision == "US-DC"
    # "Punjab" names a province of India and of Pakistan: neither, alone
    assert find_entities("Floods hit Punjab.") == []
