"""Dissolution on the SharePoint store, against the local Graph-speaking server: plan, decide
and apply end to end (a transfer with consent and a hand-back as bundles read back from the
library, then a purge that leaves no personal data), a legal hold that blocks, choices kept
one item per case in the CaseDesk Dissolution list, a site without that list, and the SAR
gaps (notes in the bundle, erasure removing the notes list's items)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import privacy_office
import pytest
from privacy_office import BOB, EMAIL, LETTER_LINE, NAME, audited, exporter

from casedesk.adapters.m365.sharepoint_lists import SharePointCaseRepository
from casedesk.core import casework, dissolution, erasure, holds, sar
from casedesk.core.audit import verify_chain
from casedesk.core.models import CaseStatus, DissolutionOption
from casedesk.core.personal_data import find_personal_data
from casedesk.core.triage import Triage
from casedesk.errors import SettingsError
from sharepoint_stack import DRIVE, SITE, SharePointStack

# The shared fixtures: Zanele's mail triaged into the SharePoint lists and library.
clock, sp, office = privacy_office.clock, privacy_office.sp, privacy_office.sharepoint_office

NOTE = "Rang the RSPB about the nest; they will write to the roofers"
CONSENT = "email of 3 June, ref 88"
OFFICE = dissolution.Office("Office", frozenset({"alex.morgan.mp@parliament.example"}), "salt")


def cases(office: Triage) -> tuple[str, str]:
    """(Zanele's case, with a note on it; Bob's case her reply was filed in)."""
    [own] = office.repo.cases_of_constituent(EMAIL)
    [bob] = office.repo.cases_of_constituent(BOB)
    casework.add_note(office.repo, office.clock, own.ref, NOTE, "priya.shah")
    return own.ref, bob.ref


def choice_items(sp: SharePointStack) -> dict[str, dict[str, object]]:
    """The CaseDesk Dissolution list's items by Title, as staff see them in SharePoint."""
    items = sp.rows("dissolution")
    assert len({i["Title"] for i in items}) == len(items), "one item per case"
    return {str(i["Title"]): i for i in items}


def apply(office: Triage, out: Path, dry_run: bool = False) -> list[dissolution.Applied]:
    return dissolution.apply(office.repo, office.files, office.ops, office.clock, OFFICE,
                             "jo.price", exporter(out), dry_run=dry_run)  # fmt: skip


def test_plan_decide_and_apply_transfer_and_hand_back_then_purge_on_sharepoint(
    office: Triage, sp: SharePointStack, tmp_path: Path
) -> None:
    own, bob = cases(office)
    repo, now = office.repo, office.clock.now()
    plan = {i.case.ref: i for i in dissolution.build_plan(repo, now, "Office").items}
    assert set(plan) == {own, bob} and not [i for i in plan.values() if i.choice]
    assert plan[own].proposed is DissolutionOption.HAND_BACK
    assert plan[own].handover.latest_note and plan[own].handover.latest_note.text == NOTE

    dissolution.decide(repo, office.clock, own, DissolutionOption.TRANSFER, "jo.price", CONSENT)
    dissolution.decide(repo, office.clock, bob, DissolutionOption.HAND_BACK, "jo.price")
    items = choice_items(sp)
    assert (items[own]["Choice"], items[own]["ConsentRef"], items[own].get("AppliedAt")) == (
        "transfer", CONSENT, None,
    )  # fmt: skip
    assert items[bob]["Choice"] == "hand-back" and items[bob]["DecidedBy"] == "jo.price"
    decided = {i.case.ref: i.choice for i in dissolution.build_plan(repo, now, "Office").items}
    assert decided == {c.case_ref: c for c in repo.dissolution_choices()}
    bundle = sar.collect(repo, office.files, EMAIL, now, "jo", "Office", set(OFFICE.emails),
                         "salt", office.ops)  # fmt: skip
    [record] = [f for f in bundle.files if f.path == f"records/casework/{own}.json"]
    assert json.loads(record.data)["dissolution_choice"]["consent_ref"] == CONSENT

    out = tmp_path / "bundles"
    before = len(repo.audit_entries())
    dry = apply(office, out, dry_run=True)
    assert [(r.ref, r.state) for r in dry] == [(own, "would"), (bob, "would")]
    assert not out.exists() and len(repo.audit_entries()) == before

    done = apply(office, out)
    assert [(r.ref, r.choice.value, r.state) for r in done] == [
        (own, "transfer", "done"), (bob, "hand-back", "done"),
    ]  # fmt: skip
    library = sp.fake.drive_files(SITE, DRIVE)
    with zipfile.ZipFile(out / f"transfer-{own}.zip") as z:
        assert json.loads(z.read("index.json"))["purpose"] == "transfer"
        assert NOTE in z.read("handover.md").decode()
        in_folder = {p: d for p, d in library.items() if p.startswith(f"cases/{own}/")}
        assert in_folder and {p: z.read(p) for p in in_folder} == in_folder  # the filed bytes
        assert not [n for n in z.namelist() if n.startswith(f"cases/{bob}/")]
    with zipfile.ZipFile(out / f"hand-back-{bob}.zip") as z:
        assert json.loads(z.read("index.json"))["purpose"] == "hand-back"
    assert {repo.get_case(r).status for r in (own, bob)} == {CaseStatus.CLOSED}
    items = choice_items(sp)
    assert items[own]["AppliedBy"] == "jo.price" and str(done[0].sha256) in str(
        items[own]["Outcome"]
    )
    assert all(c.is_applied for c in repo.dissolution_choices())
    assert apply(office, out) == []  # carried out: nothing left to do

    # The office's own copy goes last: the purge replaces the transfer's item.
    dissolution.decide(repo, office.clock, own, DissolutionOption.PURGE, "jo.price")
    items = choice_items(sp)
    assert (items[own]["Choice"], items[own].get("ConsentRef"), items[own].get("AppliedAt")) == (
        "purge", None, None,
    )  # fmt: skip
    [purged] = apply(office, out)
    assert purged.state == "done" and "tombstone" in purged.detail
    rows = json.dumps([sp.rows(k) for k in ("cases", "constituents", "messages", "notes")])
    files = sp.fake.drive_files(SITE, DRIVE)
    for needle in (EMAIL, NAME, LETTER_LINE, NOTE, "z1@mail.example.net"):
        assert needle not in rows, needle
        assert not [p for p, d in files.items() if needle.encode() in d], needle
    # The choice outlives the case, as the record of what was done, with no personal data.
    kept = choice_items(sp)
    assert set(kept) == {own, bob} and "tombstone" in str(kept[own]["Outcome"])
    assert not find_personal_data(json.dumps(sp.rows("dissolution")))
    assert audited(repo) == [
        ("dissolution.decided", own), ("dissolution.decided", bob),
        ("dissolution.transferred", own), ("dissolution.handed_back", bob),
        ("dissolution.decided", own), ("dissolution.purged", own),
    ]  # fmt: skip
    assert verify_chain(repo.audit_entries()).intact


