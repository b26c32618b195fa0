"""Month and weekday names: every spelling news text uses, and the number each stands for."""

from __future__ import annotations

from datetime import date

from streams.calendar import MONTHS, WEEKDAY_ABBREVIATIONS, WEEKDAYS


def test_every_month_spelling_names_its_month() -> None:
    for number in range(1, 13):
        full = date(2024, number, 1).strftime("%B").lower()  # C locale: English names
        assert MONTHS[full] == number
        assert MONTHS[full[:3]] == number
    assert MONTHS["sept"] == 9
    assert set(MONTHS.values()) == set(range(1, 13))


def test_spellings_are_lower_case_words() -> None:
    spellings = [*MONTHS, *WEEKDAYS, *WEEKDAY_ABBREVIATIONS]
    assert all(s.isalpha() and s == s.lower() for s in spellings)


def test_weekdays_are_in_the_order_of_date_weekday() -> None:
    monday = date(2024, 2, 5)
    for offset, name in enumerate(WEEKDAYS):
        day = date.fromordinal(monday.toordinal() + offset)
        assert WEEKDAYS[day.weekday()] == name == day.strftime("%A").lower()


def test_an_abbreviation_names_the_weekday_it_begins() -> None:
    assert {"tue", "tues", "thu", "thur", "thurs"} <= set(WEEKDAY_ABBREVIATIONS)
    for abbreviation, day in WEEKDAY_ABBREVIATIONS.items():
        assert WEEKDAYS[day].startswith(abbreviation)
    assert set(WEEKDAY_ABBREVIATIONS.values()) == set(range(7))
