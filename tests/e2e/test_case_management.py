"""Case management as an office uses it from the command line: claim, status with a reason,
notes, tags, merge, timeline, the constituent record, search filters, bulk actions and a
handover, each audited with the person who did it (docs/case-management.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from casedesk.bootstrap import build_app
from casedesk.core import casework
from casedesk.core.audit import first_broken_link
from casedesk.settings import load_settings
from mailmaker import mail

ROOT = Path(__file__).resolve().parents[2]
DAMP, CEILING, BENEFITS = "CD-2026-000001", "CD-2026-000002", "CD-2026-000003"


def casedesk(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(tmp / "data"),
         "--settings", str(tmp / "casedesk.toml"), *args],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "160"},
    )  # fmt: skip


def ok(tmp: Path, *args: str) -> Any:
    done = casedesk(tmp, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The demo office's rules and three letters: two from Priya, one from Tom."""
    (tmp_path / "casedesk.toml").write_text(
        f'safety_lead = "sam.okafor"\nrules_file = "{ROOT / "samples" / "rules.yaml"}"\n',
        encoding="utf-8",
    )
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "1.eml").write_bytes(mail())
    (inbox / "2.eml").write_bytes(
        mail(
            subject="Bedroom ceiling has collapsed",
            body="Dear Alex,\n\nThe bedroom ceiling in my flat collapsed last night after the "
            "leak. The landlord will not answer.\n\nPriya Shah\nCB1 2AD\n",
            message_id="<m2@example.org>",
        )
    )
    (inbox / "3.eml").write_bytes(
        mail(
            sender="Tom Baker <tom.baker@example.org>",
            subject="Universal Credit sanction",
            body="Dear Alex,\n\nMy Universal Credit was stopped by the DWP and I cannot pay "
            "for food. Please help.\n\nTom Baker\nCB4 1TF\n",
            message_id="<m3@example.org>",
        )
    )
    done = casedesk(tmp_path, "triage", str(inbox), "--json")
    assert done.returncode == 0, done.stderr
    return tmp_path


def audit(tmp: Path, ref: str) -> list[tuple[str, str]]:
    app = build_app(load_settings({"data_dir": tmp / "data"}, environ={}))
    try:
        assert first_broken_link(app.repo.audit_entries()) is None
        return [(e.action, e.actor) for e in app.repo.audit_entries(ref)]
    finally:
        app.close()


def test_a_caseworker_claims_notes_tags_waits_and_closes_a_case(office: Path) -> None:
    ok(office, "claim", DAMP, "--by", "priya.shah")  # routing may have given it to her already
    assert ok(office, "case", DAMP)["case"]["assignee"] == "priya.shah"
    ok(office, "status", DAMP, "awaiting_agency", "--reason", "referred to the council",
       "--by", "priya.shah")  # fmt: skip
    ok(office, "note", DAMP, "Rang the council repairs team: surveyor booked", "--by", "priya.shah")
    ok(office, "tag", DAMP, "--add", "Council", "--by", "priya.shah")

    shown = ok(office, "case", DAMP)
    assert shown["case"]["status"] == "awaiting_agency" and "council" in shown["case"]["tags"]
    [note] = shown["notes"]
    assert note["author"] == "priya.shah" and note["text"].startswith("Rang the council")

    events = ok(office, "timeline", DAMP)["events"]
    kinds = [(e["kind"], e["actor"]) for e in events]
    assert kinds[0] == ("message", "priya.shah@example.org")
    assert ("opened", "casedesk-triage") in kinds and ("draft", "casedesk-triage") in kinds
    assert ("status", "priya.shah") in kinds and ("note", "priya.shah") in kinds
    [opened] = [e for e in events if e["kind"] == "opened"]
    assert "rules" in opened["text"]  # which routing rules matched, from the audit log

    ok(office, "status", DAMP, "closed", "--reason", "repairs done", "--by", "priya.shah")
    refused = casedesk(office, "assign", DAMP, "--to", "tom.reid", "--by", "jo.price")
    assert refused.returncode == 1 and f"casedesk status {DAMP} open" in refused.stderr
    no_reason = casedesk(office, "status", DAMP, "open", "--by", "jo.price")
    assert no_reason.returncode == 1 and "--reason" in no_reason.stderr
    by_priya = [a for a, who in audit(office, DAMP) if who == "priya.shah"]
    assert by_priya[-4:] == [
        casework.STATUS_CHANGED, casework.NOTE_ADDED, casework.TAGGED, casework.STATUS_CHANGED,
    ]  # fmt: skip


def test_a_merged_case_still_resolves_and_says_where_it_went(office: Path) -> None:
    done = ok(office, "merge", CEILING, DAMP, "--by", "priya.shah", "--reason", "same flat")
    assert done == {"merged": CEILING, "into": DAMP, "messages_moved": 1, "links_moved": [],
                    "by": "priya.shah"}  # fmt: skip
    old = casedesk(office, "case", CEILING)
    assert old.returncode == 0 and f"{CEILING} was merged into {DAMP}" in old.stdout
    assert ok(office, "case", CEILING)["case"]["merged_into"] == DAMP
    assert ok(office, "case", DAMP)["case"]["message_count"] == 2
    folder = office / "data" / "cases"
    kept = json.loads((folder / DAMP / "case.json").read_text(encoding="utf-8"))
    gone = json.loads((folder / CEILING / "case.json").read_text(encoding="utf-8"))
    assert len(kept["messages"]) == 2 and (gone["messages"], gone["merged_into"]) == ([], DAMP)
    again = casedesk(office, "note", CEILING, "hello", "--by", "priya.shah")
    assert again.returncode == 1 and f"act on {DAMP}" in again.stderr

    person = ok(office, "constituent", "Priya.Shah@example.org")
    assert person["constituent"]["name"] == "Priya Shah"
    assert [(c["ref"], c["merged_into"]) for c in person["cases"]] == [
        (DAMP, None), (CEILING, DAMP),
    ]  # fmt: skip
    missing = casedesk(office, "constituent", "nobody@example.org")
    assert missing.returncode == 1 and "no constituent" in missing.stderr
    assert (casework.MERGED, "priya.shah") in audit(office, CEILING)
    assert (casework.MERGED_IN, "priya.shah") in audit(office, DAMP)

    ok(office, "link", DAMP, BENEFITS, "--by", "jo.price")
    assert ok(office, "case", BENEFITS)["linked_cases"] == [DAMP]
    assert ok(office, "case", DAMP)["linked_cases"] == [BENEFITS]


