"""Month and weekday names as news text writes them, in lower case, with their numbers."""

from __future__ import annotations

_MONTH_SPELLINGS = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep", "sept"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)

MONTHS: dict[str, int] = {
    spelling: number
    for number, spellings in enumerate(_MONTH_SPELLINGS, start=1)
    for spelling in spellings
}
"""Every spelling of a month, full or abbreviated ("september", "sep", "sept") -> 1 to 12."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The weekdays' full names, Monday first: `WEEKDAYS[day.weekday()]` names a date's day."""

WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
"""The weekdays' abbreviations ("tues", "thurs") -> the day's index in WEEKDAYS."""
