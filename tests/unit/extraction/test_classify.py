"""Unit tests of the sentence classifier: lexicon, inflection, clauses, and held-out quality."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import get_args

import pytest

from geolab.events import run
from schemas.event import MODES, EventType
from streams.extraction.classify import classify_sentence, coding, find_triggers, main_trigger
from streams.extraction.lexicon import HEADS, LEXICON
from streams.extraction.morphology import noun_forms, verb_forms

HELDOUT = Path(__file__).resolve().parents[2] / "fixtures" / "events_heldout.jsonl"

# --- inflection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("agree", {"agree", "agrees", "agreed", "agreeing"}),
        ("ban", {"ban", "bans", "banned", "banning"}),
        ("visit", {"visit", "visits", "visited", "visiting"}),
        ("deny", {"deny", "denies", "denied", "denying"}),
        ("expel", {"expel", "expels", "expelled", "expelling"}),
        ("meet", {"meet", "meets", "met", "meeting"}),
        ("withdraw", {"withdraw", "withdraws", "withdrew", "withdrawn", "withdrawing"}),
        ("test-fire", {"test-fire", "test-fires", "test-fired", "test-firing"}),
        ("cancel", {"cancel", "cancels", "canceled", "cancelled", "canceling", "cancelling"}),
    ],
)
def test_verbs_inflect_regularly_and_irregularly(lemma: str, forms: set[str]) -> None:
    assert set(verb_forms(lemma)) == forms


def test_ize_verbs_and_nouns_have_both_spellings() -> None:
    assert {"criticise", "criticised", "criticize", "criticized"} <= set(verb_forms("criticize"))
    assert set(noun_forms("mobilization")) >= {"mobilisation", "mobilizations"}
    assert set(noun_forms("embargo")) >= {"embargoes", "embargos"}


# --- the lexicon ---------------------------------------------------------------------------


def test_every_root_has_triggers_and_every_mode_is_plover() -> None:
    roots = {entry.root for _, entry in LEXICON}
    assert roots == set(get_args(EventType))
    for _, entry in LEXICON:
        assert entry.mode is None or entry.mode in MODES[entry.root], entry
        assert 0 < entry.weight <= 1


def test_narrower_readings_are_tried_first() -> None:
    # "withdrew its ambassador" is a sanction before it is a retreat
    roots = [entry.root for entry, _ in HEADS["withdrew"]]
    assert roots.index("SANCTION") < roots.index("RETREAT")
    assert [e.specific for e, _ in HEADS["strike"]] == sorted(
        (e.specific for e, _ in HEADS["strike"]), reverse=True
    )


# --- reading a sentence --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "root"),
    [
        # reporting verbs report; the act is what they say
        ("The ministry said rebels attacked a checkpoint near the border.", "ASSAULT"),
        # a speech act governs what it reports
        ("Ukraine accused Russia of shelling a power plant.", "ACCUSE"),
        ("The council urged both sides to withdraw their forces.", "REQUEST"),
        ("Britain condemned the airstrike on the hospital.", "ACCUSE"),
        # a negated act of cooperation is a refusal
        ("Iran said it would not hold talks with the United States.", "REJECT"),
        # what an actor says it will do: a promise when it helps, a threat when it hurts
        ("Syria said it was willing to withdraw its troops from Lebanon.", "AGREE"),
        ("The government announced it would impose a curfew in the capital.", "THREATEN"),
        ("Nigeria said it would withdraw its force unless the rebels disarmed.", "THREATEN"),
        # "must" demands
        ("The president said the militias must hand over their weapons.", "REQUEST"),
        # an opening clause sets the scene; the main clause reports
        ("After the attack, Kenya expelled two diplomats.", "SANCTION"),
        ("Facing mass strikes, the government backed down on the reform.", "CONCEDE"),
        # a drill with another state is cooperation, alone a show of force
        ("Russia and China held naval drills in the Sea of Japan.", "COOPERATE"),
        ("China's navy staged live-fire drills off Fujian.", "MOBILIZE"),
        # the object decides: sanctions lifted are a concession, a statement released no release
        ("Washington lifted sanctions on Venezuela's oil sector.", "CONCEDE"),
        ("Rebels released 30 hostages on Sunday.", "RETREAT"),
        ("Pyongyang released a statement criticising the drills.", "ACCUSE"),
    ],
)
def test_main_event_of_a_sentence(sentence: str, root: str) -> None:
    assert classify_sentence(sentence) == root


def test_no_trigger_names_no_root() -> None:
    assert classify_sentence("The weather in Geneva was mild on Tuesday.") is None
    assert find_triggers("The weather in Geneva was mild on Tuesday.") == []


def test_a_trigger_inside_a_longer_one_is_not_read_again() -> None:
    sentence = "Armenia and Azerbaijan signed a ceasefire agreement on Friday."
    triggers = find_triggers(sentence)
    assert [(t.root, t.entry.subtype) for t in triggers] == [("AGREE", "peace_agreement")]


@pytest.mark.parametrize(
    ("sentence", "mode", "subtype"),
    [
        ("Iran threatened to strike Israel.", "violence", "military_threat"),
        ("Russia threatened to use nuclear weapons.", "violence", "nuclear_threat"),
        ("Moscow threatened to expel Western diplomats.", "expel", "threat"),
        ("Turkey threatened to cut diplomatic ties with the Netherlands.", "relations", "threat"),
    ],
)
def test_a_threat_is_coded_by_what_it_threatens(sentence: str, mode: str, subtype: str) -> None:
    triggers = find_triggers(sentence)
    main = main_trigger(triggers)
    assert main is not None
    code = coding(sentence, main, triggers)
    assert (code.root, code.mode, code.subtype) == ("THREATEN", mode, subtype)


@pytest.mark.parametrize(
    ("sentence", "mode"),
    [
        ("The U.N. urged Russia to release the detained sailors.", "yield"),
        ("Ukraine asked its allies for more air defences.", "assist"),
        ("Japan rejected China's call for talks.", "meet"),
        ("The EU demanded an independent investigation.", "change"),
    ],
)
def test_requests_and_rejections_take_the_mode_of_what_is_asked(sentence: str, mode: str) -> None:
    triggers = find_triggers(sentence)
    main = main_trigger(triggers)
    assert main is not None
    assert coding(sentence, main, triggers).mode == mode


# --- quality on sentences written for this project -----------------------------------------


def test_heldout_file_covers_every_root() -> None:
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines()]
    counts = Counter(row["event_type"] for row in rows)
    assert len(rows) >= 80
    assert set(counts) == set(get_args(EventType))
    assert min(counts.values()) >= 5


def test_heldout_quality_does_not_regress() -> None:
    # The whole pipeline (parse, model, rules) on 104 sentences no model trained on. Floors a
    # little under today's figures (0.942 and 0.960, docs/extraction.md), so a change that
    # breaks a category fails here. They are not quality figures: the rule lexicon, one
    # feature of the model, was written by the hands that wrote these sentences.
    report = run(Path(HELDOUT))
    assert report.roots.accuracy >= 0.92
    assert report.roots.macro_f1 >= 0.93
    assert report.roots.undecided <= 6
