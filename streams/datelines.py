"""Datelines, the "SEOUL, South Korea (AP) —" a wire story opens with, as each reader reads one.

A dateline writes a place in capitals, details after commas (a region, a date or both), the
agency in parentheses and a dash: "MOGADISHU, Somalia, Oct. 29 (Horn Observer) — ". Three
readers look for one, each as strictly as a wrong reading costs it, so there are three
patterns: splitting wire copy (WIRE_DATELINE), skipping one at a paragraph's start
(PARAGRAPH_DATELINE) and dropping one before near-copy shingling (FIRST_LINE_DATELINE).
"""

from __future__ import annotations

import re

# The parts as wire copy writes them.
_CAPITALS = "A-ZÀ-ÖØ-Þ"
_PLACE = rf"[{_CAPITALS}][{_CAPITALS} .'\-]*[{_CAPITALS}.]"  # "ST. LOUIS", "WINSTON-SALEM"
_DETAILS = r"(?:,[ \t]+[^\s,()][^,()\n]*?)*"  # ", South Korea", ", Oct. 29": none or several
_AGENCY = r"[^()\n]{1,80}"
# An em or en dash, or a spaced "--" or "-": an unspaced hyphen is a word's ("WINSTON-SALEM").
_DASH = r"[ \t]*[—–][ \t]*|[ \t]+--?[ \t]+"

WIRE_DATELINE = re.compile(
    rf"^[ \t]*(?P<place>{_PLACE})(?P<details>{_DETAILS})[ \t]+\((?P<agency>{_AGENCY})\)"
    rf"(?P<dash>{_DASH})",
    re.MULTILINE,
)
"""A line of wire copy that opens a story, with the groups place, details, agency and dash.

Wire copy is split into articles there, so text wrongly taken for a dateline cuts an article
in two: every part is held to its form, and the agency is spaced off the place.
"""

# Looser parts, for a dateline at a text's start only.
_LOOSE_PLACE = r"[A-Z][A-Z.'’ -]+"  # ASCII capitals; "COX’S BAZAR" too
_LOOSE_DETAILS = r"(?:,[^(\n]{1,40})?"  # all the details after the first comma, at most 40
_LOOSE_DASH = r"\s*[—–-]+\s*"  # any run of dashes, spaced or not ("(AP)-"), and the space after


def _opening(before_agency: str, agency_length: int) -> re.Pattern[str]:
    """A dateline opening a text: `before_agency`, an agency of up to `agency_length`
    characters in parentheses, and any dash."""
    return re.compile(rf"{before_agency}\([^)\n]{{1,{agency_length}}}\){_LOOSE_DASH}")


PARAGRAPH_DATELINE = _opening(rf"{_LOOSE_PLACE}{_LOOSE_DETAILS}\s*", 60)
"""A dateline at the start of a paragraph, which extraction skips: its place names no actor.

Read at a paragraph's start only, where a wrong reading skips a few words rather than
splitting an article, it takes the looser forms bodies from other feeds carry: "SEOUL(AP)-",
any run of dashes, details of up to 40 characters. Unlike WIRE_DATELINE's, its place takes no
accented capital ("BOGOTÁ" stays in the sentence) and its agency at most 60 characters:
widening either changes what extraction reads.
"""

FIRST_LINE_DATELINE = _opening(r"\A[^\n]{0,80}?", 40)
"""Whatever leads a text's first line, up to 80 characters, before an agency and a dash.

Near-copies drop it before shingling, so copies of one text under different datelines (one
in lower case, one after a byline) compare alike; dropping a few words too many costs little.
Signatures are kept in stored state, so what it takes must not change (tests/unit/test_ids.py).
"""
