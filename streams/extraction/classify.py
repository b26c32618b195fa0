"""Sentence event classification: lexicon triggers, clause-lite syntax, the main event."""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.event import EventType
from streams.extraction.lexicon import HEADS, Entry
from streams.extraction.morphology import ING, NOUN, PAST, Tag, verb_forms

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

# Words after which a verb form is read as a noun or an adjective ("the shelling",
# "the detained journalists", "its deployment").
_DETERMINERS = frozenset(
    "a an the its their his her our this that these those any no every each another "
    "such further new recent latest first second third last fresh".split()
)
# Prepositions make an -ing form a gerund inside a phrase ("accused of shelling").
_PREPOSITIONS = frozenset("of for in on after before from by about over against with".split())
# Words that make the next base or -s form a verb ("will attack", "they attack").
_VERB_CUES = frozenset(
    "to will would could can may might must shall should did do does not never also "
    "jointly formally publicly strongly repeatedly again who which that they it he she we "
    "i you and or later then now still swiftly quickly immediately".split()
)
# What a negated cooperative act becomes: refusing to meet, to help, to yield.
NEGATED_MODE: dict[str, str | None] = {
    "CONSULT": "meet",
    "AID": "assist",
    "COOPERATE": "assist",
    "RETREAT": "yield",
    "CONCEDE": "yield",
    "AGREE": None,
    "SUPPORT": None,
}


def _forms(lemmas: str) -> frozenset[str]:
    return frozenset(f for lemma in lemmas.split() for f in verb_forms(lemma))


# A noun after one of these is what the sentence says was done ("held talks", "imposed a curfew").
_LIGHT = _forms(
    "hold stage launch conduct impose sign reach announce declare order begin start open make "
    "issue call mount lead organize resume continue renew intensify expand give attend join "
    "pass adopt face carry host convene unleash wage deliver extend grant enforce lift erupt "
    "reiterate voice express repeat tighten threaten step put place take go break"
)
# Those that need their particle: "carried out", "stepped up", "took part in", "went on".
_PARTICLE_VERBS = {"out": _forms("carry break"), "up": _forms("step"), "on": _forms("go be"),
                   "under": _forms("put place"), "in": frozenset({"part"})}  # fmt: skip
_NEEDS_PARTICLE = _forms("carry step go put place take break")
_NEGATORS = frozenset("not never no without neither nor cannot".split())
_MODALS = frozenset("will would shall may might could wo 'll ’ll".split())
_MAYBE = frozenset("may might could".split())
_MODAL_FILLERS = frozenset("not never be been have to".split())
_INTENT_VERBS = (
    "plan", "intend", "prepar", "ready", "willing", "decid", "going", "set", "about",
    "expect", "aim", "seek", "want", "hop",
)  # fmt: skip
_BE = frozenset("is are was were".split())
# Words that open a clause setting the scene before the main one ("After the attack, ...").
_FRONT = frozenset(
    "after following before despite amid amidst as when while since although though because "
    "if unless once until during under according".split()
)
# Words that open a clause depending on the main one ("..., after rebels shelled the town").
_TRAIL = frozenset(
    "after following amid amidst despite because since while when before until if unless".split()
)
# A clause after one of these tells what happened before the reported event.
_BEFORE_NOW = frozenset("after following since".split())
_AS_NOT = frozenset(
    "many much well part long soon far of such to if though a an usual expected planned it its "
    "his her their".split()
)
_OVER_NEXT = frozenset("the its his her their a an what alleged report reports claims remarks "
                       "comments".split())  # fmt: skip
_RELATIVE_PRONOUNS = frozenset("who which whom whose".split())
# Every word that may open a dependent clause (and any -ing word, read after a comma).
_CLAUSE_WORDS = _RELATIVE_PRONOUNS | _BEFORE_NOW | _TRAIL | frozenset("as over ahead in so".split())
_RELATIVE_END = re.compile(r",|\s(?:was|were|is|are|has|have|had|will|would)\s", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\s[—–]\s[^—–]*?\s[—–]\s|\([^)]*\)")


