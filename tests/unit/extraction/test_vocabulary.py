"""The extraction's word lists and tables are data, validated with file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.extraction import vocabulary
from streams.extraction.vocabulary import VOCABULARY_DIR


def copy(tmp_path: Path) -> Path:
    for name in ("frames.yaml", "subtypes.yaml", "topics.yaml"):
        shutil.copy(VOCABULARY_DIR / name, tmp_path / name)
    return tmp_path


def test_the_shipped_files_load() -> None:
    assert "say" in vocabulary.frames().speech
    names = {s.name for s in vocabulary.subtypes().subtypes}
    assert {"coup", "cyberattack", "maritime_seizure", "embassy_raid", "territorial_claim",
            "diplomatic_break", "ambassador_recall", "crowd_control", "hostage_release",
            "prisoner_release", "missile_test", "troop_deployment"} <= names  # fmt: skip
    assert (
        "striker" not in vocabulary.topics().words and "the striker" in vocabulary.topics().phrases
    )


def test_a_mode_that_is_not_its_roots_names_file_and_line(tmp_path: Path) -> None:
    directory = copy(tmp_path)
    path = directory / "subtypes.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("mode: cyber", "mode: aerial", 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        vocabulary.subtypes.__wrapped__(directory)
    message = str(caught.value)
    assert str(path) in message and "aerial" in message and "COERCE" in message
    entry = next(i for i, t in enumerate(text.splitlines(), 1) if "name: cyberattack" in t)
    assert f"subtypes.yaml:{entry}: " in message and "(cyberattack)" in message


def test_a_lemma_in_capitals_is_refused(tmp_path: Path) -> None:
    directory = copy(tmp_path)
    path = directory / "frames.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("[say, ", "[Say, ", 1), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        vocabulary.frames.__wrapped__(directory)
    assert "frames.yaml:" in str(caught.value) and "speech" in str(caught.value)


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    directory = copy(tmp_path)
    path = directory / "topics.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "colour: [red]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        vocabulary.topics.__wrapped__(directory)
