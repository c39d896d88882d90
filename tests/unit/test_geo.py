"""Postcode -> ward and constituency: the pure decisions, and the SQLite gazetteer.

Real rows come from samples/geo/ (an ONSPD extract checked against OS Code-Point Open, with
ward names and codes from ONS; samples/geo/README.md gives every source). Codes used here:
CB1 2AD is in Petersfield ward (E05013059), Cambridge constituency (E14001149); CB1 9HZ is in
Cherry Hinton ward (E05013053), which the 2023 review put in South Cambridgeshire (E14001481).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.adapters.embedded.sqlite_geo import SqliteGazetteer
from casedesk.core.geo import (
    Place,
    Residency,
    WardInfo,
    describe_residency,
    in_constituency,
    is_2024_constituency,
    normalise_postcode,
    place_from_row,
    residency,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "geo"
CAMBRIDGE = "E14001149"
SOUTH_CAMBS = "E14001481"

PETERSFIELD = Place("CB1 2AD", "E05013059", "Petersfield", CAMBRIDGE, "Cambridge", "E07000008")
CHERRY_HINTON = Place(
    "CB1 9HZ", "E05013053", "Cherry Hinton", SOUTH_CAMBS, "South Cambridgeshire", "E07000008"
)


def sample_lookup() -> tuple[dict[str, WardInfo], dict[str, str]]:
    """samples/geo/wards.csv as the importer would read it, by hand (no importer involved)."""
    wards: dict[str, WardInfo] = {}
    names: dict[str, str] = {}
    with (SAMPLES / "wards.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            pcon = row["PCON24CD"]
            wards[row["WD23CD"]] = WardInfo(
                row["WD23CD"], row["WD23NM"], frozenset({pcon} if pcon else ()), row["LAD23CD"]
            )
            if pcon:
                names[pcon] = row["PCON24NM"]
    return wards, names


# --- normalisation -------------------------------------------------------------------------

outward = st.from_regex(
    r"[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW])", fullmatch=True
)
inward = st.from_regex(r"[0-9][ABD-HJLNP-UW-Z]{2}", fullmatch=True)


@given(outward, inward, st.sampled_from(["", " ", "  ", "\t"]), st.booleans())
def test_postcode_in_any_spacing_or_case_normalises_to_the_onspd_pcds_form(
    out: str, inw: str, gap: str, lower: bool
) -> None:
    raw = f"{out}{gap}{inw}"
    assert normalise_postcode(raw.lower() if lower else raw) == f"{out} {inw}"


@pytest.mark.parametrize("raw", ["", "CB1", "CB1 2CI", "not a postcode", "CB1 2AD 2AD"])
def test_strings_that_are_not_postcodes_normalise_to_none(raw: str) -> None:
    assert normalise_postcode(raw) is None


# --- constituency codes and residency ------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (CAMBRIDGE, True),  # Cambridge, 2024
        ("E14001063", True),  # Aldershot, the first English 2024 code
        ("E14000617", False),  # a 2010-era English seat
        ("W07000081", True),  # Aberafan Maesteg, 2024
        ("W07000041", False),
        ("S14000060", True),  # Aberdeen North, 2024
        ("N05000002", True),  # Belfast North, 2024
        ("N06000001", False),
        ("E05013059", None),  # a ward, not a constituency
        ("Cambridge", None),
    ],
)
def test_2024_constituencies_are_told_apart_from_older_ones(code: str, expected: object) -> None:
    assert is_2024_constituency(code) is expected


def test_a_place_in_the_office_constituency_is_inside() -> None:
    assert in_constituency(PETERSFIELD, CAMBRIDGE) is True
    assert residency(PETERSFIELD, CAMBRIDGE) is Residency.INSIDE
    assert describe_residency(PETERSFIELD, CAMBRIDGE, "Cambridge") == (
        "CB1 2AD is in Cambridge, Petersfield ward"
    )


def test_a_cambridge_city_ward_moved_by_the_2023_review_is_outside() -> None:
    assert in_constituency(CHERRY_HINTON, CAMBRIDGE) is False
    assert residency(CHERRY_HINTON, CAMBRIDGE) is Residency.OUTSIDE
    reason = describe_residency(CHERRY_HINTON, CAMBRIDGE, "Cambridge")
    assert "South Cambridgeshire" in reason and "outside Cambridge" in reason


def test_no_place_or_no_constituency_is_unknown_never_outside() -> None:
    no_seat = Place("CB5 8QY", "E05011291", "Fen Ditton & Fulbourn", None, None, "E07000012")
    for place in (None, no_seat):
        assert in_constituency(place, CAMBRIDGE) is None
        assert residency(place, CAMBRIDGE) is Residency.UNKNOWN
    assert "unknown" in describe_residency(no_seat, CAMBRIDGE, "Cambridge")


# --- combining an ONSPD row with a ward lookup --------------------------------------------


def test_the_rows_own_constituency_wins_over_the_ward_lookup() -> None:
    wards, names = sample_lookup()
    place = place_from_row("CB1 2AD", "E05013059", SOUTH_CAMBS, None, False, wards, names)
    assert place.constituency_code == SOUTH_CAMBS and not place.constituency_from_ward
    assert place.ward_name == "Petersfield" and place.local_authority_code == "E07000008"


def test_a_row_without_a_constituency_takes_its_wards_and_says_so() -> None:
    wards, names = sample_lookup()
    place = place_from_row("CB1 2AD", "E05013059", None, None, False, wards, names)
    assert place == Place(
        "CB1 2AD",
        "E05013059",
        "Petersfield",
        CAMBRIDGE,
        "Cambridge",
        "E07000008",
        constituency_from_ward=True,
    )


def test_a_ward_split_between_constituencies_gives_no_constituency() -> None:
    split = {"E05013059": WardInfo("E05013059", "Petersfield", frozenset({CAMBRIDGE, SOUTH_CAMBS}))}
    place = place_from_row("CB1 2AD", "E05013059", None, None, False, split, {})
    assert place.constituency_code is None and not place.constituency_from_ward


# --- the SQLite gazetteer -------------------------------------------------------------------


@pytest.fixture
def gazetteer(tmp_path: Path) -> SqliteGazetteer:
    return SqliteGazetteer(Database(tmp_path / "s.sqlite3"), batch_size=2)


def test_lookup_finds_a_stored_place_in_any_spacing(gazetteer: SqliteGazetteer) -> None:
    assert gazetteer.import_rows([PETERSFIELD, CHERRY_HINTON]) == 2
    assert gazetteer.lookup("cb12ad") == PETERSFIELD
    assert gazetteer.lookup(" CB1  9HZ ") == CHERRY_HINTON
    assert gazetteer.lookup("CB1 2AE") is None
    assert gazetteer.lookup("not a postcode") is None
    assert gazetteer.count() == 2


def test_importing_the_same_postcode_again_replaces_it(gazetteer: SqliteGazetteer) -> None:
    gazetteer.import_rows([PETERSFIELD, CHERRY_HINTON])
    moved = Place("CB1 2AD", "E05013053", "Cherry Hinton", SOUTH_CAMBS, "South Cambridgeshire")
    gazetteer.import_rows([moved])
    assert gazetteer.count() == 2
    assert gazetteer.lookup("CB1 2AD") == moved


def test_wards_lists_live_wards_of_one_constituency_by_name(gazetteer: SqliteGazetteer) -> None:
    abbey = Place("CB5 8LB", "E05013050", "Abbey", CAMBRIDGE, "Cambridge")
    gone = Place("CB4 2PQ", "E05013051", "Arbury", CAMBRIDGE, "Cambridge", is_terminated=True)
    gazetteer.import_rows([PETERSFIELD, CHERRY_HINTON, abbey, gone])
    assert gazetteer.wards(CAMBRIDGE) == [("E05013050", "Abbey"), ("E05013059", "Petersfield")]
    assert gazetteer.wards(SOUTH_CAMBS) == [("E05013053", "Cherry Hinton")]
    assert gazetteer.lookup("CB4 2PQ") == gone


def test_constituencies_are_found_by_name_in_any_case_or_by_code(
    gazetteer: SqliteGazetteer,
) -> None:
    gazetteer.import_rows([PETERSFIELD, CHERRY_HINTON])
    assert gazetteer.find_constituency("cambridge") == (CAMBRIDGE, "Cambridge")
    assert gazetteer.find_constituency("e14001481") == (SOUTH_CAMBS, "South Cambridgeshire")
    assert gazetteer.find_constituency("Cambridgeshire") is None


def test_a_later_import_without_names_keeps_the_names(gazetteer: SqliteGazetteer) -> None:
    gazetteer.import_rows([PETERSFIELD])
    gazetteer.import_rows([Place("CB1 2PF", "E05013059", None, CAMBRIDGE, None)])
    place = gazetteer.lookup("CB1 2PF")
    assert place is not None
    assert (place.ward_name, place.constituency_name) == ("Petersfield", "Cambridge")
