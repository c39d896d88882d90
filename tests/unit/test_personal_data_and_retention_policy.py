"""Spotting personal data in text, person keys, lengths of time, and the retention policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.core.durations import parse_duration
from casedesk.core.models import Case, CaseStatus, Category, Topic
from casedesk.core.personal_data import (
    Finding,
    Kind,
    find_personal_data,
    has_personal_data,
    person_key,
    person_ref,
)
from casedesk.core.retention import DEFAULTS, RetentionPolicy
from casedesk.errors import CaseDeskError

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_addresses_postcodes_and_phone_numbers_are_found_as_people_write_them() -> None:
    text = (
        "Write to Priya.Shah+mp@Example.org or call 01223 123456 / +44 7700 900123 / "
        "(01223) 123 456. I live at 12 Ross St, cb12ad."
    )
    assert find_personal_data(text) == [
        Finding(Kind.EMAIL, "priya.shah+mp@example.org"),
        Finding(Kind.PHONE, "01223123456"),
        Finding(Kind.PHONE, "07700900123"),
        Finding(Kind.PHONE, "01223123456"),
        Finding(Kind.POSTCODE, "CB1 2AD"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "case CD-2026-000001 opened",
        "sha256 3f2a0123456789abcdef0123456789abcdef",
        "at 2026-11-16T09:30:00.123456+00:00, 62 messages, 0.0123 s",
        "message 2bf82500178f filed; rows=19",
        "event=triage.error source=samples/inbox/001-housing-damp-repairs.eml",
    ],
)
def test_identifiers_times_and_counts_are_not_personal_data(text: str) -> None:
    assert not has_personal_data(text), find_personal_data(text)


@given(
    st.sampled_from(["01223", "020", "07700", "0113"]),
    st.text("0123456789", min_size=8, max_size=8),
    st.sampled_from([" ", "-", ""]),
)
def test_any_spacing_of_an_eleven_digit_uk_number_is_found(area: str, tail: str, gap: str) -> None:
    digits = (area + tail)[:11]
    written = f"{digits[: len(area)]}{gap}{digits[len(area) :]}"
    assert Finding(Kind.PHONE, digits) in find_personal_data(f"Call me on {written} please")


def test_person_keys_are_salted_and_ignore_case_and_spaces() -> None:
    assert person_key("salt", " Priya@Example.org ") == person_key("salt", "priya@example.org")
    assert person_key("salt", "priya@example.org") != person_key("pepper", "priya@example.org")
    ref = person_ref("salt", "priya@example.org")
    assert ref.startswith("person:") and len(ref) == len("person:") + 24
    assert not has_personal_data(ref)


def test_months_and_years_are_calendar_months_and_years() -> None:
    jan31 = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert parse_duration("1m").after(jan31) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert parse_duration("12m").after(jan31) == datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
    assert parse_duration("3y").before(NOW) == datetime(2023, 11, 16, 9, 0, tzinfo=UTC)
    assert parse_duration(" 30D ").words == "30 days" and str(parse_duration("1w")) == "1w"
    for bad in ("", "0d", "3 fortnights", "12", "-1d"):
        with pytest.raises(ValueError, match="30d, 12m, 6y"):
            parse_duration(bad)


def case(category: Category, status: CaseStatus = CaseStatus.NEW) -> Case:
    return Case(
        "CD-2026-000001", "p@example.org", "P", "s", category, Topic.OTHER, False, status,
        None, None, "", NOW, NOW,
    )  # fmt: skip


def test_each_case_gets_its_categorys_rule_else_the_closed_rule_else_none() -> None:
    policy = RetentionPolicy.from_settings({"casework": "never", "press": "2y"})
    rule = policy.rule_for
    assert rule(case(Category.SPAM)) == ("spam", parse_duration(DEFAULTS["spam"]))
    assert rule(case(Category.PRESS)) == ("press", parse_duration("2y"))
    assert rule(case(Category.CASEWORK, CaseStatus.CLOSED)) is None  # casework=never wins
    default = RetentionPolicy.from_settings({})
    assert default.rule_for(case(Category.CASEWORK)) is None  # open casework: never by clock
    assert default.rule_for(case(Category.CASEWORK, CaseStatus.CLOSED)) == (
        "closed", parse_duration(DEFAULTS["closed"]),
    )  # fmt: skip
    assert policy.describe()["casework"] == "never"


def test_a_bad_retention_setting_names_the_key_and_the_fix() -> None:
    with pytest.raises(CaseDeskError, match=r"unknown key 'spma'.*closed"):
        RetentionPolicy.from_settings({"spma": "30d"})
    with pytest.raises(CaseDeskError, match=r"campaign='soon'.*or 'never'"):
        RetentionPolicy.from_settings({"campaign": "soon"})
