"""A small soak in `make test` (SOAK_MESSAGES, default 200): a campaign surge across three
mailboxes with casework, duplicated and out-of-order notifications, a blackout recovered by
delta, 429 storms, SharePoint 5xx, an LLM outage (AI labelling and drafting on) and a worker
killed with SIGKILL at random points. Nothing may be lost, no letter may land in two cases,
every case that gets a reply has its draft, and after the sweep no empty case is left.
`make soak` runs it at size and prints the report (tests/soak.py)."""

from __future__ import annotations

from pathlib import Path

from azurite import Azurite
from soak import SoakConfig, run_soak


def test_surge_with_faults_loses_nothing_and_duplicates_no_case(
    tmp_path: Path, azurite: Azurite
) -> None:
    config = SoakConfig.from_env(default_messages=200, default_kills=2)
    report = run_soak(config, azurite, tmp_path, say=print)
    print("\nSoak report\n" + report.render())
    assert report.lost == 0, report.lost_ids[:20]
    assert report.duplicated_cases == 0
    assert report.adds_up
    # The planted faults all showed up, so the run really tested them.
    assert report.duplicates == report.planted_copies
    assert report.quarantined == report.planted_unreadable
    assert report.worker_kills == config.kills and report.caught_up_by_delta > 0
    assert report.notifications_dropped > 0 and report.ai_fallbacks > 0
    assert report.filed == report.messages_in - report.planted_copies - report.planted_unreadable
    # A kill between a case's row and its message's leaves an empty case; the sweep (an hour
    # on) removes every one, and nothing that holds mail.
    # One is planted (a message row refused after its case row; every soak letter opens a
    # case, none is a reply), so the sweep always has one to remove.
    assert report.empty_before_sweep >= 1
    assert report.empty_cases == 0 and report.empty_removed == report.empty_before_sweep
    assert report.messages_removed_by_sweep == 0
    # AI drafting is on: the model wrote drafts, and no case that gets a reply lacks its draft,
    # though a kill can land between a case's filing and its draft.
    assert report.ai_drafts > 0 and report.missing_drafts == 0
