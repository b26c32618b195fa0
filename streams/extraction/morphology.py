"""English inflection for trigger lexicons: a lemma's verb forms and a noun's plural."""

from __future__ import annotations

import re

# Form tags: the base, third-person singular, past (or past participle), and -ing form of a
# verb; a noun and its plural both carry "n".
Tag = str
BASE, THIRD, PAST, ING, NOUN = "v", "vs", "ved", "ving", "n"

_VOWELS = "aeiou"
# Past and past participle of the irregular verbs the lexicons use.
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "arise": ("arose", "arisen"),
    "beat": ("beat", "beaten"),
    "begin": ("began", "begun"),
    "blow": ("blew", "blown"),
    "break": ("broke", "broken"),
    "bring": ("brought",),
    "buy": ("bought",),
    "come": ("came",),
    "cut": ("cut",),
    "draw": ("drew", "drawn"),
    "drive": ("drove", "driven"),
    "fight": ("fought",),
    "flee": ("fled",),
    "fly": ("flew", "flown"),
    "forbid": ("forbade", "forbidden"),
    "forgive": ("forgave", "forgiven"),
    "freeze": ("froze", "frozen"),
    "give": ("gave", "given"),
    "go": ("went", "gone"),
    "hit": ("hit",),
    "hold": ("held",),
    "keep": ("kept",),
    "lay": ("laid",),
    "lead": ("led",),
    "lend": ("lent",),
    "make": ("made",),
    "meet": ("met",),
    "overrun": ("overran", "overrun"),
    "overthrow": ("overthrew", "overthrown"),
    "pay": ("paid",),
    "put": ("put",),
    "quit": ("quit",),
    "rise": ("rose", "risen"),
    "run": ("ran", "run"),
    "seek": ("sought",),
    "sell": ("sold",),
    "send": ("sent",),
    "set": ("set",),
    "shoot": ("shot",),
    "shut": ("shut",),
    "slay": ("slew", "slain"),
    "speak": ("spoke", "spoken"),
    "spend": ("spent",),
    "stand": ("stood",),
    "steal": ("stole", "stolen"),
    "strike": ("struck", "stricken"),
    "swear": ("swore", "sworn"),
    "take": ("took", "taken"),
    "tell": ("told",),
    "throw": ("threw", "thrown"),
    "undertake": ("undertook", "undertaken"),
    "uphold": ("upheld",),
    "withdraw": ("withdrew", "withdrawn"),
    "withhold": ("withheld",),
    "write": ("wrote", "written"),
}
# Verbs stressed on a last syllable ending consonant-vowel-consonant double it (admitted).
_DOUBLES = frozenset(
    "abet acquit admit commit compel confer control deter dispel embed equip expel kidnap "
    "extol impel occur omit outstrip patrol permit propel rebel refer regret repel "
    "submit transfer transmit".split()
)
# Verbs in -l that British English doubles and American English does not (cancelled, canceled).
_BRITISH_L = re.compile(r"[^aeiou][aeiou]l$")


def _stem_doubles(word: str) -> bool:
    if word in _DOUBLES:
        return True
    syllables = re.findall(r"[aeiouy]+", word)
    return (
        len(syllables) == 1
        and len(word) >= 3
        and word[-1] not in "aeiouwxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )


def _spellings(word: str) -> list[str]:
    """British and American spellings of -ize words (criticize, criticise)."""
    british = re.sub(r"iz(e|ation)$", r"is\1", word)
    return [word, british] if british != word else [word]


def verb_forms(lemma: str) -> dict[str, Tag]:
    """Every form of a verb, tagged: "call on" inflects its first word, "test-fire" its last."""
    if " " not in lemma and "-" in lemma:
        prefix, _, last = lemma.rpartition("-")
        return {f"{prefix}-{form}": tag for form, tag in verb_forms(last).items()}
    head, sep, rest = lemma.partition(" ")
    forms: dict[str, Tag] = {}
    for word in _spellings(head):
        third = (
            word[:-1] + "ies"
            if word.endswith("y") and word[-2] not in _VOWELS
            else word + "es"
            if re.search(r"(?:s|x|z|ch|sh|o)$", word)
            else word + "s"
        )
        if word.endswith("ie"):
            ing = word[:-2] + "ying"
        elif word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
            ing = word[:-1] + "ing"
        elif _stem_doubles(word):
            ing = word + word[-1] + "ing"
        else:
            ing = word + "ing"
        if word in _IRREGULAR:
            past: tuple[str, ...] = _IRREGULAR[word]
        elif word.endswith("e"):
            past = (word + "d",)
        elif word.endswith("y") and word[-2] not in _VOWELS:
            past = (word[:-1] + "ied",)
        elif _stem_doubles(word):
            past = (word + word[-1] + "ed",)
        else:
            past = (word + "ed",)
        extra: tuple[str, ...] = ()
        if _BRITISH_L.search(word) and len(re.findall(r"[aeiou]+", word)) > 1:
            extra = (word + "led", word + "ling")  # cancelled, travelling
        for form, tag in (
            (word, BASE),
            (third, THIRD),
            *((p, PAST) for p in past),
            (ing, ING),
            *((e, PAST if e.endswith("ed") else ING) for e in extra),
        ):
            forms.setdefault(form + sep + rest if rest else form, tag)
    return forms


def noun_forms(lemma: str) -> dict[str, Tag]:
    """A noun and its plural (for a compound, the plural of its last word)."""
    forms: dict[str, Tag] = {}
    for word in _spellings(lemma):
        if word.endswith("y") and word[-2] not in _VOWELS:
            plural = word[:-1] + "ies"
        elif re.search(r"(?:s|x|z|ch|sh)$", word):
            plural = word + "es"
        else:
            plural = word + "s"
        forms[word] = NOUN
        forms[plural] = NOUN
        if word.endswith("o"):
            forms[word + "es"] = NOUN  # embargoes
    return forms
