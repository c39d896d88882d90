"""The SharePoint case store on the local Graph-speaking server: large files through upload
sessions, throttling waited out, retried creates that do not duplicate, the unit of work, and
the pipeline filing into lists and a document library. Real MSAL, msgraph-sdk and GraphCaller."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest

from casedesk.adapters.m365.graph_client import RetryPolicy
from casedesk.adapters.m365.sharepoint_lists import (
    DuplicateMessageError,
    SharePointCaseRepository,
    SharePointConflictError,
)
from casedesk.bootstrap import App
from casedesk.core.audit import first_broken_link
from casedesk.core.mime import parse_message
from casedesk.core.models import (
    CaseQuery,
    Category,
    Classification,
    NewCase,
    RawMessage,
    Topic,
)
from casedesk.core.triage import Outcome, Triage
from mailmaker import mail
from sharepoint_stack import DRIVE, SITE, SharePointStack, start_stack

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, False, 0.8, ("damp",), "test")
WRITES = ("POST", "PATCH", "PUT")


class RecordingSleep:
    """Really waits (so the fake sees the gap) and remembers how long it was asked to."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def sp(sleep: RecordingSleep) -> Iterator[SharePointStack]:
    stack = start_stack(retry=RetryPolicy(attempts=4, base_seconds=0.2, sleep=sleep))
    yield stack
    stack.close()


def graph_requests(stack: SharePointStack, since: int = 0) -> list[tuple[float, str, str]]:
    return [(t, m, p) for t, m, p, _, _ in stack.fake.requests[since:] if p.startswith("/v1.0/")]


def open_case(repo: SharePointCaseRepository, email: str = "priya@example.org") -> str:
    person = repo.upsert_constituent(email, "Priya Shah", "CB1 2AD", NOW)
    return str(repo.create_case(NewCase(person.id, "Damp", "damp", HOUSING, None, None, "s", NOW)))


# --- files ------------------------------------------------------------------------------------


