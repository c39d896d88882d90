"""Data protection on the embedded store: audit verify and query, subject access bundles,
retention (dry run, apply, legal hold) and erasure that leaves no personal data behind."""

from __future__ import annotations

import json
import re
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
    NEIGHBOUR,
    NEIGHBOUR_PHONE,
    POSTCODE,
    ROOT,
    build_office,
    office_settings,
    zanele_refs,
)
from test_cli import run

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.core import erasure, holds, retention, rules_history, sar
from casedesk.core.audit import verify_chain
from casedesk.core.audit_actions import ACTIONS
from casedesk.core.corrections import correct
from casedesk.core.models import CaseQuery, Category, RawMessage
from casedesk.core.personal_data import find_personal_data
from casedesk.entrypoints.sar_archive import render_index_html, write_archive
from casedesk.settings import load_settings
from mailmaker import mail

OFFICE = {"alex.morgan.mp@parliament.example"}


clock, office = privacy_office.clock, privacy_office.office  # the shared fixtures


def collect(app: App, email: str = EMAIL) -> sar.SarBundle:
    salt = sar.office_salt(app.ops)
    return sar.collect(
        app.repo, app.files, email, app.clock.now(), "jo.price", "Office", OFFICE, salt
    )


# --- audit ----------------------------------------------------------------------------------


def test_audit_verify_names_the_entry_edited_in_sqlite_and_what_that_means(
    tmp_path: Path, office: App
) -> None:
    data = tmp_path / "data"
    intact = run(data, "audit", "verify", "--json")
    assert intact.returncode == 0, intact.stderr
    assert json.loads(intact.stdout)["intact"] is True
    conn = office.repo.conn  # type: ignore[attr-defined]
    [original] = conn.execute("SELECT detail FROM audit WHERE seq = 3").fetchone()
    conn.execute("UPDATE audit SET detail = json_set(detail, '$.category', 'spam') WHERE seq = 3")
    broken = run(data, "audit", "verify")
    assert broken.returncode == 1
    assert "audit entry 3 does not check out" in broken.stderr
    assert "content" in broken.stderr and "before 3 are intact" in broken.stderr
    answer = json.loads(run(data, "audit", "verify", "--json").stdout)
    assert answer["first_break"]["seq"] == 3 and answer["intact"] is False

    conn.execute("DELETE FROM audit WHERE seq = 5")
    # Put 3 back as it was written: now the deletion is the first problem.
    conn.execute("UPDATE audit SET detail = ? WHERE seq = 3", (original,))
    gone = run(data, "audit", "verify")
    assert gone.returncode == 1 and "audit entry 5 does not check out" in gone.stderr
    assert "it is missing (entry 6 comes next)" in gone.stderr


def test_audit_lists_by_case_actor_and_action(tmp_path: Path, office: App) -> None:
    own, _, _ = zanele_refs(office)
    correct(office.repo, office.clock, own, "sam.okafor", category=Category.POLICY)
    data = tmp_path / "data"

    def seqs(*args: str) -> list[tuple[str, str]]:
        done = run(data, "audit", *args, "--json")
        assert done.returncode == 0, done.stderr
        return [(e["action"], e["object"]) for e in json.loads(done.stdout)["entries"]]

    about = seqs("--case", own.lower())
    assert about[0] == ("case.opened", own) and ("case.corrected", own) in about
    assert {o for _, o in about} == {own}
    assert seqs("--actor", "sam.okafor") == [("case.corrected", own)]
    family = {a for a, _ in seqs("--action", "case.*")}
    assert family >= {"case.opened", "case.corrected"} and all(
        a.startswith("case.") for a in family
    )
    assert len(seqs("--since", "36500d")) == len(office.repo.audit_entries())
    bad = run(data, "audit", "--since", "soon")
    assert bad.returncode == 2 and "30d, 12m, 6y" in bad.stderr