@dataclass(frozen=True)
class Trigger:
    """A lexicon entry found in a sentence, read in its clause."""

    entry: Entry
    start: int  # character offsets in the sentence: the head word to the end of its tail
    end: int
    head_end: int
    clause: int  # 0 main clause, 1 a trailing dependent clause, 2 a fronted or embedded one
    verbal: bool  # a verb (or the object of a light verb), not a noun in passing
    negated: bool
    intent: bool  # said as what will, would or may be done ("will withdraw", "plans to")
    firm: bool = False  # and said firmly: "will", "plans to"; not "may" or "could"
    anchor: int = -1  # where its verb starts: the light verb of "declared a ceasefire"

    @property
    def root(self) -> EventType:
        """The PLOVER root of the entry."""
        return self.entry.root

    @property
    def rank(self) -> tuple[int, int, int]:
        """Lower is more central: main clause first, verbs before nouns, then reading order."""
        return (self.clause, 0 if self.verbal else 1, self.start)


class _Sentence:
    """A sentence's words, lower-cased, with their offsets, and its clauses read lazily."""

    def __init__(self, text: str, lowered: str, words: list[str]) -> None:
        self.text = text
        self.lowered = lowered
        self.words = words
        self.spans = [m.span() for m in _WORD.finditer(text)]
        self._regions: list[tuple[int, int, int]] | None = None
        self.context: dict[int, bool] = {}  # context-pattern searches, once per sentence
        self._word_set: frozenset[str] | None = None
        self._windows: dict[int, range] = {}

    @property
    def word_set(self) -> frozenset[str]:
        """The sentence's words as a set, made on first use: most entries need no context."""
        if self._word_set is None:
            self._word_set = frozenset(self.words)
        return self._word_set

    def _fronted_end(self) -> int:
        words, text = self.words, self.text
        first = words[0] if words else ""
        opens = (
            first in _FRONT
            or words[:2] in (["ahead", "of"], ["in", "response"], ["in", "retaliation"])
            or words[:3] == ["in", "the", "wake"]
            or (first.endswith("ing") and text[self.spans[0][0]].isupper())
            or any(w in ("after", "before", "as") for w in words[1:4])
            and any(w.startswith(("day", "hour", "week", "month", "short", "just", "soon", "even"))
                    for w in words[:3])
        )  # fmt: skip
        return text.find(",") + 1 if opens else 0

    def regions(self) -> list[tuple[int, int, int]]:
        """(start, end, clause rank) of the dependent parts of the sentence."""
        if self._regions is not None:
            return self._regions
        text, words, spans = self.text, self.words, self.spans
        out: list[tuple[int, int, int]] = []
        fronted = self._fronted_end()
        if fronted:
            out.append((0, fronted, 2))
        if "(" in text or "—" in text or "–" in text:
            out += [(m.start(), m.end(), 2) for m in _PARENTHETICAL.finditer(text)]
        marks = [i for i, w in enumerate(words) if w in _CLAUSE_WORDS or w.endswith("ing")]
        for i in marks:
            if words[i] in _RELATIVE_PRONOUNS:
                at = spans[i][1]
                end = _RELATIVE_END.search(text, at + 1)
                if end and end.start() <= at + 1:  # "who had ..." reaches the next one
                    end = _RELATIVE_END.search(text, end.end())
                out.append((spans[i][0], end.start() if end else len(text), 2))
        for i in marks:
            if spans[i][0] < fronted or i == 0:
                continue
            word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
            if word in _BEFORE_NOW:  # "weeks after Beijing pledged ...": what led up to it
                out.append((spans[i][0], len(text), 2))
                break
            if (
                word in _TRAIL
                or (word == "as" and nxt not in _AS_NOT)
                or (word == "over" and nxt in _OVER_NEXT)
                or (word == "ahead" and nxt == "of")
                or (word == "in" and nxt in ("response", "retaliation", "protest", "case"))
                or (word == "so" and nxt == "that")
                or (word.endswith("ing") and "," in text[spans[i - 1][1] : spans[i][0]])
            ):
                out.append((spans[i][0], len(text), 1))
                break
        self._regions = out
        return out

    def clause(self, pos: int) -> int:
        regions = self.regions()
        if not regions:
            return 0
        return max((rank for start, end, rank in regions if start <= pos < end), default=0)

    def _window(self, i: int) -> range:
        """Indices of up to five words before word i, not reaching back past a comma."""
        window = self._windows.get(i)  # read for the negation and then the intent of a word
        if window is None:
            stop = self.text.rfind(",", 0, self.spans[i][0]) if i else -1
            first, floor, spans = i, max(0, i - 5), self.spans
            while first > floor and spans[first - 1][0] > stop:
                first -= 1
            window = self._windows[i] = range(i - 1, first - 1, -1)
        return window

    def light_verb(self, i: int) -> int | None:
        """Where a light verb governing the noun at word i starts, if one does."""
        words = self.words
        for j in list(self._window(i))[:4]:
            word = words[j]
            if word in _LIGHT and word not in _NEEDS_PARTICLE:
                return self.spans[j][0]
            verbs = _PARTICLE_VERBS.get(word)
            if verbs and j > 0 and words[j - 1] in verbs:
                return self.spans[j - 1][0]
        return None

    def negated(self, i: int) -> bool:
        words = self.words
        for j in self._window(i):
            word = words[j]
            if word in _NEGATORS or word.endswith(("n't", "n’t")):
                return True
            if word == "to" and j > 0 and words[j - 1] in ("fail", "fails", "failed"):
                return True
        return False

    def intent(self, i: int) -> int:
        """2 when the words before say the act will be done, 1 when it may be, else 0."""
        words = self.words
        for j in self._window(i):
            word = words[j]
            if word in _MODALS:
                return 1 if word in _MAYBE else 2
            if word == "to" and j > 0:
                before = words[j - 1]
                return 2 if before in _BE or before.startswith(_INTENT_VERBS) else 0
            if word not in _MODAL_FILLERS and not word.endswith("ly"):
                return 0
        return 0


