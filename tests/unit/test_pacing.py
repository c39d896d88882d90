"""The pacer keeps every rolling window within Exchange Online's sending limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.core.pacing import DAY, MINUTE, Pacer, SendingLimits, most_in_any_window
from casedesk.errors import CaseDeskError

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def run(limits: SendingLimits, gaps: list[float], history: list[datetime] = ()) -> list[datetime]:
    """Send one message per gap (seconds a person would leave between them), paced."""
    pacer, now, sent = Pacer(limits, history), START, []
    for gap in gaps:
        now += timedelta(seconds=gap)
        slot = pacer.next_slot(now)
        if slot.daily:
            break
        now = max(now, slot.at)
        pacer.record(now)
        sent.append(now)
    return sent


@given(
    per_minute=st.integers(1, 30),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=150),
)
def test_no_minute_ever_holds_more_than_the_limit(per_minute: int, gaps: list[float]) -> None:
    sent = run(SendingLimits(per_minute, 10_000), gaps)
    assert len(sent) == len(gaps)
    assert most_in_any_window(sent, MINUTE) <= per_minute


def test_thirty_a_minute_at_full_speed_is_exactly_thirty_in_each_minute() -> None:
    sent = run(SendingLimits(30, 10_000), [0.0] * 95)
    assert most_in_any_window(sent, MINUTE) == 30
    assert sent[-1] - sent[0] >= timedelta(minutes=3)


def test_the_days_budget_counts_earlier_runs_and_stops_instead_of_waiting_hours() -> None:
    earlier = [START - timedelta(hours=23, minutes=59 - i) for i in range(5)]
    limits = SendingLimits(30, 8)
    sent = run(limits, [0.0] * 10, earlier)
    assert len(sent) == 3  # 5 in the last 24 hours, 8 allowed
    pacer = Pacer(limits, [*earlier, *sent])
    slot = pacer.next_slot(sent[-1])
    assert slot.daily and slot.at == earlier[0] + DAY


def test_settings_above_exchanges_limits_are_refused_with_the_fix() -> None:
    with pytest.raises(CaseDeskError, match="at most 30 messages a minute"):
        SendingLimits(31, 1000)
    with pytest.raises(CaseDeskError, match="10,000 recipients a day"):
        SendingLimits(30, 10_001)