def test_every_action_the_code_performs_is_catalogued_and_documented(
    tmp_path: Path, office: App, clock: FixedClock
) -> None:
    own, bob, _ = zanele_refs(office)
    correct(office.repo, clock, own, "sam.okafor", urgent=True)
    rules = ROOT / "samples" / "rules.yaml"
    text = rules.read_text(encoding="utf-8") + "\n# edited\n"
    rules_history.record(office.repo, office.ops, clock, text, str(rules), "jo.price")
    holds.hold(office.repo, clock, bob, "police request 4471", "jo.price")
    holds.release(office.repo, clock, bob, "jo.price")
    sar.record_export(office.repo, clock, "salt", collect(office), "0" * 64)
    office.triage.triage_one(RawMessage("hers.eml", b"\x00 not mail from " + EMAIL.encode()))
    erasure.erase(office.repo, office.files, office.ops, clock, "salt", EMAIL, "asked", "jo")
    clock.advance(timedelta(days=400))
    policy = retention.RetentionPolicy.from_settings({"casework": "1y"})
    report = retention.review(office.repo, policy, clock.now())
    retention.apply(office.repo, office.files, office.ops, clock, report)
    office.triage.triage_one(RawMessage("bad.eml", b"\x00 not mail"))
    performed = {e.action for e in office.repo.audit_entries()}
    assert performed <= set(ACTIONS), performed - set(ACTIONS)
    from casedesk.core import casework

    case_management = {casework.ASSIGNED, casework.STATUS_CHANGED, casework.TAGGED,
                       casework.NOTE_ADDED, casework.MERGED, casework.MERGED_IN,
                       casework.LINKED, casework.UNLINKED}  # fmt: skip
    assert case_management <= set(ACTIONS), case_management - set(ACTIONS)
    assert performed >= {
        "case.opened", "message.threaded", "draft.created", "case.corrected", "rules.changed",
        "case.held", "case.released", "sar.exported", "case.deleted", "person.erased",
        "message.deleted", "message.quarantined", "quarantine.deleted",
    }  # fmt: skip
    doc = (ROOT / "docs" / "data-protection.md").read_text(encoding="utf-8")
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (ROOT / "src" / "casedesk").rglob("*.py")
        if p.name != "audit_actions.py"
    )
    for action in ACTIONS:
        assert f"`{action}`" in doc, f"{action} is not listed in docs/data-protection.md"
        assert f'"{action}"' in source, f"{action} is catalogued but nothing writes it"


# --- subject access -------------------------------------------------------------------------


def test_a_sar_bundle_holds_every_stored_item_about_the_person_and_flags_third_parties(
    office: App,
) -> None:
    own, bob, mo = zanele_refs(office)
    bundle = collect(office)
    paths = {f.path: f for f in bundle.files}
    for stored in office.files.list_case_files(own):  # every file in her case folder...
        assert paths[stored].data == office.files.read_file(stored)  # ...byte for byte
    for message in office.repo.case_messages(own):
        assert message.filed_path in paths
    [z3] = [m for m in office.repo.messages_from(EMAIL) if m.case_ref == bob]
    assert paths[z3.filed_path].kind == "message"
    assert bundle.other_cases == {bob: [z3.message_id]}
    assert {"records/constituent.json", f"records/cases/{own}.json", "records/audit.json",
            f"records/other-cases/{bob}.json"} <= set(paths)  # fmt: skip

    # Nothing of Bob's but her own message; Mo's case is only named, for review.
    assert not [p for p in paths if p.startswith(f"cases/{bob}/") and p != z3.filed_path]
    assert not [p for p in paths if p.startswith(f"cases/{mo}/")]
    assert all(b"Mill Road has been broken" not in f.data for f in bundle.files)
    assert bundle.mentioned_in == [mo]

    person = json.loads(paths["records/constituent.json"].data)
    assert (person["email"], person["name"], person["postcode"]) == (EMAIL, NAME, POSTCODE)
    audited = {(e.action, e.object_ref) for e in bundle.audit}
    assert ("case.opened", own) in audited and ("message.threaded", bob) in audited
    assert ("case.opened", bob) not in audited  # Bob's case opening is not about her

    review = {(t["kind"], t["value"]) for t in bundle.third_party}
    digits = re.sub(r"\D", "", NEIGHBOUR_PHONE)
    assert {("email", NEIGHBOUR), ("name", "Tom Neighbour"), ("phone", digits),
            ("email", BOB), ("phone", "01223555010")} <= review  # fmt: skip
    assert not {v for _, v in review} & {EMAIL, POSTCODE, *OFFICE}
    assert not [v for _, v in review if v.startswith("z1@")]  # Message-IDs are not people
    [photo] = [f for f in bundle.files if f.path.endswith("photo.jpg")]
    assert photo.scanned is False


