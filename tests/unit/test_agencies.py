"""Agencies: the shipped response-time table, reply times in working days, the league table
and when a late referral is chased (core/agencies.py, agencies_file.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.agencies_file import load_agencies, parse_agencies, shipped_agencies
from casedesk.core.agencies import (
    OFFICE_DEFAULT,
    Agency,
    UnknownAgencyError,
    expected_by,
    find_agency,
    league_table,
    nearest_rank,
    plan_chase,
)
from casedesk.core.models import Case, CaseStatus, Category, Referral, Topic
from casedesk.core.office_hours import OfficeHours
from casedesk.errors import CaseDeskError

HOURS = OfficeHours()
MON = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 GMT
DWP = Agency("dwp", "Department for Work and Pensions", 20, "https://example.gov.uk/x")
COUNCIL = Agency("council", "The council", 10, OFFICE_DEFAULT)
TABLE = {"dwp": DWP, "council": COUNCIL}


def referral(
    n: int,
    agency: Agency = DWP,
    at: datetime = MON,
    replied_after_days: int | None = None,
    **kw: object,
) -> Referral:
    due = expected_by(HOURS, at, agency)
    replied = HOURS.close_of_working_day(at, replied_after_days) if replied_after_days else None
    return Referral(f"CD-2026-{n:06d}-R1", f"CD-2026-{n:06d}", agency.key, at, "jo", due,
                    replied_at=replied, replied_by="jo" if replied else None, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_the_shipped_table_cites_a_source_or_says_it_is_an_office_default() -> None:
    table = shipped_agencies()
    assert {"dwp", "hmrc", "ukvi", "council", "nhs-trust", "housing-association"} <= set(table)
    for agency in table.values():
        assert agency.source == OFFICE_DEFAULT or agency.source.startswith("https://")
        assert 1 <= agency.response_days <= 40
    assert table["housing-association"].response_days == 15  # 5 to acknowledge + 10 to answer


def test_an_office_file_replaces_and_adds_agencies(tmp_path: Path) -> None:
    office = tmp_path / "agencies.toml"
    office.write_text(
        '[council]\nname = "Cambridge City Council"\nresponse_days = 10\nsource = "office default"\n'
        '[cambs-police]\nname = "Cambridgeshire Constabulary"\nresponse_days = 15\n'
        'source = "office default"\n'
    )
    table = load_agencies(office)
    assert (
        table["council"].name == "Cambridge City Council" and table["council"].response_days == 10
    )
    assert "cambs-police" in table and "dwp" in table
    with pytest.raises(CaseDeskError, match="no such agencies file"):
        load_agencies(tmp_path / "missing.toml")


def test_a_bad_agencies_file_names_every_problem_and_the_fix() -> None:
    with pytest.raises(CaseDeskError) as caught:
        parse_agencies(
            '[Council]\nname = "x"\n[dwp]\nname = "DWP"\nresponse_day = 20\nsource = "somewhere"\n',
            "office.toml",
        )
    message = str(caught.value)
    assert message.startswith("office.toml: [Council]: use lower-case letters")
    assert "[dwp] response_day: unknown key (did you mean 'response_days'?)" in message
    assert "[dwp] response_days: expected whole working days, 1 to 365" in message
    assert (
        '[dwp] source: the published standard\'s https:// address, or "office default"' in message
    )
    with pytest.raises(CaseDeskError, match=r"office\.toml: not valid TOML"):
        parse_agencies("[dwp\n", "office.toml")


def test_an_unknown_agency_gets_a_did_you_mean() -> None:
    assert find_agency(TABLE, " DWP ") is DWP
    with pytest.raises(UnknownAgencyError, match="did you mean 'council'"):
        find_agency(TABLE, "councl")


def test_a_referral_is_due_at_the_close_of_its_last_working_day() -> None:
    # 20 working days from Monday 2 November 2026: Monday 30 November, 17:30 GMT.
    assert expected_by(HOURS, MON, DWP) == datetime(2026, 11, 30, 17, 30, tzinfo=UTC)


def test_nearest_rank_percentiles() -> None:
    assert nearest_rank([], 0.9) is None
    assert nearest_rank([7], 0.9) == 7
    assert nearest_rank(list(range(1, 11)), 0.9) == 9
    assert nearest_rank(list(range(1, 11)), 0.5) == 5
    assert nearest_rank([30, 1, 2], 0.9) == 30


def test_the_league_table_counts_replies_open_and_overdue_per_agency() -> None:
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    items = [
        referral(1, replied_after_days=5),
        referral(2, replied_after_days=15),
        referral(3, replied_after_days=25),  # late
        referral(4),  # open, and past 30 November
        referral(5, at=now - timedelta(days=1)),  # open, not due yet
        referral(6, COUNCIL, replied_after_days=3),
        Referral("CD-2026-000007-R1", "CD-2026-000007", "gone-agency", MON, "jo", MON),
    ]
    rows = {r.key: r for r in league_table(TABLE, items, now, HOURS)}
    dwp = rows["dwp"]
    assert (dwp.referrals, dwp.open, dwp.replied, dwp.on_time, dwp.overdue) == (5, 2, 3, 2, 1)
    assert (dwp.median_days, dwp.p90_days, dwp.target_days) == (15.0, 25, 20)
    assert (rows["council"].median_days, rows["council"].overdue) == (3.0, 0)
    gone = rows["gone-agency"]
    assert (gone.name, gone.target_days, gone.median_days, gone.overdue) == (
        "gone-agency", None, None, 1,
    )  # fmt: skip
    order = [r.key for r in league_table(TABLE, items, now, HOURS)]
    assert order == ["council", "dwp", "gone-agency"]  # fastest median first, none last
    assert dwp.as_record()["p90_working_days"] == 25


def _case(assignee: str | None) -> Case:
    return Case("CD-2026-000001", "p@example.org", "P", "s", Category.CASEWORK, Topic.BENEFITS,
                False, CaseStatus.OPEN, assignee, None, "", MON, MON)  # fmt: skip


def test_a_late_referral_is_chased_then_again_every_few_working_days() -> None:
    r = referral(1)  # due Monday 30 November 17:30
    assert plan_chase(r, _case("ana"), r.expected_by - timedelta(minutes=1), HOURS, 5) is None
    first = plan_chase(r, _case("ana"), r.expected_by, HOURS, 5)
    assert first is not None and (first.number, first.notify) == (1, ("ana",))
    chased = replace(r, chased_at=r.expected_by, chases=1)
    thursday = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert plan_chase(chased, _case("ana"), thursday, HOURS, 5) is None
    next_monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 5 working days after
    again = plan_chase(chased, _case(None), next_monday, HOURS, 5)
    assert again is not None and again.number == 2 and again.notify == ("jo",)  # the referrer
    assert again.working_days_late == 5
    replied = replace(r, replied_at=next_monday)
    assert plan_chase(replied, _case("ana"), next_monday, HOURS, 5) is None


@settings(deadline=None)
@given(st.integers(0, 60 * 24 * 40), st.integers(0, 60 * 24 * 40))
def test_overdue_referrals_only_grow_as_time_passes(m1: int, m2: int) -> None:
    items = [referral(n, at=MON + timedelta(days=n)) for n in range(5)]
    early, late = sorted((MON + timedelta(minutes=m1), MON + timedelta(minutes=m2)))
    count = {t: league_table(TABLE, items, t, HOURS)[0].overdue for t in (early, late)}
    assert count[early] <= count[late]