def _is_verbal(s: _Sentence, entry: Entry, tag: Tag, i: int) -> int | None:
    """Where the verb reading starts (a light verb before a noun), or None for a noun."""
    start = s.spans[i][0]
    if entry.verbal is not None:
        return start if entry.verbal else None
    prev = s.words[i - 1] if i else ""
    if tag == NOUN or prev in _DETERMINERS or prev.endswith(("'s", "’s")):
        return s.light_verb(i)
    if tag == PAST:
        return start
    # a capitalised word before is a subject ("Russia attacks"), unless a determiner comes
    # first and makes it a modifier ("a Chinese attack")
    capital = i > 0 and s.text[s.spans[i - 1][0]].isupper()
    capital = capital and not (i > 1 and s.words[i - 2] in _DETERMINERS)
    if tag == ING:  # "a Security Council meeting" names a meeting; ", killing 12" reports
        return start if prev not in _PREPOSITIONS and not capital else None
    # base and -s forms are verbs after a subject or a modal, else nouns ("rebel attacks")
    verb = prev in _VERB_CUES or prev.endswith("ly") or (capital and prev != "the")
    return start if verb else None


def words_of(lowered: str) -> list[str]:
    """The words of a lower-cased sentence, as the lexicon looks them up."""
    return _WORD.findall(lowered)


def find_triggers(text: str, words: list[str] | None = None) -> list[Trigger]:
    """Every trigger in a sentence, in text order, minus those inside a longer one."""
    lowered = text.lower()
    words = _WORD.findall(lowered) if words is None else words
    if _HEAD_WORDS.isdisjoint(words):
        return []  # most sentences of a news article: no word starts a trigger
    s = _Sentence(text, lowered, words)
    found: list[Trigger] = []
    for i in [i for i, w in enumerate(words) if w in HEADS]:
        start, head_end = s.spans[i]
        if (found and start < found[-1].end) or text.startswith("March", start):
            continue  # inside a longer trigger, or the month
        for entry, tag in HEADS[words[i]]:
            end = head_end
            if entry.tail is not None:
                m = entry.tail.match(text, end)
                if m is None:
                    continue
                end = m.end()
            if entry.not_after is not None and entry.not_after.match(text, head_end):
                continue
            if not _context_ok(entry, s):
                continue
            anchor = _is_verbal(s, entry, tag, i)
            if anchor is None or anchor == start:
                at = i
            else:  # the light verb before the noun
                at = next(j for j, sp in enumerate(s.spans) if sp[0] == anchor)
            clause = s.clause(start)
            intent = s.intent(at)
            if i and words[i - 1] == "to" and found and found[-1].entry.subtype != "intent":
                clause = max(clause, 1)  # a purpose or complement: "staged rallies to demand"
            found.append(
                Trigger(
                    entry=entry,
                    start=start,
                    end=end,
                    head_end=head_end,
                    clause=clause,
                    verbal=anchor is not None,
                    negated=s.negated(at),
                    intent=intent > 0,
                    firm=intent > 1,
                    anchor=start if anchor is None else anchor,
                )
            )
            break
    return found


