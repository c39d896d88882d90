from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.core.postcode import find_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 Mill Road, Cambridge CB1 2AD", "CB1 2AD"),
        ("postcode cb12ad thanks", "CB1 2AD"),
        ("SW1A 0AA is Parliament", "SW1A 0AA"),
        ("Leeds LS6 1AN", "LS6 1AN"),
        ("W1A 1AA", "W1A 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_finds_and_normalises_valid_postcodes(text: str, expected: str) -> None:
    assert find_postcode(text) == expected


@pytest.mark.parametrize(
    "text", ["AB1 2CDE", "order number 12345", "QA1 1AA", "CB1 2CI", "ref XY123", "", "CB1"]
)
def test_ignores_strings_that_are_not_postcodes(text: str) -> None:
    assert find_postcode(text) is None


def test_signature_postcode_wins_over_one_mentioned_earlier() -> None:
    text = "The council office at CB2 1QJ ignored me.\n\nPriya\n4 Mill Road\nCB1 2AD"
    assert find_postcode(text) == "CB1 2AD"


@given(st.text())
def test_never_raises_and_only_returns_normalised_postcodes(text: str) -> None:
    found = find_postcode(text)
    assert found is None or normalise_postcode(found) == found


@given(
    area=st.sampled_from(["CB", "LS", "SW", "M", "B", "EH"]),
    district=st.integers(1, 9),
    sector=st.integers(0, 9),
    unit=st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2),
    space=st.sampled_from(["", " ", "  "]),
    lower=st.booleans(),
)
def test_any_spacing_or_case_normalises_the_same(
    area: str, district: int, sector: int, unit: str, space: str, lower: bool
) -> None:
    raw = f"{area}{district}{space}{sector}{unit}"
    assert normalise_postcode(raw.lower() if lower else raw) == f"{area}{district} {sector}{unit}"