def refs(office: Path, *args: str) -> list[str]:
    return [c["ref"] for c in ok(office, "search", *args)["cases"]]


def test_search_filters_then_bulk_close_previews_before_it_acts(office: Path) -> None:
    ok(office, "assign", BENEFITS, "--to", "ben.cole", "--by", "jo.price")
    ok(office, "note", BENEFITS, "Sanction appeal form sent", "--by", "ben.cole")
    assert refs(office, "--assignee", "ben.cole") == [BENEFITS]
    assert refs(office, "appeal") == [BENEFITS]  # notes are searched too
    assert refs(office, "--topic", "benefits") == [BENEFITS]
    assert set(refs(office, "--tag", "housing")) == {DAMP, CEILING}
    assert refs(office, "--from", "2026-11-16", "--to", "2026-11-16", "--postcode", "CB4") == [
        BENEFITS
    ]
    assert refs(office, "--from", "2026-11-17") == []
    bad = casedesk(office, "search", "--from", "16/11/2026")
    assert bad.returncode == 2 and "use a date like" in bad.stderr

    preview = ok(office, "bulk", "close", "--tag", "housing", "--reason", "resolved by council",
                 "--by", "jo.price")  # fmt: skip
    assert preview["dry_run"] is True and preview["would_change"] == 2
    assert {c["status"] for c in ok(office, "search", "--tag", "housing")["cases"]} == {"new"}

    done = ok(office, "bulk", "close", "--tag", "housing", "--reason", "resolved by council",
              "--by", "jo.price", "--yes")  # fmt: skip
    assert done["changed"] == 2
    assert {c["status"] for c in ok(office, "search", "--tag", "housing")["cases"]} == {"closed"}
    for ref in (DAMP, CEILING):
        assert (casework.STATUS_CHANGED, "jo.price") in audit(office, ref)
    again = ok(office, "bulk", "close", "--tag", "housing", "--reason", "x", "--by", "jo.price")
    assert again["would_change"] == 0 and "already closed" in again["cases"][0]["refused"]

    everything = casedesk(office, "bulk", "close", "--reason", "x", "--by", "jo.price", "--yes")
    assert everything.returncode == 1 and "at least one search filter" in everything.stderr
    tagged = ok(office, "bulk", "tag", "--topic", "benefits", "--add", "dwp", "--by", "jo.price",
                "--yes")  # fmt: skip
    assert tagged["changed"] == 1 and refs(office, "--tag", "dwp") == [BENEFITS]


def test_handover_writes_a_note_per_open_case_and_reassigns_them(office: Path) -> None:
    ok(office, "unassign", CEILING, "--by", "jo.price")  # the housing team may have it
    for ref in (DAMP, BENEFITS):
        ok(office, "assign", ref, "--to", "tom.reid", "--by", "jo.price")
    ok(office, "status", BENEFITS, "awaiting_agency", "--reason", "mandatory reconsideration",
       "--by", "tom.reid")  # fmt: skip

    human = casedesk(office, "handover", "tom.reid")
    assert human.returncode == 0, human.stderr
    assert "# Handover: tom.reid" in human.stdout and f"## {BENEFITS}" in human.stdout
    assert "Waiting for the agency since" in human.stdout
    assert "mandatory reconsideration" in human.stdout and "Next step:" in human.stdout
    [saved] = list((office / "data" / "handover").glob("tom.reid-*.md"))
    assert f"## {DAMP}" in saved.read_text(encoding="utf-8")

    no_by = casedesk(office, "handover", "tom.reid", "--to", "ana.lopes")
    assert no_by.returncode == 2 and "--by" in no_by.stderr
    moved = ok(office, "handover", "tom.reid", "--to", "ana.lopes", "--by", "jo.price")
    assert sorted(moved["reassigned"]) == [DAMP, BENEFITS]
    assert {c["ref"] for c in moved["cases"]} == {DAMP, BENEFITS}
    assert sorted(refs(office, "--assignee", "ana.lopes", "--open")) == [DAMP, BENEFITS]
    assert ok(office, "handover", "tom.reid")["cases"] == []
    [last] = [e for e in audit(office, DAMP) if e[0] == casework.ASSIGNED][-1:]
    assert last == (casework.ASSIGNED, "jo.price")


def test_people_are_checked_against_the_rules_file(office: Path) -> None:
    typo = casedesk(office, "assign", DAMP, "--to", "tom.ried", "--by", "jo.price")
    assert typo.returncode == 1 and "did you mean 'tom.reid'" in typo.stderr
    stranger = casedesk(office, "claim", DAMP, "--by", "mallory")
    assert stranger.returncode == 1 and "not one of the people in the rules file" in stranger.stderr
    unknown = casedesk(office, "note", "CD-2026-000404", "hi", "--by", "jo.price")
    assert unknown.returncode == 1 and "no case" in unknown.stderr
    typo_person = casedesk(office, "handover", "priya.shha")
    assert typo_person.returncode == 1 and "did you mean 'priya.shah'" in typo_person.stderr
