"""Datelines: what each reader takes for one, and text none of them takes for one."""

from __future__ import annotations

import pytest

from streams.datelines import FIRST_LINE_DATELINE, PARAGRAPH_DATELINE, WIRE_DATELINE

# A story's first words, after each dateline below.
TEXT = "Officials said on Monday that talks would resume."


@pytest.mark.parametrize(
    ("dateline", "place", "details", "agency"),
    [
        ("ST. LOUIS (AP) — ", "ST. LOUIS", "", "AP"),
        ("WINSTON-SALEM, N.C. (AP) -- ", "WINSTON-SALEM", ", N.C.", "AP"),
        ("SEOUL, South Korea (Harbor Wire) — ", "SEOUL", ", South Korea", "Harbor Wire"),
        (
            "MOGADISHU, Somalia, Oct. 29 (Horn Observer) — ",
            "MOGADISHU",
            ", Somalia, Oct. 29",
            "Horn Observer",
        ),
        ("ADDIS ABABA, May 15 (Xinhua) – ", "ADDIS ABABA", ", May 15", "Xinhua"),
        ("BOGOTÁ (Andes Report) — ", "BOGOTÁ", "", "Andes Report"),
        ("ST. MARTIN'S BAY (Coastal Press) - ", "ST. MARTIN'S BAY", "", "Coastal Press"),
        ("  PARIS (Reuters)—", "PARIS", "", "Reuters"),
    ],
)
def test_wire_copy_splits_at_each_dateline_form(
    dateline: str, place: str, details: str, agency: str
) -> None:
    m = WIRE_DATELINE.match(dateline + TEXT)
    assert m is not None
    assert (m["place"], m["details"], m["agency"]) == (place, details, agency)
    assert m.end() == len(dateline)


def test_a_wire_dateline_opens_any_line_of_the_copy() -> None:
    copy = f"OSLO (NTB) — {TEXT}\nMore of it (here) — and on.\nBERGEN (NTB) — {TEXT}"
    assert [m["place"] for m in WIRE_DATELINE.finditer(copy)] == ["OSLO", "BERGEN"]


@pytest.mark.parametrize(
    "line",
    [
        "NORTH KOREA FIRES MISSILE OVER JAPAN",  # an all-caps headline
        "NORTH KOREA FIRES MISSILE OVER JAPAN (UPDATED)",
        "NATO (the alliance) said on Monday it would send more jets.",  # an acronym
        "U.S. officials (speaking anonymously) — said the talks would resume.",
        "EU ministers met in Brussels (AP) — a first since June.",
        "Seoul (AP) — " + TEXT,  # a place in lower case
        "OSLO (NTB)-" + TEXT,  # a hyphen with no space is a word's
        "WINSTON-SALEM (AP)" + TEXT,
        "OSLO(NTB) — " + TEXT,
        "Officials from the UN (and NATO) — said little.",
    ],
)
def test_wire_copy_does_not_split_elsewhere(line: str) -> None:
    assert WIRE_DATELINE.search(line) is None


@pytest.mark.parametrize(
    "dateline",
    [
        "ST. LOUIS (AP) — ",
        "SEOUL, South Korea, Nov. 16 (Harbor Wire) — ",
        "COX’S BAZAR, Bangladesh (AP) — ",
        "SEOUL(AP)-",  # the looser forms bodies from other feeds carry
        "KYIV (Steppe Herald) —- ",
        "OSLO (NTB)\n— ",
    ],
)
def test_extraction_skips_a_dateline_opening_a_paragraph(dateline: str) -> None:
    body = f"First paragraph.\n\n{dateline}{TEXT}"
    start = body.index(dateline)
    m = PARAGRAPH_DATELINE.match(body, start)
    assert m is not None and m.end() == len(body) - len(TEXT)


@pytest.mark.parametrize(
    "opening",
    [
        "NORTH KOREA FIRES MISSILE OVER JAPAN",
        "NATO (the alliance) said on Monday it would send more jets.",
        "U.S. officials (speaking anonymously) — said the talks would resume.",
        "UN officials (in Geneva) — and others — met.",
        "Seoul (AP) — " + TEXT,
        "SEOUL, and a detail far too long to be a dateline's (AP) — " + TEXT,
    ],
)
def test_extraction_reads_other_openings_as_sentences(opening: str) -> None:
    assert PARAGRAPH_DATELINE.match(opening) is None


@pytest.mark.parametrize(
    "lead",
    [
        "ST. LOUIS (AP) — ",
        "Seoul (AP) — ",
        "Reuters KHARTOUM (Reuters) -- ",
        "Mannheim , Germany ( Sports Network ) - ",
        "date 2026-11-10 SEOUL (Harbor Wire) — ",
        "U.S. officials (speaking anonymously) — ",
    ],
)
def test_near_copies_drop_whatever_leads_the_first_line_up_to_a_source(lead: str) -> None:
    assert FIRST_LINE_DATELINE.sub("", lead + TEXT, count=1) == TEXT


@pytest.mark.parametrize(
    "body",
    [
        "NORTH KOREA FIRES MISSILE OVER JAPAN\n" + TEXT,
        "North Korea (DPRK) fired a missile on Monday.",  # no dash after the parentheses
        "Headline of the story\nSEOUL (AP) — " + TEXT,  # not on the first line
        "A first line that runs on for more than eighty characters before it comes to a source, "
        "(AP) — " + TEXT,
        "SEOUL (an agency with a name longer than forty letters) — " + TEXT,
    ],
)
def test_near_copies_keep_a_body_that_opens_otherwise(body: str) -> None:
    assert FIRST_LINE_DATELINE.match(body) is None
