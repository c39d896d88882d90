"""Dissolution on the embedded store: the plan with handover notes, decisions (a transfer needs
consent), the dry run, and apply: bundles for transfers and hand-backs, purges that leave no
personal data, legal holds that block everything, and an audit entry for each."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta
from pathlib import Path

import privacy_office
import pytest
from privacy_office import (
    BOB,
    EMAIL,
    LETTER_LINE,
    NAME,
    POSTCODE,
    START,
    audited,
    build_office,
    exporter,
    office_settings,
    zanele_refs,
)
from test_cli import run
from test_privacy import store_bytes

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.core import casework, dissolution, holds, sar
from casedesk.core.audit import verify_chain
from casedesk.core.models import CaseStatus, DissolutionOption
from casedesk.core.personal_data import find_personal_data
from casedesk.settings import load_settings

NOTE = "Rang the RSPB about the nest; they will write to the roofers"
REFERRAL_NOTE = "Referred to the wildlife crime officer, ticket WCO-5521"
OFFICE = dissolution.Office("Office", frozenset({"alex.morgan.mp@parliament.example"}), "salt")


clock, office = privacy_office.clock, privacy_office.office  # the shared fixtures


# --- plan -----------------------------------------------------------------------------------


def test_the_plan_gives_each_open_case_its_handover_and_a_default(
    tmp_path: Path, office: App, clock: FixedClock
) -> None:
    own, bob, mo = zanele_refs(office)
    casework.add_note(office.repo, clock, own, NOTE, "priya.shah")
    casework.change_status(office.repo, clock, mo, CaseStatus.CLOSED, "pothole fixed", "jo")
    holds.hold(office.repo, clock, bob, "police request 4471", "jo.price")
    plan = dissolution.build_plan(office.repo, clock.now(), "Office")
    by_ref = {i.case.ref: i for i in plan.items}
    assert set(by_ref) == {own, bob}  # Mo's case is closed: retention governs it
    assert by_ref[own].proposed is DissolutionOption.HAND_BACK
    assert by_ref[own].handover.latest_note and by_ref[own].handover.latest_note.text == NOTE
    assert by_ref[own].handover.next_step == "carry on from the latest note"
    assert by_ref[bob].hold and "on legal hold (police request 4471)" in by_ref[bob].why

    out = tmp_path / "report"
    done = run(tmp_path / "data", "dissolution", "plan", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    cases = json.loads(done.stdout)["dissolution"]["cases"]
    assert {c["ref"]: c["proposed"] for c in cases} == {
        r: i.proposed.value for r, i in by_ref.items()
    }
    assert {p.name for p in out.iterdir()} == {"plan.csv", "plan.html", "handover.md"}
    assert all(p.stat().st_mode & 0o077 == 0 for p in out.iterdir())  # names constituents
    csv_lines = (out / "plan.csv").read_text().splitlines()
    assert csv_lines[0].startswith("ref,subject,constituent,status") and len(csv_lines) == 3
    assert f"## {own}: Roofers and the kestrel nest" in (out / "handover.md").read_text()
    assert "casedesk dissolution decide REF" in (out / "plan.html").read_text()


def test_spam_and_campaign_mail_is_proposed_for_purge() -> None:
    from dataclasses import replace

    from casedesk.core.models import Case, Category, Topic

    case = Case(
        "CD-2026-000001", "a@example.org", "A", "s", Category.SPAM, Topic.OTHER, False,
        CaseStatus.OPEN, None, None, "", START, START,
    )  # fmt: skip
    assert dissolution.propose(case, None)[0] is DissolutionOption.PURGE
    campaign = replace(case, category=Category.CAMPAIGN)
    assert dissolution.propose(campaign, None)[0] is DissolutionOption.PURGE
    abuse = replace(case, category=Category.ABUSE)
    option, why = dissolution.propose(abuse, None)
    assert option is DissolutionOption.PURGE and "legal hold" in why
    work = replace(case, category=Category.CASEWORK)
    assert dissolution.propose(work, None)[0] is DissolutionOption.HAND_BACK


# --- decide ---------------------------------------------------------------------------------


def test_a_transfer_without_consent_is_refused_and_nothing_recorded(
    tmp_path: Path, office: App
) -> None:
    own, _, _ = zanele_refs(office)
    data = tmp_path / "data"
    refused = run(data, "dissolution", "decide", own, "transfer", "--by", "jo.price")
    assert refused.returncode == 1
    assert "needs the constituent's consent" in refused.stderr and "--consent-ref" in refused.stderr
    leaky = run(data, "dissolution", "decide", own, "transfer", "--by", "jo.price",
                "--consent-ref", f"email from {EMAIL}")  # fmt: skip
    assert leaky.returncode == 1 and "no personal data" in leaky.stderr
    unknown = run(data, "dissolution", "decide", own, "give-away", "--by", "jo.price")
    assert unknown.returncode == 1 and "transfer, hand-back, purge" in unknown.stderr
    assert office.repo.dissolution_choices() == [] and audited(office.repo) == []

    ok = run(data, "dissolution", "decide", own.lower(), "transfer", "--by", "jo.price",
             "--consent-ref", "email of 3 June, ref 88", "--json")  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    [choice] = office.repo.dissolution_choices()
    assert (choice.case_ref, choice.choice, choice.consent_ref, choice.decided_by) == (
        own, DissolutionOption.TRANSFER, "email of 3 June, ref 88", "jo.price",
    )  # fmt: skip
    [entry] = [e for e in office.repo.audit_entries() if e.action == "dissolution.decided"]
    assert entry.detail == {"choice": "transfer", "consent_ref": "email of 3 June, ref 88"}


def test_apply_is_a_dry_run_by_default(tmp_path: Path, office: App, clock: FixedClock) -> None:
    own, bob, _ = zanele_refs(office)
    dissolution.decide(office.repo, clock, own, DissolutionOption.PURGE, "jo.price")
    dissolution.decide(office.repo, clock, bob, DissolutionOption.HAND_BACK, "jo.price")
    before = len(office.repo.audit_entries())
    out = tmp_path / "bundles"
    dry = run(tmp_path / "data", "dissolution", "apply", "--by", "jo.price", "--out", str(out),
              "--json")  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    answer = json.loads(dry.stdout)["dissolution"]
    assert answer["dry_run"] is True
    assert [(r["ref"], r["state"]) for r in answer["results"]] == [(bob, "would"), (own, "would")]
    assert not out.exists() and len(office.repo.audit_entries()) == before
    assert office.repo.cases_of_constituent(EMAIL) != []


# --- apply ----------------------------------------------------------------------------------


def test_transfer_and_hand_back_write_bundles_close_the_cases_and_audit(
    tmp_path: Path, office: App, clock: FixedClock
) -> None:
    own, bob, _ = zanele_refs(office)
    casework.add_note(office.repo, clock, own, NOTE, "priya.shah")
    dissolution.decide(office.repo, clock, own, DissolutionOption.TRANSFER, "jo.price",
                       "email of 3 June, ref 88")  # fmt: skip
    dissolution.decide(office.repo, clock, bob, DissolutionOption.HAND_BACK, "jo.price")
    out = tmp_path / "bundles"
    done = dissolution.apply(office.repo, office.files, office.ops, clock, OFFICE, "jo.price",
                             exporter(out), dry_run=False)  # fmt: skip
    assert [(r.ref, r.choice.value, r.state) for r in done] == [
        (own, "transfer", "done"), (bob, "hand-back", "done"),
    ]  # fmt: skip
    with zipfile.ZipFile(out / f"transfer-{own}.zip") as z:
        names = set(z.namelist())
        index = json.loads(z.read("index.json"))
        handover = z.read("handover.md").decode()
        html = z.read("index.html").decode()
        casework_record = json.loads(z.read(f"records/casework/{own}.json"))
    assert index["purpose"] == "transfer" and "successor MP" in html
    assert f"## {own}: Roofers and the kestrel nest" in handover and NOTE in handover
    assert [n["text"] for n in casework_record["notes"]] == [NOTE]
    for stored in office.files.list_case_files(own):
        assert stored in names
    assert not [n for n in names if n.startswith(f"cases/{bob}/")]  # only this case
    with zipfile.ZipFile(out / f"hand-back-{bob}.zip") as z:
        assert json.loads(z.read("index.json"))["purpose"] == "hand-back"
        assert "handover.md" not in z.namelist()

    assert office.repo.get_case(own).status is CaseStatus.CLOSED
    assert office.repo.get_case(bob).status is CaseStatus.CLOSED
    [transferred] = [
        e for e in office.repo.audit_entries() if e.action == "dissolution.transferred"
    ]
    assert transferred.detail["consent_ref"] == "email of 3 June, ref 88"
    assert transferred.detail["archive_sha256"] == done[0].sha256
    assert audited(office.repo) == [
        ("dissolution.decided", own), ("dissolution.decided", bob),
        ("dissolution.transferred", own), ("dissolution.handed_back", bob),
    ]  # fmt: skip
    assert {c.case_ref: c.is_applied for c in office.repo.dissolution_choices()} == {
        own: True, bob: True,
    }  # fmt: skip
    # Carried out: running again does nothing; only purge can follow for the office's copy.
    again = dissolution.apply(office.repo, office.files, office.ops, clock, OFFICE, "jo.price",
                              exporter(out), dry_run=False)  # fmt: skip
    assert again == []
    with pytest.raises(Exception, match="only purge can follow"):
        dissolution.decide(office.repo, clock, own, DissolutionOption.HAND_BACK, "jo.price")
    dissolution.decide(office.repo, clock, own, DissolutionOption.PURGE, "jo.price")
    assert verify_chain(office.repo.audit_entries()).intact


def test_purging_a_persons_last_case_leaves_no_personal_data_and_a_tombstone(
    tmp_path: Path, clock: FixedClock
) -> None:
    office = build_office(tmp_path, clock, with_samples=False, with_mention=False)
    own, bob = (office.repo.cases_of_constituent(e)[0].ref for e in (EMAIL, BOB))
    casework.add_note(office.repo, clock, own, NOTE, "priya.shah")
    office.repo.add_referral(own, "council", START, "priya.shah", START + timedelta(days=9),
                             REFERRAL_NOTE)  # fmt: skip
    data = tmp_path / "data"
    # Reading the database file in this process would drop this connection's SQLite locks
    # (POSIX advisory locks are per process), so close it and reopen after the CLI has run.
    office.close()
    assert EMAIL.encode() in store_bytes(data) and NOTE.encode() in store_bytes(data)
    decided = run(data, "dissolution", "decide", own, "purge", "--by", "jo.price")
    assert decided.returncode == 0, decided.stderr
    done = run(data, "dissolution", "apply", "--no-dry-run", "--by", "jo.price", "--json")
    assert done.returncode == 0, done.stderr
    [result] = json.loads(done.stdout)["dissolution"]["results"]
    assert result["state"] == "done" and "tombstone" in result["detail"]

    everything = store_bytes(data)
    for needle in (EMAIL, NAME, POSTCODE, LETTER_LINE, NOTE, REFERRAL_NOTE, "kestrel",
                   "support Bob's complaint", "z1@mail.example.net"):  # fmt: skip
        assert needle.encode() not in everything, needle
    office = build_app(load_settings(office_settings(data), environ={}), clock)
    assert office.repo.find_constituent(EMAIL) is None
    assert [m.from_addr for m in office.repo.case_messages(bob)] == [BOB]  # Bob's case stays
    entries = office.repo.audit_entries()
    assert verify_chain(entries).intact
    [tombstone] = [e for e in entries if e.action == "person.erased"]
    assert not find_personal_data(json.dumps(tombstone.detail))
    assert f"dissolution: purge of {own}" in str(tombstone.detail["reason"])
    order = [(e.action, e.object_ref) for e in entries if e.action in
             ("dissolution.decided", "dissolution.purged", "person.erased", "case.deleted")]  # fmt: skip
    assert order == [
        ("dissolution.decided", own), ("dissolution.purged", own),
        ("person.erased", tombstone.object_ref), ("case.deleted", own),
    ]  # fmt: skip
    [choice] = office.repo.dissolution_choices()
    assert choice.is_applied and "tombstone" in choice.outcome
    office.close()


def test_purging_one_of_several_cases_keeps_the_person_and_their_other_case(
    office: App, clock: FixedClock
) -> None:
    from casedesk.core.models import RawMessage
    from mailmaker import mail

    second = mail("A second matter: the bins were not collected.\n",
                  sender=f"{NAME} <{EMAIL}>", subject="Bins",
                  message_id="<z9@mail.example.net>")  # fmt: skip
    office.triage.triage_one(RawMessage("z9.eml", second))
    own, _, _ = refs_first(office)
    dissolution.decide(office.repo, clock, own, DissolutionOption.PURGE, "jo.price")
    [result] = dissolution.apply(office.repo, office.files, office.ops, clock, OFFICE,
                                 "jo.price", exporter(Path("unused")), dry_run=False)  # fmt: skip
    assert result.state == "done" and "their record stays" in result.detail
    assert office.repo.find_constituent(EMAIL) is not None
    assert [c.subject for c in office.repo.cases_of_constituent(EMAIL)] == ["Bins"]
    [deleted] = [e for e in office.repo.audit_entries() if e.action == "case.deleted"]
    purged = [e for e in office.repo.audit_entries() if e.action == "dissolution.purged"]
    assert deleted.object_ref == own and deleted.detail["dissolution"] == purged[0].seq
    assert not [e for e in office.repo.audit_entries() if e.action == "person.erased"]


def refs_first(app: App) -> tuple[str, str, str]:
    """Zanele's first case (the kestrel one) when she has more than one."""
    [own] = [c.ref for c in app.repo.cases_of_constituent(EMAIL) if "kestrel" in c.subject]
    [bob] = app.repo.cases_of_constituent(BOB)
    return own, bob.ref, ""


