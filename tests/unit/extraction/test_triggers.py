"""The trigger vocabulary: the shipped file loads; a bad one names its file, line and field."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.extraction import lexicon

GOOD = """\
fragments:
  troop_nouns: 'troops|soldiers'
contexts:
  military: troops soldiers army war_games drill*
  disaster: earthquake flood
triggers:
  - coding: ASSAULT/aerial
    subtype: airstrike
    patterns:
      - air strike+/raid+
      - airstrike+
    weight: 0.9
  - coding: MOBILIZE/troops
    subtype: troop_deployment
    patterns:
      - deploy~ ... troops/soldiers/
        forces
    needs: military
    unless: [disaster]
    tail_re: '(?=\\s+(?:{troop_nouns}))'
    not_after: 'its|their'
"""


def write(directory: Path, text: str) -> Path:
    path = directory / lexicon.TRIGGERS
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def fails(directory: Path, text: str, needle: str, field: str, message: str) -> None:
    """Loading `text` fails at the line holding `needle`, naming `field` and saying `message`."""
    path = write(directory, text)
    with pytest.raises(ConfigError) as err:
        lexicon.load(directory)
    where = f"{path}:{line_of(text, needle)}: {field}"
    assert str(err.value).startswith(where), str(err.value)
    assert re.search(message, str(err.value)), str(err.value)


def test_the_shipped_vocabulary_is_the_lexicon() -> None:
    assert lexicon.load() == lexicon.LEXICON
    assert lexicon.lexicon() is lexicon.LEXICON  # loaded once
    assert (lexicon.VOCABULARY_DIR / lexicon.TRIGGERS).is_file()


def test_a_small_file_compiles_its_patterns_contexts_and_fragments(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    entries = lexicon.load(tmp_path)
    assert [(e.root, e.mode, e.subtype) for _, e in entries] == [
        ("ASSAULT", "aerial", "airstrike"),
        ("ASSAULT", "aerial", "airstrike"),
        ("MOBILIZE", "troops", "troop_deployment"),
    ]
    heads, deploy = entries[2]
    assert "deployed" in heads
    assert deploy.weight == 0.85  # the default
    assert deploy.speech is False  # MOBILIZE is not a speech act
    assert deploy.tail is not None and deploy.tail.match(" more forces soldiers")
    assert deploy.tail.pattern.endswith("(?=\\s+(?:troops|soldiers))")
    assert deploy.needs == lexicon.Context(
        words=frozenset({"troops", "soldiers", "army"}),
        prefixes=("drill",),
        phrases=("war games",),
        phrase_heads=frozenset({"war"}),
    )
    assert deploy.unless is not None and deploy.unless.words == {"earthquake", "flood"}
    assert deploy.not_after is not None and deploy.not_after.match(" their troops")
    assert deploy.specific


def test_a_bad_mode_names_file_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("MOBILIZE/troops", "MOBILIZE/navy")
    fails(
        tmp_path,
        text,
        "MOBILIZE/navy",
        "triggers.1.coding (MOBILIZE/navy troop_deployment):",
        "'navy' is not a PLOVER mode of MOBILIZE",
    )


def test_an_unknown_root_names_the_field(tmp_path: Path) -> None:
    text = GOOD.replace("ASSAULT/aerial", "BOMB/aerial")
    fails(tmp_path, text, "BOMB/aerial", "triggers.0.coding", "unknown PLOVER root 'BOMB'")


def test_an_unknown_context_names_file_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("unless: [disaster]", "unless: [disaster, weather]")
    fails(
        tmp_path,
        text,
        "weather",
        "triggers.1.unless.1 (MOBILIZE/troops troop_deployment):",
        "unknown context 'weather' \\(contexts: military, disaster\\)",
    )
    text = GOOD.replace("needs: military", "needs: militry")
    fails(tmp_path, text, "militry", "triggers.1.needs.0", "unknown context 'militry'")


def test_a_bad_regex_names_file_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("not_after: 'its|their'", "not_after: '(its|their'")
    fails(
        tmp_path,
        text,
        "not_after:",
        "triggers.1.not_after (MOBILIZE/troops troop_deployment):",
        "not a regular expression: missing \\), unterminated subpattern at position 0",
    )
    text = GOOD.replace("{troop_nouns}))'", "{troop_nouns})'")
    fails(tmp_path, text, "tail_re:", "triggers.1.tail_re", "not a regular expression")
    text = GOOD.replace("'troops|soldiers'", "'troops|soldiers)'")
    fails(tmp_path, text, "troop_nouns:", "fragments.troop_nouns", "not a regular expression")


def test_an_unknown_fragment_names_the_field(tmp_path: Path) -> None:
    text = GOOD.replace("{troop_nouns}", "{troops}")
    fails(tmp_path, text, "tail_re:", "triggers.1.tail_re", "unknown fragment \\{troops\\}")


@pytest.mark.parametrize("weight", ["2", "-0.1", "high", ".nan"])
def test_a_weight_outside_0_to_1_names_file_line_and_field(tmp_path: Path, weight: str) -> None:
    text = GOOD.replace("weight: 0.9", f"weight: {weight}")
    fails(
        tmp_path,
        text,
        f"weight: {weight}",
        "triggers.0.weight (ASSAULT/aerial airstrike):",
        "less than or equal to 1|greater than or equal to 0|valid number|from 0 to 1",
    )


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("''", "empty pattern"),
        ("'   '", "empty pattern"),
        ("airstrike+; air raid+", "one pattern per item"),
        ("... airstrike+", "starts with its head word"),
        ("-air strike+", "starts with its head word"),
        ("air strike+//raid+", "'strike\\+//raid\\+' has an empty alternative"),
        ("air ~ strike", "'~' has an empty alternative"),
    ],
)
def test_a_bad_pattern_names_its_item(tmp_path: Path, pattern: str, message: str) -> None:
    text = GOOD.replace("- airstrike+", f"- {pattern}")
    fails(
        tmp_path, text, f"- {pattern}", "triggers.0.patterns.1 (ASSAULT/aerial airstrike):", message
    )


def test_no_patterns_at_all_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("      - air strike+/raid+\n      - airstrike+\n", "").replace(
        "patterns:\n    weight", "patterns: []\n    weight"
    )
    fails(tmp_path, text, "patterns: []", "triggers.0.patterns", "at least 1 item")


def test_an_unknown_field_names_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("weight: 0.9", "wieght: 0.9")
    fails(tmp_path, text, "wieght", "triggers.0.wieght", "Extra inputs are not permitted")


def test_a_bad_context_name_or_word_names_its_line(tmp_path: Path) -> None:
    fails(
        tmp_path, GOOD.replace("drill*", "dr*ill"), "dr*ill", "contexts.military", "ends a prefix"
    )
    fails(
        tmp_path, GOOD.replace("  disaster:", "  Disaster:"), "Disaster:", "contexts.Disaster", ""
    )


def test_a_key_given_twice_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace("    weight: 0.9\n", "    weight: 0.9\n    weight: 0.5\n")
    path = write(tmp_path, text)
    line = line_of(text, "weight: 0.5")
    with pytest.raises(
        ConfigError, match=rf"^{path}:{line}: not valid YAML: duplicate key 'weight'$"
    ):
        lexicon.load(tmp_path)


def test_unreadable_and_malformed_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="triggers.yaml: cannot read vocabulary"):
        lexicon.load(tmp_path)
    write(tmp_path, "triggers:\n  - coding: [AGREE\n")
    with pytest.raises(ConfigError, match="triggers.yaml:3: not valid YAML: while parsing a flow"):
        lexicon.load(tmp_path)


def test_an_edit_to_the_shipped_file_is_found_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / lexicon.TRIGGERS
    shutil.copy(lexicon.VOCABULARY_DIR / lexicon.TRIGGERS, path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if "coding: PROTEST/hunger" in line)
    lines[number - 1] = lines[number - 1].replace("PROTEST/hunger", "PROTEST/fasting")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        lexicon.load(tmp_path)
    assert re.match(
        rf"{re.escape(str(path))}:{number}: triggers\.\d+\.coding "
        r"\(PROTEST/fasting hunger_strike\): "
        "'fasting' is not a PLOVER mode of PROTEST \\(one of boycott, demo, hunger,",
        str(err.value),
    ), str(err.value)