_HEAD_WORDS = frozenset(HEADS)


def _context_ok(entry: Entry, s: _Sentence) -> bool:
    for context, wanted in ((entry.needs, True), (entry.unless, False)):
        if context is None:
            continue
        key = id(context)
        if key not in s.context:
            s.context[key] = context.found(s.lowered, s.word_set)
        if s.context[key] is not wanted:
            return False
    return True


def main_trigger(triggers: list[Trigger]) -> Trigger | None:
    """The trigger that reports what the sentence is about: the main clause's first verb."""
    if not triggers:
        return None
    # "is willing to withdraw": the frame only says how the act is meant
    acts = [t for t in triggers if t.entry.subtype != "intent"] or triggers
    best = min(acts, key=lambda t: t.rank)
    if best.negated and best.root not in NEGATED_MODE and best.root != "REJECT":
        # "did not attack" reports no attack; another event may still be reported
        rest = [t for t in acts if not t.negated]
        if rest:
            return min(rest, key=lambda t: t.rank)
    return best


@dataclass(frozen=True)
class Coding:
    """The PLOVER coding of a trigger as read in its sentence."""

    root: EventType
    mode: str | None
    subtype: str


_COOPERATIVE = frozenset({"SUPPORT", "CONSULT", "COOPERATE", "AID", "RETREAT", "CONCEDE"})
_CONFLICTUAL = frozenset({"SANCTION", "COERCE", "MOBILIZE", "ASSAULT", "PROTEST"})
# The mode and subtype of a threat, from the act threatened.
_THREAT_ROOTS: dict[str, tuple[str | None, str]] = {
    "ASSAULT": ("violence", "military_threat"),
    "MOBILIZE": (None, "threat"),
    "COERCE": ("restrict", "threat"),
    "SANCTION": ("restrict", "threat"),
}
_THREAT_SUBTYPES: dict[str, tuple[str | None, str]] = {
    "diplomat_expulsion": ("expel", "threat"),
    "expulsion": ("expel", "threat"),
    "deportation": ("expel", "threat"),
    "severed_relations": ("relations", "threat"),
    "recall_ambassador": ("relations", "threat"),
    "arrest": ("arrest", "threat"),
    "invasion": ("territory", "military_threat"),
}
_CONDITION = re.compile(r"\b(?:unless|if not|or else|otherwise)\b", re.IGNORECASE)
_NUCLEAR_USE = re.compile(
    r"\b(?:nuclear|atomic)\s+(?:weapons?|strikes?|attacks?|war|response|retaliation|arsenal)|"
    r"\bnukes?\b",
    re.IGNORECASE,
)
_JOINT_BEFORE = re.compile(
    r"\b(?:joint|jointly|combined)\b|\b[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?(?:,\s+[A-Z][\w.]+)*,?\s+"
    r"and\s+(?:the\s+)?[A-Z][\w.]+"
)
_JOINT_AFTER = re.compile(r"\W*(?:\S+\s+){0,6}?(?:with|alongside|together with)\s+(?:the\s+)?[A-Z]")


_ASKED_MODES = (  # what is asked for or refused, by the words after the trigger
    ("meet", re.compile(r"\b(?:talks|meet\w*|negotiat\w+|dialogue|summit|visit)\b", re.I)),
    ("yield", re.compile(
        r"\b(?:release|free|withdraw\w*|pull\w* out|resign\w*|step(?:s|ped)? down|ceasefire|"
        r"truce|halt|stop|cease|end|restraint|lift|surrender|hand over|return|leave)\b", re.I)),
    ("assist", re.compile(
        r"\b(?:help|assistance|aid|support|weapons|arms|air defen[cs]es?|supplies|funding|"
        r"loans?|troops|protection|asylum|refuge)\b", re.I)),
    ("change", re.compile(
        r"\b(?:reforms?|change|investigat\w+|inquiry|probe|elections?|policy|law|"
        r"constitution|accountab\w+|recogni[sz]\w+|rights)\b", re.I)),
)  # fmt: skip