def test_a_legal_hold_blocks_every_choice_and_is_audited(
    tmp_path: Path, office: App, clock: FixedClock
) -> None:
    own, bob, mo = zanele_refs(office)
    dissolution.decide(office.repo, clock, mo, DissolutionOption.TRANSFER, "jo.price", "letter 7")
    dissolution.decide(office.repo, clock, bob, DissolutionOption.HAND_BACK, "jo.price")
    dissolution.decide(office.repo, clock, own, DissolutionOption.PURGE, "jo.price")
    for ref in (mo, bob):
        holds.hold(office.repo, clock, ref, "police request 4471", "jo.price")
    out = tmp_path / "bundles"
    done = dissolution.apply(office.repo, office.files, office.ops, clock, OFFICE, "jo.price",
                             exporter(out), dry_run=False)  # fmt: skip
    states = {r.ref: (r.state, r.detail) for r in done}
    assert states[mo][0] == states[bob][0] == "blocked"
    assert "on legal hold (police request 4471" in states[mo][1]
    # Her purge would erase her message in Bob's held case: the hold stops it too.
    assert states[own][0] == "blocked" and f"{bob} is on legal hold" in states[own][1]
    assert not out.exists()
    assert office.repo.cases_of_constituent(EMAIL) != [] and office.repo.get_case(mo)
    blocked = [ref for action, ref in audited(office.repo) if action == "dissolution.blocked"]
    assert sorted(blocked) == sorted([mo, bob, own])
    assert not [c for c in office.repo.dissolution_choices() if c.is_applied]

    holds.release(office.repo, clock, bob, "jo.price")
    holds.release(office.repo, clock, mo, "jo.price")
    done = dissolution.apply(office.repo, office.files, office.ops, clock, OFFICE, "jo.price",
                             exporter(out), dry_run=False)  # fmt: skip
    assert {r.ref: r.state for r in done} == {mo: "done", bob: "done", own: "done"}


