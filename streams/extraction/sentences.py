"""Sentences of an article body: where each starts and ends, datelines left out."""

from __future__ import annotations

import re
from collections.abc import Iterator

from streams.datelines import PARAGRAPH_DATELINE

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)]*(?=\s+[\"'“‘(]*[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Capt|Sgt|Adm|Sen|Rep|Gov|St|No|Jr|"
    r"Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)|(?<![\w.])[A-Z])\.$"
)
_ACRONYM = re.compile(r"(?:\b[A-Za-z]\.){2,}$")
# Capitalised words that continue a sentence after "U.S." or "U.N."; any other starts a new one.
_ACRONYM_CONTINUES = re.compile(
    r"\s+(?:President|Secretary|Ambassador|Embassy|Army|Navy|Air|Forces|Marines|Department|"
    r"State|Defense|Treasury|Congress|Senate|House|Security|Special|Envoy|Deputy|Vice|Trade|"
    r"Command|General|Agency|Coast|Mission|Representative|Officials?)\b"
)


def sentences(body: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in body, skipping datelines, which name no actor."""
    bounds = [0, *(p for m in _PARAGRAPH_BREAK.finditer(body) for p in m.span()), len(body)]
    spans: list[tuple[int, int]] = []
    for par_start, par_end in zip(bounds[::2], bounds[1::2], strict=True):
        dateline = PARAGRAPH_DATELINE.match(body, par_start, par_end)
        pos = dateline.end() if dateline else par_start
        for m in _BOUNDARY.finditer(body, pos, par_end):
            # An abbreviation or an acronym ends at the dot: read the few characters before it,
            # not the whole sentence so far (the words before `pos` are no part of either).
            dot = m.start()
            if body[dot] == "." and (
                _ABBREVIATION.search(body, max(pos, dot - 8), dot + 1)
                or (
                    _ACRONYM.search(body, max(pos, dot - 3), dot + 1)
                    and _ACRONYM_CONTINUES.match(body, m.end())
                )
            ):
                continue
            spans.append((pos, m.end()))
            pos = m.end()
        spans.append((pos, par_end))
    for start, end in spans:  # trim the whitespace between sentences off each
        text = body[start:end]
        trimmed = text.lstrip()
        if trimmed:
            yield start + len(text) - len(trimmed), start + len(text.rstrip())
