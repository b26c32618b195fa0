"""Gazetteer files: the shipped ones load, and a bad one names its file, line and entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from streams.errors import ConfigError
from streams.extraction import gazetteer as gz


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the shipped gazetteers that a test may break."""
    for path in gz.GAZETTEER_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def replace_line(path: Path, old: str, new: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if old in line)
    lines[number - 1] = lines[number - 1].replace(old, new)
    path.write_text("".join(lines), encoding="utf-8")
    return number


def test_the_shipped_gazetteers_load_and_cover_every_iso_country() -> None:
    index = gz.gazetteer()
    assert {"PRK", "KOR", "USA", "TUV", "XKX", "PSE"} <= set(index.states)
    assert index.senses["Kursk region"].place is not None
    assert len(gz.weapon_classes()) >= 6


def test_a_bad_field_names_file_line_and_entry(copy: Path) -> None:
    leaders = copy / "leaders.yaml"
    line = replace_line(
        leaders, "from: 2021-01-20, until: 2025-01-20", "from: someday, until: 2025-01-20"
    )
    with pytest.raises(ConfigError) as err:
        gz.load(copy)
    message = str(err.value)
    assert message.startswith(f"{leaders}:{line}: leaders.")
    assert "(Joe Biden)" in message
    assert "from" in message


def test_an_unknown_country_code_names_the_entry(copy: Path) -> None:
    countries = copy / "countries.yaml"
    line = replace_line(countries, "{code: PRK,", "{code: PRQ,")
    with pytest.raises(
        ConfigError,
        match=rf"countries.yaml:{line}: countries\.\d+\.code \(North Korea\): PRQ is not",
    ):
        gz.load(copy)


def test_an_alias_listed_twice_names_both_places(copy: Path) -> None:
    orgs = copy / "organisations.yaml"
    line = replace_line(orgs, "aliases: [NATO, Nato,", "aliases: [Kremlin, NATO, Nato,")
    with pytest.raises(ConfigError) as err:
        gz.load(copy)
    assert f"organisations.yaml:{line}:" in str(err.value)
    assert "'Kremlin' is already listed (at countries.yaml:" in str(err.value)


def test_a_subdivision_code_must_exist_and_be_in_its_country(copy: Path) -> None:
    places = copy / "places.yaml"
    line = replace_line(
        places, "subdivision: RU-KRS, aliases: [Sudzha]", "subdivision: UA-14, aliases: [Sudzha]"
    )
    with pytest.raises(
        ConfigError, match=rf"places.yaml:{line}: .*\(Sudzha\): UA-14 is not in RUS"
    ):
        gz.load(copy)


def test_an_unknown_sector_is_refused(copy: Path) -> None:
    replace_line(
        copy / "organisations.yaml",
        "name: Hamas, kind: group, sector: REB",
        "name: Hamas, kind: group, sector: XYZ",
    )
    with pytest.raises(
        ConfigError, match=r"organisations.yaml:\d+: .*\(Hamas\): unknown sector 'XYZ'"
    ):
        gz.load(copy)


def test_a_bad_weapon_pattern_names_the_class(copy: Path) -> None:
    replace_line(copy / "weapons.yaml", "patterns: ['SLBMs?',", "patterns: ['SLBM(s?',")
    with pytest.raises(
        ConfigError, match=r"weapons.yaml:\d+: weapons\.1\.patterns \(SLBM\): bad pattern"
    ):
        gz.load_weapons(copy)


def test_invalid_yaml_and_a_missing_file(copy: Path) -> None:
    (copy / "places.yaml").write_text("places: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="places.yaml:\\d+: not valid YAML"):
        gz.load(copy)
    (copy / "places.yaml").unlink()
    with pytest.raises(ConfigError, match="places.yaml: cannot read gazetteer"):
        gz.load(copy)