def test_the_sar_bundle_shows_a_recorded_dissolution_choice(office: App, clock: FixedClock) -> None:
    own, _, _ = zanele_refs(office)
    dissolution.decide(office.repo, clock, own, DissolutionOption.TRANSFER, "jo.price", "form 12")
    bundle = sar.collect(office.repo, office.files, EMAIL, clock.now(), "jo", "Office",
                         set(OFFICE.emails), "salt", office.ops)  # fmt: skip
    [record] = [f for f in bundle.files if f.path == f"records/casework/{own}.json"]
    choice = json.loads(record.data)["dissolution_choice"]
    assert (choice["choice"], choice["consent_ref"], choice["applied_at"]) == (
        "transfer", "form 12", None,
    )  # fmt: skip


def test_the_plan_report_escapes_what_constituents_wrote(office: App, clock: FixedClock) -> None:
    from casedesk.core.models import RawMessage
    from casedesk.entrypoints.dissolution_report import render_csv, render_html
    from mailmaker import mail

    hostile = mail("Help with my housing benefit please.\n",
                   sender='"<img src=x onerror=alert(1)>" <evil@example.org>',
                   subject='<script>alert("x")</script> housing benefit',
                   message_id="<evil@example.org>")  # fmt: skip
    office.triage.triage_one(RawMessage("evil.eml", hostile))
    plan = dissolution.build_plan(office.repo, clock.now(), "Office")
    html = render_html(plan)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "default-src 'none'" in html
    assert '<script>alert(""x"")</script> housing benefit' in render_csv(plan)  # CSV quoting