def test_a_legal_hold_blocks_dissolution_on_sharepoint_until_released(
    office: Triage, sp: SharePointStack, tmp_path: Path
) -> None:
    own, bob = cases(office)
    repo = office.repo
    dissolution.decide(repo, office.clock, bob, DissolutionOption.HAND_BACK, "jo.price")
    dissolution.decide(repo, office.clock, own, DissolutionOption.PURGE, "jo.price")
    holds.hold(repo, office.clock, bob, "police request 4471", "jo.price")
    out = tmp_path / "bundles"
    blocked = {r.ref: (r.state, r.detail) for r in apply(office, out)}
    assert blocked[bob][0] == "blocked" and "on legal hold (police request 4471" in blocked[bob][1]
    # Her purge would erase her message in Bob's held case: the hold stops it too.
    assert blocked[own][0] == "blocked" and f"{bob} is on legal hold" in blocked[own][1]
    assert not out.exists() and repo.cases_of_constituent(EMAIL)
    assert sorted(r for a, r in audited(repo) if a == "dissolution.blocked") == sorted([own, bob])
    assert not [c for c in repo.dissolution_choices() if c.is_applied]
    assert [i.get("AppliedAt") for i in choice_items(sp).values()] == [None, None]

    holds.release(repo, office.clock, bob, "jo.price")
    assert {r.ref: r.state for r in apply(office, out)} == {bob: "done", own: "done"}
    assert (out / f"hand-back-{bob}.zip").exists() and repo.find_constituent(EMAIL) is None


def test_a_site_without_the_dissolution_list_plans_but_refuses_to_record_with_the_fix(
    office: Triage, sp: SharePointStack
) -> None:
    own, _ = cases(office)
    lists = replace(sp.lists, dissolution="CaseDesk Dissolution")  # not created on this site
    repo = SharePointCaseRepository(sp.caller, SITE, lists)
    plan = dissolution.build_plan(repo, office.clock.now(), "Office")
    assert plan.items and all(i.choice is None for i in plan.items)
    assert repo.dissolution_choices() == []
    with pytest.raises(SettingsError, match="create the 'CaseDesk Dissolution' list") as refused:
        dissolution.decide(repo, office.clock, own, DissolutionOption.PURGE, "jo.price")
    assert "docs/sharepoint-schema.md" in str(refused.value)
    assert audited(repo) == [] and sp.rows("dissolution") == []  # nothing half-recorded


def test_sharepoint_sar_holds_the_notes_and_erasure_removes_them(
    office: Triage, sp: SharePointStack
) -> None:
    own, _ = cases(office)
    bundle = sar.collect(office.repo, office.files, EMAIL, office.clock.now(), "jo", "Office",
                         set(OFFICE.emails), "salt", office.ops)  # fmt: skip
    [record] = [f for f in bundle.files if f.path == f"records/casework/{own}.json"]
    assert [n["text"] for n in json.loads(record.data)["notes"]] == [NOTE]
    assert NOTE in json.dumps(sp.rows("notes"))

    erasure.erase(office.repo, office.files, office.ops, office.clock, "salt", EMAIL, "asked", "jo")
    left = json.dumps([sp.rows(k) for k in ("notes", "cases", "constituents", "messages")])
    for needle in (NOTE, EMAIL, NAME):
        assert needle not in left, needle
