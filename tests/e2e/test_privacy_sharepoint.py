"""Data protection on the SharePoint store, against the local Graph-speaking server: a subject
access bundle read back from the library, an erasure that leaves nothing in the lists, the
library or its recycle bin, and an audit item edited in SharePoint caught by verify."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import privacy_office
import pytest
from privacy_office import BOB, EMAIL, LETTER_LINE, NAME

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.core import erasure, holds, retention, sar
from casedesk.core.audit import verify_chain
from casedesk.core.models import RawMessage
from casedesk.core.triage import Triage
from sharepoint_stack import DRIVE, SITE, SharePointStack

# The shared fixtures: Zanele's mail triaged into the SharePoint lists and library.
clock, sp, office = privacy_office.clock, privacy_office.sp, privacy_office.sharepoint_office


def test_a_sar_bundle_from_sharepoint_holds_the_filed_bytes(
    office: Triage, sp: SharePointStack, tmp_path: Path
) -> None:
    salt = sar.office_salt(office.ops)
    bundle = sar.collect(office.repo, office.files, EMAIL, office.clock.now(), "jo.price",
                         "Office", {"alex.morgan.mp@parliament.example"}, salt)  # fmt: skip
    library = sp.fake.drive_files(SITE, DRIVE)
    [own] = office.repo.cases_of_constituent(EMAIL)
    in_folder = {p: d for p, d in library.items() if p.startswith(f"cases/{own.ref}/")}
    assert in_folder and {p: f.data for p, f in ((f.path, f) for f in bundle.files)
                          if p in in_folder} == in_folder  # fmt: skip
    [bob] = office.repo.cases_of_constituent(BOB)
    assert list(bundle.other_cases) == [bob.ref]
    assert {t["value"] for t in bundle.third_party} >= {"tom.neighbour@example.org", BOB}
    entry = sar.record_export(office.repo, office.clock, salt, bundle, "0" * 64)
    assert entry.action == "sar.exported" and EMAIL not in json.dumps(entry.detail)


def test_erasure_on_sharepoint_leaves_nothing_in_lists_library_or_recycle_bin(
    office: Triage, sp: SharePointStack
) -> None:
    repo, files = office.repo, office.files
    [own] = repo.cases_of_constituent(EMAIL)
    holds.hold(repo, office.clock, own.ref, "police request 4471", "jo.price")
    with pytest.raises(erasure.HeldError, match=f"{own.ref} is on legal hold"):
        erasure.erase(repo, files, office.ops, office.clock, "salt", EMAIL, "request", "jo")
    holds.release(repo, office.clock, own.ref, "jo.price")
    for name, raw in (
        ("hers.eml", b"\x00 unreadable, from " + EMAIL.encode()),
        ("other.eml", b"\x00 unreadable, from someone.else@example.org"),
    ):
        assert office.triage_one(RawMessage(name, raw)).outcome == "quarantined"

    done, tombstone = erasure.erase(
        repo, files, office.ops, office.clock, "salt", EMAIL, "request of 3 March", "jo.price"
    )
    assert done.cases == [own] and len(done.messages_elsewhere) == 1
    assert len(done.quarantined) == 1 and len(repo.quarantined()) == 1
    rows = json.dumps([sp.rows(key) for key in ("cases", "constituents", "messages", "quarantine")])
    library = sp.fake.drive_files(SITE, DRIVE)
    for needle in (EMAIL, NAME, LETTER_LINE, "z1@mail.example.net"):
        assert needle not in rows, needle
        assert not [p for p, d in library.items() if needle.encode() in d], needle
    assert not [p for p in library if p.startswith(f"cases/{own.ref}/")]
    assert sp.fake.recycle_bin(SITE, DRIVE) == []  # permanentDelete: no copy kept for 93 days
    [bob] = repo.cases_of_constituent(BOB)
    assert bob.message_count == 1 and [m.from_addr for m in repo.case_messages(bob.ref)] == [BOB]
    check = verify_chain(repo.audit_entries())
    assert check.intact and tombstone.object_ref == done.person_ref
    audit_rows = json.dumps(sp.rows("audit"))
    assert EMAIL not in audit_rows and NAME not in audit_rows


def test_retention_deletes_from_sharepoint_when_applied(
    office: Triage, sp: SharePointStack
) -> None:
    policy = retention.RetentionPolicy.from_settings({"casework": "1d", "press": "1d"})
    assert retention.review(office.repo, policy, office.clock.now()).due == []
    assert isinstance(office.clock, FixedClock)
    office.clock.advance(timedelta(days=30))
    report = retention.review(office.repo, policy, office.clock.now())
    assert report.due
    deleted = retention.apply(office.repo, office.files, office.ops, office.clock, report)
    assert deleted == len(report.due)
    remaining = {r["Title"] for r in sp.rows("cases")}
    assert not remaining & {i.case.ref for i in report.due}
    assert not [p for p in sp.fake.drive_files(SITE, DRIVE) if p.split("/")[1] in
                {i.case.ref for i in report.due}]  # fmt: skip


def test_an_audit_item_edited_in_sharepoint_is_caught(office: Triage, sp: SharePointStack) -> None:
    assert verify_chain(office.repo.audit_entries()).intact
    with sp.fake.store.lock:  # someone with site access edits the list item directly
        audit_list = sp.fake.store.sp_list(SITE, sp.lists.audit)
        item = next(i for i in audit_list.items.values() if i["fields"]["Seq"] == 2)
        detail = json.loads(item["fields"]["Detail"])
        item["fields"]["Detail"] = json.dumps({**detail, "category": "spam"}, sort_keys=True)
    broken = verify_chain(office.repo.audit_entries()).first_break
    assert broken is not None and broken.seq == 2 and "content" in broken.problem