def test_a_5_mb_attachment_goes_through_an_upload_session_in_320_kib_multiples(
    sp: SharePointStack,
) -> None:
    big = bytes(range(256)) * (5_000_000 // 256)  # 5 MB, above the 4 MiB simple-upload limit
    message = parse_message(mail(attachments=[("survey.pdf", "application/pdf", big)]))
    files = sp.files()
    eml = files.file_message("CD-2026-000001", message)

    stored = sp.fake.drive_files(SITE, DRIVE)
    [pdf_path] = [p for p in stored if p.endswith("survey.pdf")]
    assert stored[pdf_path] == big and stored[eml] == message.raw
    log = sp.fake.requests
    sessions = [
        unquote(p) for _, m, p, _, _ in log if m == "POST" and p.endswith("/createUploadSession")
    ]
    # The .eml carries the attachment (base64), so it is over the limit too.
    assert sorted(s.split(":")[-2].rsplit("/", 1)[-1] for s in sessions) == [
        eml.rsplit("/", 1)[-1],
        "survey.pdf",
    ]
    fragments: dict[str, list[tuple[str, int]]] = {}
    for _, method, path, headers, body in log:
        if method == "PUT" and path.startswith("/upload/"):
            assert not any(k.lower() == "authorization" for k in headers)
            fragments.setdefault(path, []).append((headers["Content-Range"], len(body)))
    assert len(fragments) == 2
    pdf_ranges = [r for r in fragments.values() if r[-1][0].endswith(f"/{len(big)}")]
    assert [n for _, n in pdf_ranges[0]] == [10 * 320 * 1024, len(big) - 10 * 320 * 1024]
    for ranges in fragments.values():
        assert all(n % (320 * 1024) == 0 for _, n in ranges[:-1])
    simple = [b for _, m, p, _, b in log if m == "PUT" and p.startswith("/v1.0/")]
    assert all(len(b) <= 4 * 1024 * 1024 for b in simple)


def test_refiling_writes_the_same_paths_and_location_is_the_folder_web_address(
    sp: SharePointStack,
) -> None:
    files = sp.files()
    message = parse_message(mail(attachments=[("a.txt", "text/plain", b"1")]))
    assert files.file_message("CD-2026-000001", message) == files.file_message(
        "CD-2026-000001", message
    )
    assert sorted(sp.fake.drive_files(SITE, DRIVE)) == [
        "cases/CD-2026-000001/attachments/20261116T093000Z-" + message.sha256[:12] + "/a.txt",
        "cases/CD-2026-000001/messages/20261116T093000Z-" + message.sha256[:12] + ".eml",
    ]
    assert files.location("CD-2026-000001").endswith("/cases/CD-2026-000001")
    assert files.location("CD-2026-000001").startswith("https://")


def test_names_that_would_leave_the_case_folder_are_refused(sp: SharePointStack) -> None:
    files = sp.files()
    for name in ("../case.json", "..", "a/b.eml", "a\\b.eml"):
        with pytest.raises(ValueError, match="outside the case folder"):
            files.write_draft("CD-2026-000001", name, b"x")
    with pytest.raises(ValueError, match="outside the case folder"):
        files.write_draft("../CD-2026-000001", "d.eml", b"x")
    assert sp.fake.drive_files(SITE, DRIVE) == {}


# --- throttling and retried creates -----------------------------------------------------------


def test_a_429_on_a_list_write_is_waited_out_for_retry_after(
    sp: SharePointStack, sleep: RecordingSleep
) -> None:
    repo = sp.repository()
    sp.fake.fail("POST", rf"/lists/{sp.lists.cases}/items$", 429, times=1, retry_after=1)
    with repo.transaction():
        ref = open_case(repo)
    assert [r["Title"] for r in sp.rows("cases")] == [ref]
    assert sleep.waits and sleep.waits[0] >= 1.0
    posts = [
        t for t, m, p in graph_requests(sp) if m == "POST" and p.endswith(f"{sp.lists.cases}/items")
    ]
    assert len(posts) == 2 and posts[1] - posts[0] >= 1.0


def test_a_create_whose_answer_was_lost_is_not_posted_twice() -> None:
    # The first POST is held past the client's timeout, but the fake still stores it: the
    # retry must find that row by its Title rather than post a second one.
    stack = start_stack(retry=RetryPolicy(attempts=4, base_seconds=1.5), timeout_seconds=0.5)
    try:
        repo = stack.repository()
        stack.fake.delay("POST", rf"/lists/{stack.lists.messages}/items$", 1.0, times=1)
        message = parse_message(mail())
        with repo.transaction():
            ref = open_case(repo)
            repo.add_message(ref, message, HOUSING, NOW, "cases/x.eml")
        to_messages = [
            m for _, m, p in graph_requests(stack) if f"/lists/{stack.lists.messages}/" in p
        ]
        assert to_messages[-2:] == ["POST", "GET"]  # timed out, then found on the retry
        assert len(stack.rows("messages")) == 1
        found = repo.find_message(message.message_id, "")
        assert found is not None and found.case_ref == ref
    finally:
        stack.close()


# --- the unit of work -------------------------------------------------------------------------


def test_writes_wait_for_commit_reads_see_them_and_nested_transactions_join(
    sp: SharePointStack,
) -> None:
    repo = sp.repository()
    message = parse_message(mail())
    before = len(sp.fake.requests)
    with repo.transaction():
        ref = open_case(repo)
        with repo.transaction():  # joins the outer unit
            repo.add_message(ref, message, HOUSING, NOW, "cases/x.eml")
            repo.append_audit(NOW, "me", "case.opened", ref, {"n": 1})
        assert repo.get_case(ref).message_count == 1
        found = repo.find_message(message.message_id, message.sha256)
        assert found is not None and found.case_ref == ref
        assert [c.ref for c in repo.query_cases(CaseQuery(text="landlord"))] == [ref]
        # Only the case number has been taken so far (a sequence, like a database's).
        written = {
            p.split("/lists/")[1].split("/")[0]
            for _, m, p in graph_requests(sp, before)
            if m in WRITES
        }
        assert written == {sp.lists.counters}
        assert sp.rows("cases") == sp.rows("messages") == sp.rows("audit") == []
    assert [r["Title"] for r in sp.rows("cases")] == [ref]
    assert [r["CaseRef"] for r in sp.rows("messages")] == [ref]
    assert repo.get_case(ref).message_count == 1


def test_rollback_writes_nothing_and_gives_the_number_back(sp: SharePointStack) -> None:
    repo = sp.repository()
    with pytest.raises(RuntimeError), repo.transaction():
        open_case(repo)
        repo.append_audit(NOW, "me", "case.opened", "CD-2026-000001", {})
        raise RuntimeError("crash")
    assert sp.rows("cases") == sp.rows("constituents") == sp.rows("audit") == []
    with repo.transaction():
        assert open_case(repo) == "CD-2026-000001"


def test_the_same_message_filed_by_two_workers_at_once_is_refused_at_commit(
    sp: SharePointStack,
) -> None:
    first, second = sp.repository(), sp.repository()  # two workers' repositories
    message = parse_message(mail())
    with first.transaction():
        ref = open_case(first)
    with pytest.raises(SharePointConflictError), first.transaction():
        first.add_message(ref, message, HOUSING, NOW, "a.eml")
        with second.transaction():  # the other worker commits in between
            second.add_message(ref, message, HOUSING, NOW, "a.eml")
    assert len(sp.rows("messages")) == 1
    with pytest.raises(DuplicateMessageError), first.transaction():
        first.add_message(ref, message, HOUSING, NOW, "a.eml")


def test_text_that_looks_like_a_date_or_guid_comes_back_as_written(sp: SharePointStack) -> None:
    repo = sp.repository()
    person = repo.upsert_constituent("d@example.org", "2026-11-16", None, NOW)
    guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    ref = repo.create_case(
        NewCase(person.id, "2026-11-16 10:00", guid, HOUSING, None, None, "", NOW)
    )
    case = repo.get_case(ref)
    assert (case.subject, case.constituent_name) == ("2026-11-16 10:00", "2026-11-16")
    assert repo.recent_case_for_subject("d@example.org", guid, NOW) == ref


def test_a_message_id_too_long_for_a_text_column_is_keyed_by_its_digest(
    sp: SharePointStack,
) -> None:
    repo = sp.repository()
    long_id = "<" + "x" * 300 + "@example.org>"
    message = parse_message(mail(message_id=long_id))
    with repo.transaction():
        ref = open_case(repo)
        repo.add_message(ref, message, HOUSING, NOW, "a.eml")
    [row] = sp.rows("messages")
    assert row["Title"].startswith("sha256:") and row["MessageId"] == long_id
    assert repo.case_for_thread([long_id]) == ref
    assert repo.case_messages(ref)[0].message_id == long_id


# --- the pipeline -----------------------------------------------------------------------------


def sharepoint_triage(app: App, stack: SharePointStack) -> Triage:
    t = app.triage
    return Triage(
        stack.repository(), stack.files(), app.classifier, t.drafter, app.ops, app.clock, t.policy
    )


def test_pipeline_files_a_new_case_into_lists_and_library(app: App, sp: SharePointStack) -> None:
    triage = sharepoint_triage(app, sp)
    received = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
    result = triage.triage_one(RawMessage("m.eml", mail(), received))
    assert result.outcome is Outcome.FILED_NEW and result.case_ref == "CD-2026-000001"
    before = len(graph_requests(sp))
    other = mail(sender="Tom <tom@example.org>", subject="Bus stop", message_id="<t1@example.org>")
    assert triage.triage_one(RawMessage("t.eml", other, received)).case_ref == "CD-2026-000002"
    # A typical new case (the year's counter and the audit head exist): 19 requests.
    # Before commit: 2 message finds, the constituent, the case number (counter, Title
    # check, PATCH), 3 files (.eml, case.json, draft), the audit head. Commit: look + create
    # for the constituent, the case and the message; the audit head; 2 audit entries.
    per_message = graph_requests(sp)[before:]
    assert len(per_message) <= 19, [f"{m} {unquote(p)[-80:]}" for _, m, p in per_message]

    repo = triage.repo
    assert isinstance(repo, SharePointCaseRepository)
    case = repo.get_case("CD-2026-000001")
    assert (case.constituent_email, case.postcode, case.message_count) == (
        "priya.shah@example.org",
        "CB1 2AD",
        1,
    )
    entries = repo.audit_entries("CD-2026-000001")
    assert [e.action for e in entries] == ["case.opened", "draft.created"]
    assert first_broken_link(repo.audit_entries()) is None
    [person] = [r for r in sp.rows("constituents") if r["Title"] == "priya.shah@example.org"]
    opened = next(e for e in entries if e.action == "case.opened")
    assert opened.detail["constituent"] == int(person["id"])  # the real id, not the stand-in
    files = sp.fake.drive_files(SITE, DRIVE)
    assert {p.rsplit("/", 1)[-1] for p in files} >= {"case.json", "reply-draft.eml"}
    summary = json.loads(files["cases/CD-2026-000001/case.json"])
    assert summary["messages"][0]["file"].startswith("cases/CD-2026-000001/messages/")

    reply = mail(
        "Thanks. It is worse now.",
        subject="Re: Damp in my flat",
        message_id="<m2@example.org>",
        in_reply_to="<m1@example.org>",
    )
    threaded = triage.triage_one(RawMessage("r.eml", reply, received))
    assert threaded.outcome is Outcome.FILED_EXISTING and threaded.case_ref == case.ref
    assert repo.get_case(case.ref).message_count == 2
    again = triage.triage_one(RawMessage("copy.eml", reply, received))
    assert again.outcome is Outcome.DUPLICATE
    assert first_broken_link(repo.audit_entries()) is None


def test_audit_chain_continues_across_commits_and_workers(sp: SharePointStack) -> None:
    first, second = sp.repository(), sp.repository()
    with first.transaction():
        first.append_audit(NOW, "a", "x", "r", {"n": 1})
        with second.transaction():  # commits while the first unit is still open
            second.append_audit(NOW, "b", "y", "r", {"n": 2})
        first.append_audit(NOW, "a", "z", "r", {"n": 3})
    entries = first.audit_entries("r")
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [e.actor for e in entries] == ["b", "a", "a"]
    assert first_broken_link(entries) is None


def _row_ids(stack: SharePointStack, key: str) -> list[Any]:
    return [r["id"] for r in stack.rows(key)]


def test_constituent_and_campaign_upserts_merge_into_one_row(sp: SharePointStack) -> None:
    from casedesk.core.models import Campaign

    repo = sp.repository()
    with repo.transaction():
        a = repo.upsert_constituent("a@example.org", "Ann", None, NOW)
    b = repo.upsert_constituent("a@example.org", "", "LS6 1AN", NOW)  # commits at once
    [row_id] = _row_ids(sp, "constituents")
    assert a.id < 0 and b.id == int(row_id)  # a was made inside a unit: a stand-in id
    assert (b.name, b.postcode) == ("Ann", "LS6 1AN")
    # The stand-in handed out before the commit still names the constituent after it.
    ref = repo.create_case(NewCase(a.id, "Damp", "damp", HOUSING, None, None, "", NOW))
    assert [r["ConstituentId"] for r in sp.rows("cases")] == [int(row_id)]
    assert repo.get_case(ref).constituent_name == "Ann"
    repo.upsert_campaign(Campaign("c1", "Sewage", 3, NOW, NOW, True, "Sewage"))
    later = datetime(2026, 11, 17, tzinfo=UTC)
    repo.upsert_campaign(Campaign("c1", "Other", 5, later, later, True, "Other"))
    [stored] = repo.campaigns()
    assert (stored.name, stored.size, stored.first_seen, stored.last_seen) == (
        "Sewage",
        5,
        NOW,
        later,
    )
    assert len(_row_ids(sp, "campaigns")) == 1


def test_reads_inside_a_unit_ask_sharepoint_once(sp: SharePointStack) -> None:
    repo = sp.repository()
    with repo.transaction():
        ref = open_case(repo)
    before = len(graph_requests(sp))
    with repo.transaction():
        for _ in range(3):
            repo.get_case(ref)
    assert len(graph_requests(sp)) - before == 2  # the case row and the constituent row


@pytest.mark.parametrize(("people", "requests"), [(2, 1 + 2), (3, 1 + 1)])
def test_a_query_reads_constituents_one_by_one_or_the_list_once(
    sp: SharePointStack, people: int, requests: int
) -> None:
    repo = SharePointCaseRepository(sp.caller, SITE, sp.lists, per_person_lookups=2)
    with repo.transaction():
        for n in range(people):
            open_case(repo, email=f"p{n}@example.org")
    before = len(graph_requests(sp))
    assert len(repo.query_cases(CaseQuery(postcode="CB1"))) == people
    assert len(graph_requests(sp)) - before == requests  # the cases, then the people


def test_every_request_went_to_the_site_and_library_configured(sp: SharePointStack) -> None:
    repo = sp.repository()
    with repo.transaction():
        open_case(repo)
    sp.files().write_draft("CD-2026-000001", "d.eml", b"x")
    paths = [p for _, _, p in graph_requests(sp)]
    assert paths and all(("/lists/" in p) or ("/drives/" in p) for p in paths)