def _asked_mode(text: str, after: int) -> str | None:
    """The PLOVER mode of a request or rejection: what is asked for or turned down."""
    rest = text[after : after + 120]
    return next((mode for mode, words in _ASKED_MODES if words.search(rest)), None)


_THREAT_WORDS = (  # what is threatened, when no trigger names it ("threatened to strike Israel")
    ("violence", "military_threat", re.compile(
        r"\b(?:strike|attack|invade|bomb|destroy|war|military action|force|retaliat\w*|hit|"
        r"wipe out|annihilate|crush|shoot down|sink|respond militarily)\b", re.I)),
    ("expel", "threat", re.compile(r"\bexpel\w*\b", re.I)),
    ("relations", "threat", re.compile(
        r"\b(?:cut|sever|break|downgrade)\w*\s+(?:\w+\s+)?(?:ties|relations)\b", re.I)),
    ("restrict", "threat", re.compile(
        r"\b(?:sanction\w*|ban|block|close|restrict\w*|tariffs?|embargo)\b", re.I)),
    ("arrest", "threat", re.compile(r"\b(?:arrest|detain|prosecute|jail)\w*\b", re.I)),
)  # fmt: skip


def _threat(text: str, threatened: Trigger | None, after: int = 0) -> Coding:
    """A threat's mode and subtype come from what is threatened."""
    if _NUCLEAR_USE.search(text, threatened.start if threatened else after):
        return Coding("THREATEN", "violence", "nuclear_threat")
    if threatened is None:
        rest = text[after : after + 100]
        for mode, subtype, words in _THREAT_WORDS:
            if words.search(rest):
                return Coding("THREATEN", mode, subtype)
        return Coding("THREATEN", None, "threat")
    threat_mode, threat_subtype = _THREAT_SUBTYPES.get(
        threatened.entry.subtype, _THREAT_ROOTS.get(threatened.root, (None, "threat"))
    )
    return Coding("THREATEN", threat_mode, threat_subtype)


def coding(text: str, trigger: Trigger, triggers: list[Trigger] | None = None) -> Coding:
    """How PLOVER codes what the trigger reports, read in its sentence.

    A negated act of cooperation is a refusal ("would not hold talks" is REJECT/meet); what an
    actor says it will do is a promise when it helps and a threat when it hurts ("will expel
    the diplomats" is THREATEN/expel); a drill held with another state is cooperation.
    """
    entry = trigger.entry
    if trigger.negated and entry.root in NEGATED_MODE:
        return Coding("REJECT", NEGATED_MODE[entry.root], "refusal")
    if trigger.intent and entry.root in _COOPERATIVE and not _CONDITION.search(text, trigger.end):
        return Coding("AGREE", None, "promise")
    if trigger.intent and entry.root in _COOPERATIVE:  # "will withdraw its force unless ..."
        return Coding("THREATEN", None, "threat")
    if trigger.intent and entry.root in _CONFLICTUAL:
        return _threat(text, trigger)
    if entry.root == "THREATEN":
        after = [t for t in triggers or () if t.start >= trigger.end]
        return _threat(text, after[0] if after else None, trigger.end)
    if entry.root == "ASSAULT" and entry.subtype in ("attack", "killing"):
        # "a suicide bomber killed 14": the killing is the bombing the sentence names
        named = [t.entry for t in triggers or () if t.root == "ASSAULT" and t.entry.subtype
                 not in ("attack", "killing", "destruction")]  # fmt: skip
        if named:
            return Coding("ASSAULT", named[0].mode, named[0].subtype)
    if entry.root in ("REQUEST", "REJECT") and not entry.statement:
        return Coding(entry.root, _asked_mode(text, trigger.end), entry.subtype)
    if (
        entry.subtype == "military_exercise"
        and entry.root == "MOBILIZE"
        and (_JOINT_BEFORE.search(text, 0, trigger.start) or _JOINT_AFTER.match(text, trigger.end))
    ):
        return Coding("COOPERATE", None, "military_exercise")
    return Coding(entry.root, entry.mode, entry.subtype)


def classify_sentence(text: str) -> str | None:
    """The PLOVER root of the sentence's main event, or None when no trigger is found."""
    triggers = find_triggers(text)
    trigger = main_trigger(triggers)
    return coding(text, trigger, triggers).root if trigger else None
