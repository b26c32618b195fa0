"""Unit tests of reading who did what to whom from a dependency parse (frames.py)."""

from __future__ import annotations

import pytest

from streams.extraction.frames import Frame, Party, read_frames
from streams.extraction.parse import parse


def read(sentence: str) -> list[Frame]:
    return read_frames(parse([sentence])[0])


def phrase(sentence: str, party: Party | None) -> str | None:
    return sentence[party.start : party.end] if party is not None else None


def roles(sentence: str, frame: Frame) -> tuple[list[str], list[str]]:
    return (
        [sentence[p.start : p.end] for p in frame.actors],
        [sentence[p.start : p.end] for p in frame.recipients],
    )


def test_active_subject_acts_on_its_object() -> None:
    s = "Russian forces shelled the city of Kharkiv overnight."
    (frame,) = read(s)
    assert (frame.lemma, frame.factuality, frame.passive) == ("shell", "asserted", False)
    assert roles(s, frame) == (["Russian forces"], ["the city of Kharkiv"])


def test_passive_agent_is_the_actor_and_the_subject_the_recipient() -> None:
    s = "Kyiv was hit by Russian missiles overnight."
    (frame,) = read(s)
    assert frame.passive
    assert roles(s, frame) == (["Russian missiles"], ["Kyiv"])


def test_a_speaker_is_the_source_not_the_actor() -> None:
    s = "Police said gunmen attacked a checkpoint in Kano."
    (frame,) = read(s)
    assert (frame.lemma, frame.clause, frame.governors) == ("attack", "reported", ("say",))
    assert roles(s, frame)[0] == ["gunmen"]
    assert phrase(s, frame.source) == "Police"


def test_a_pronoun_that_stands_for_the_speaker_is_the_speaker() -> None:
    s = "The Indian military said it had launched airstrikes against a camp in Pakistan."
    (frame,) = read(s)
    assert roles(s, frame)[0] == ["The Indian military"]


def test_what_a_verb_of_asking_asks_for_is_not_the_act() -> None:
    s = "The European Union urged Russia to withdraw its troops from Ukraine."
    (frame,) = read(s)
    assert (frame.lemma, frame.complement) == ("urge", "withdraw")
    assert roles(s, frame) == (["The European Union"], ["Russia"])


@pytest.mark.parametrize(
    ("sentence", "factuality", "modal"),
    [
        ("Iran plans to deploy troops to Syria next month.", "planned", None),
        ("North Korea will conduct a nuclear test.", "planned", "will"),
        ("Pyongyang could fire a hypersonic missile at any time.", "hypothetical", "could"),
        ("Belarus has never sent soldiers to Ukraine.", "negated", None),
        ("Russia failed to capture the town.", "negated", None),
        ("Israel would respond if Iran tested a missile.", "hypothetical", "would"),
        ("Russia continued to shell Kharkiv.", "asserted", None),
    ],
)
def test_modality_says_whether_the_act_happened(
    sentence: str, factuality: str, modal: str | None
) -> None:
    frame = read(sentence)[0]
    assert (frame.factuality, frame.modal) == (factuality, modal)


def test_a_second_clause_with_its_own_subject_is_a_second_frame() -> None:
    s = "North Korea fired a missile and Japan condemned the launch."
    first, second = read(s)
    assert (first.lemma, second.lemma, second.clause) == ("fire", "condemn", "coordinate")
    assert roles(s, first)[0] == ["North Korea"] and roles(s, second)[0] == ["Japan"]


def test_a_subordinate_clause_of_what_just_happened_is_a_frame() -> None:
    s = "A day after North Korea fired a missile, Japan protested to Pyongyang."
    lemmas = {f.lemma: f for f in read(s)}
    assert lemmas["fire"].clause == "subordinate"
    assert roles(s, lemmas["fire"])[0] == ["North Korea"]


def test_coordinated_subjects_are_all_actors() -> None:
    s = "The United States, South Korea and Japan condemned the launch."
    (frame,) = read(s)
    assert roles(s, frame)[0] == ["The United States", "South Korea", "Japan"]


def test_there_is_names_the_subject() -> None:
    # "there are ... soldiers": the forces are what the clause reports, theirs the owner
    s = "There are some 8,000 North Korean soldiers in Kursk Oblast."
    frame = read(s)[0]
    assert (frame.lemma, frame.pos) == ("soldier", "NOUN")
    assert roles(s, frame)[0] == ["North Korean"]


def test_a_noun_that_reports_an_act_is_the_predicate() -> None:
    s = "The deployment of North Korean troops to Russia worries Seoul."
    (frame,) = read(s)
    assert (frame.lemma, frame.pos) == ("deployment", "NOUN")
    assert [s[p.start : p.end] for p in frame.themes] == ["North Korean troops"]


def test_a_weapon_is_no_target_but_an_act_someone_did_is() -> None:
    fired = "Russia fired 40 missiles at the Ukrainian capital overnight."
    assert roles(fired, read(fired)[0])[1] == ["the Ukrainian capital"]
    condemned = "Japan condemned Russia's shelling of Kharkiv."
    assert roles(condemned, read(condemned)[0])[1] == ["Russia's shelling of Kharkiv"]
