"""Caseless patterns find what their re.IGNORECASE form finds, on ASCII text and on any other."""

from __future__ import annotations

import re

import pytest

from streams.extraction.caseless import Caseless, fold

PATTERN = r"\b(?:last (?:year|week)|(?P<day>mon|tues)day|a[a-z]+ ago)\b"
TEXTS = [
    "Talks resumed on MONDAY, a week after LAST WEEK's attack Weeks Ago.",
    "Russia’s Foreign Ministry said on Tuesday it had met “last year”.",  # curly quotes
    "ſince Monday: the ſ matches s only through re.IGNORECASE, ı matches i.",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_finds_the_spans_of_the_ignorecase_pattern(text: str) -> None:
    caseless, reference = Caseless(PATTERN), re.compile(PATTERN, re.IGNORECASE)
    assert [m.span() for m in caseless.finditer(text)] == [
        m.span() for m in reference.finditer(text)
    ]
    for pos in range(len(text) + 1):
        for method in ("search", "match"):
            got = getattr(caseless, method)(text, pos)
            want = getattr(reference, method)(text, pos)
            assert (got and got.span()) == (want and want.span())
    assert len(caseless.findall(text)) == len(reference.findall(text))
    over = caseless.over(text).finditer(fold(text))
    assert [m.span() for m in over] == [m.span() for m in reference.finditer(text)]


def test_groups_are_lower_cased_on_ascii_text() -> None:
    m = Caseless(PATTERN).search("It happened on MONDAY.")
    assert m is not None and m["day"] == "mon"


def test_refuses_a_pattern_with_capitals() -> None:
    with pytest.raises(ValueError, match="lower case"):
        Caseless(r"\bMonday\b")
    Caseless(r"(?P<name>\S+)\W")  # escapes and named groups are no capitals