def test_the_sar_command_writes_a_reviewable_zip_and_audits_it_without_the_address(
    tmp_path: Path, office: App
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    nobody = run(data, "sar", EMAIL, "--out", str(out))
    assert nobody.returncode == 2 and "--by" in nobody.stderr
    done = run(data, "sar", EMAIL.upper(), "--by", "jo.price", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)["sar"]
    archive = Path(answer["archive"])
    assert (
        archive.parent == out and EMAIL not in archive.name and archive.stat().st_mode & 0o077 == 0
    )
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        index = json.loads(z.read("index.json"))
        html = z.read("index.html").decode()
    assert {"index.html", "index.json"} <= names
    assert {f["path"] for f in index["files"]} == names - {"index.html", "index.json"}
    assert index["about"]["email"] == EMAIL and "Check before sending" in html
    [entry] = [e for e in office.repo.audit_entries() if e.action == "sar.exported"]
    assert entry.actor == "jo.price" and entry.object_ref.startswith("person:")
    assert entry.detail["archive_sha256"] == answer["sha256"]
    assert not find_personal_data(json.dumps(entry.detail)) and EMAIL not in entry.object_ref


def test_index_html_escapes_whatever_the_constituent_wrote(
    tmp_path: Path, clock: FixedClock
) -> None:
    app = build_app(load_settings(office_settings(tmp_path / "data"), environ={}), clock)
    try:
        hostile = mail(
            "<script>alert('body')</script>",
            sender='"<img src=x onerror=alert(1)>" <evil@example.org>',
            subject='<script>alert("subject")</script> & "quotes"',
            message_id="<evil1@example.org>",
            to='alex.morgan.mp@parliament.example, "<b>Bold</b>" <other@example.org>',
        )
        app.triage.triage_one(RawMessage("evil.eml", hostile))
        html = render_index_html(collect(app, "evil@example.org"))
    finally:
        app.close()
    assert "<script" not in html and "<img" not in html and "<b>Bold" not in html
    assert (
        "&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "default-src 'none'" in html  # and the page could not fetch or run anything anyway


def test_nothing_held_still_makes_an_answerable_bundle(office: App, tmp_path: Path) -> None:
    bundle = collect(office, "stranger@example.org")
    assert not bundle.holds_anything and bundle.cases == []
    digest = write_archive(bundle, tmp_path / "none.zip")
    with zipfile.ZipFile(tmp_path / "none.zip") as z:
        assert "CaseDesk holds nothing about this address" in z.read("index.html").decode()
    assert len(digest) == 64


# --- retention and legal hold ---------------------------------------------------------------


def test_retention_reports_first_and_deletes_only_when_applied(
    tmp_path: Path, office: App, clock: FixedClock
) -> None:
    policy = retention.RetentionPolicy.from_settings({"casework": "1y"})
    assert retention.review(office.repo, policy, clock.now()).due == []
    clock.advance(timedelta(days=366))
    report = retention.review(office.repo, policy, clock.now())
    refs = {i.case.ref for i in report.due}
    assert refs == {c.ref for c in office.repo.query_cases(CaseQuery(limit=100))}
    assert all("after the last activity" in i.why for i in report.due)
    assert all("kept 1 year" in i.why for i in report.due if i.rule == "casework")
    assert office.repo.query_cases(CaseQuery()) != []  # the dry run changed nothing

    own, bob, _ = zanele_refs(office)
    holds.hold(office.repo, clock, own, "solicitor's letter ref 1234", "jo.price")
    report = retention.review(office.repo, policy, clock.now())
    assert [i.case.ref for i in report.held] == [own]
    deleted = retention.apply(office.repo, office.files, office.ops, clock, report)
    assert deleted == len(refs) - 1
    assert [c.ref for c in office.repo.query_cases(CaseQuery())] == [own]
    assert office.files.list_case_files(bob) == []
    gone = [e for e in office.repo.audit_entries() if e.action == "case.deleted"]
    assert {e.object_ref for e in gone} == refs - {own}
    assert {e.actor for e in gone} == {"casedesk-retention"}
    assert all(e.detail["rule"] and e.detail["last_activity"] for e in gone)
    assert verify_chain(office.repo.audit_entries()).intact


def test_quarantined_mail_is_deleted_by_its_own_period_once_applied(
    tmp_path: Path, office: App, clock: FixedClock
) -> None:
    for item in office.repo.quarantined():  # start from none (the samples hold one)
        office.files.delete_file(item.stored_path)
        office.repo.delete_quarantined(item.sha256)
    old = office.triage.triage_one(RawMessage("old.eml", b"\x00 unreadable, week one"))
    clock.advance(timedelta(days=60))
    office.triage.triage_one(RawMessage("new.eml", b"\x00 unreadable, two months on"))
    clock.advance(timedelta(days=31))  # the first is 91 days old, the second 31
    policy = retention.RetentionPolicy.from_settings({})
    report = retention.review(office.repo, policy, clock.now())
    [(due, _)] = report.quarantine_due
    assert b"week one" in office.files.read_file(due.stored_path) and old.outcome == "quarantined"
    assert len(office.repo.quarantined()) == 2  # the dry run changed nothing
    assert retention.review(
        office.repo, retention.RetentionPolicy.from_settings({"quarantine": "never"}), clock.now()
    ).quarantine_due == []  # fmt: skip

    retention.apply(office.repo, office.files, office.ops, clock, report)
    [kept] = office.repo.quarantined()
    assert b"two months on" in office.files.read_file(kept.stored_path)
    assert len(list((tmp_path / "data" / "quarantine").iterdir())) == 1
    [entry] = [e for e in office.repo.audit_entries() if e.action == "quarantine.deleted"]
    assert (entry.actor, entry.object_ref, entry.detail["rule"]) == (
        "casedesk-retention", "quarantine", "quarantine",
    )  # fmt: skip
    assert verify_chain(office.repo.audit_entries()).intact


def test_the_retention_command_is_a_dry_run_unless_applied(tmp_path: Path, office: App) -> None:
    data = tmp_path / "data"
    dry = run(data, "retention", "--json")
    assert dry.returncode == 0, dry.stderr
    answer = json.loads(dry.stdout)["retention"]
    assert answer["applied"] is False and answer["deleted"] == 0
    assert answer["policy"]["spam"] == "30d" and answer["policy"]["closed"] == "3y"
    human = run(data, "retention")
    assert "Would delete 0 of 3 cases" in human.stdout


def test_a_hold_stops_an_erasure_which_names_it_and_deletes_nothing(
    tmp_path: Path, office: App
) -> None:
    own, _, _ = zanele_refs(office)
    data = tmp_path / "data"
    hold = run(data, "hold", own, "--reason", "police request 4471", "--by", "jo.price")
    assert hold.returncode == 0, hold.stderr
    leaky = run(data, "hold", own, "--reason", f"asked by {EMAIL}", "--by", "jo.price")
    assert leaky.returncode == 1 and "no personal data" in leaky.stderr
    listed = json.loads(run(data, "holds", "--json").stdout)["holds"]
    assert [(h["ref"], h["reason"], h["by"]) for h in listed] == [
        (own, "police request 4471", "jo.price"),
    ]  # fmt: skip
    refused = run(data, "erase", EMAIL, "--reason", "request", "--by", "jo", "--yes")
    assert refused.returncode == 1
    assert f"{own} is on legal hold (police request 4471" in refused.stderr
    assert office.repo.cases_of_constituent(EMAIL) != []
    assert run(data, "release", own, "--by", "jo.price").returncode == 0
    assert json.loads(run(data, "holds", "--json").stdout)["holds"] == []
    again = run(data, "release", own, "--by", "jo.price")
    assert again.returncode == 1 and "not on legal hold" in again.stderr


# --- erasure --------------------------------------------------------------------------------


def store_bytes(data: Path) -> bytes:
    """Every byte CaseDesk keeps under the data folder: the database, its WAL, every file."""
    return b"".join(p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file())


def test_erasure_leaves_no_personal_data_in_the_store_or_files_and_the_chain_verifies(
    tmp_path: Path, clock: FixedClock
) -> None:
    office = build_office(tmp_path, clock, with_samples=False, with_mention=False)
    [own] = [c.ref for c in office.repo.cases_of_constituent(EMAIL)]
    [bob] = [c.ref for c in office.repo.cases_of_constituent(BOB)]
    # A rules version that named her address, since replaced: both diffs name her.
    rules = ROOT / "samples" / "rules.yaml"
    named = rules.read_text(encoding="utf-8") + f"\n# vexatious: {EMAIL}\n"
    rules_history.record(office.repo, office.ops, clock, named, str(rules), "jo.price")
    plan = erasure.plan(office.repo, office.files, office.ops, "salt", EMAIL)
    assert plan.in_live_rules  # the office is told to change its rules first
    rules_history.record(office.repo, office.ops, clock, rules.read_text(), str(rules), "jo.price")
    data = tmp_path / "data"
    # Mail that could not be read: one holds her address (it goes), one does not (it stays).
    for name, raw in (
        ("hers.eml", b"\x00 unreadable, from " + EMAIL.encode() + b" about rent"),
        ("other.eml", b"\x00 unreadable, from someone.else@example.org"),
    ):
        assert office.triage.triage_one(RawMessage(name, raw)).outcome == "quarantined"
    assert EMAIL.encode() in store_bytes(data)

    done = run(data, "erase", EMAIL, "--reason", "erasure request of 3 March",
               "--by", "jo.price", "--yes", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)["erasure"]
    assert answer["cases"] == [own] and answer["constituent_record"] is True
    assert [m["case"] for m in answer["messages_in_other_cases"]] == [bob]
    assert len(answer["audit_entries_to_redact"]) == 2 and not answer["named_in_live_rules"]
    assert len(answer["quarantined_mail"]) == 1
    [kept] = office.repo.quarantined()
    assert b"someone.else@example.org" in office.files.read_file(kept.stored_path)
    assert len(list((data / "quarantine").iterdir())) == 1

    everything = store_bytes(data)
    for needle in (EMAIL, NAME, "Okonkwo", LETTER_LINE, "kestrel", "support Bob's complaint",
                   "notes.txt", "z1@mail.example.net"):  # fmt: skip
        assert needle.encode() not in everything, needle
    assert office.repo.find_constituent(EMAIL) is None and office.repo.messages_from(EMAIL) == []
    assert [m.from_addr for m in office.repo.case_messages(bob)] == [BOB]  # Bob's case stays
    bob_summary = json.loads(office.files.read_file(f"cases/{bob}/case.json"))
    assert [m["from"] for m in bob_summary["messages"]] == [BOB]

    check = verify_chain(office.repo.audit_entries())
    assert check.intact and check.redacted == 2
    [tombstone] = [e for e in office.repo.audit_entries() if e.action == "person.erased"]
    assert tombstone.actor == "jo.price" and tombstone.object_ref == answer["person"]
    assert tombstone.detail["reason"] == "erasure request of 3 March"
    assert not find_personal_data(json.dumps(tombstone.detail))
    verified = run(data, "audit", "verify")
    assert verified.returncode == 0 and "2 redacted by erasures" in verified.stdout
    office.close()


def test_a_mention_in_someone_elses_letter_is_listed_for_review_not_deleted(
    office: App, clock: FixedClock
) -> None:
    _, _, mo = zanele_refs(office)
    done, _ = erasure.erase(
        office.repo, office.files, office.ops, clock, "salt", EMAIL, "request", "jo.price"
    )
    assert done.mentioned_in == [mo]
    [letter] = office.repo.case_messages(mo)
    assert EMAIL.encode() in office.files.read_file(letter.filed_path)  # Mo's words, kept


def test_erasure_needs_a_reason_without_personal_data_and_a_name(
    tmp_path: Path, office: App
) -> None:
    data = tmp_path / "data"
    no_by = run(data, "erase", EMAIL, "--reason", "request", "--yes")
    assert no_by.returncode == 2 and "--by" in no_by.stderr
    leaky = run(data, "erase", EMAIL, "--reason", f"phoned from {NEIGHBOUR_PHONE}", "--by", "jo",
                "--yes")  # fmt: skip
    assert leaky.returncode == 1 and "phone number" in leaky.stderr
    unconfirmed = run(data, "erase", EMAIL, "--reason", "request", "--by", "jo")
    assert unconfirmed.returncode == 1 and "nothing erased" in unconfirmed.stderr
    assert office.repo.find_constituent(EMAIL) is not None


def test_the_sweep_reports_once_a_day_and_deletes_only_when_switched_to_apply(
    office: App, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    from casedesk.entrypoints.retention_sweep import sweep_retention

    office.settings = office.settings.model_copy(update={"retention": {"casework": "1y"}})
    clock.advance(timedelta(days=400))
    with caplog.at_level("INFO", logger="casedesk.retention"):
        report = sweep_retention(office)  # the default: report, delete nothing
    assert report is not None and report.mode == "report" and report.deleted == 0
    assert len(report.due) == 3 and len(office.repo.query_cases(CaseQuery())) == 3
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "retention.swept"]
    assert record.due == 3 and EMAIL not in record.getMessage() + str(record.__dict__)
    assert sweep_retention(office) is None  # once a day, whichever instance runs first

    office.settings = office.settings.model_copy(update={"retention_sweep": "apply"})
    clock.advance(timedelta(days=1))
    applied = sweep_retention(office)
    assert applied is not None and applied.deleted == 3
    assert office.repo.query_cases(CaseQuery()) == []
    office.settings = office.settings.model_copy(update={"retention_sweep": "off"})
    clock.advance(timedelta(days=1))
    assert sweep_retention(office) is None
