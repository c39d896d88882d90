"""The pipeline end to end on the embedded adapters: threading, idempotence, counting, quarantine."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.core.models import CaseFlag, CaseQuery, Category, RawMessage
from casedesk.core.triage import Outcome
from casedesk.settings import load_settings
from mailmaker import mail

SEWAGE = (
    "I am writing to you as my MP because I am deeply concerned about the amount of raw sewage "
    "being discharged into our rivers and seas by water companies. Storm overflows spilled "
    "sewage hundreds of thousands of times last year. I urge you to support legally binding "
    "targets to end sewage dumping and to hold water company bosses to account."
)


def raw(data: bytes, name: str = "m.eml") -> RawMessage:
    return RawMessage(name, data, datetime(2026, 11, 16, 10, 0, tzinfo=UTC))


def test_new_message_opens_case_with_reference_constituent_and_postcode(app: App) -> None:
    result = app.triage.triage_one(raw(mail()))
    assert result.outcome is Outcome.FILED_NEW
    assert result.case_ref == "CD-2026-000001"
    case = app.repo.get_case("CD-2026-000001")
    assert case.constituent_email == "priya.shah@example.org"
    assert case.constituent_name == "Priya Shah"
    assert case.postcode == "CB1 2AD"
    assert case.category is Category.CASEWORK
    assert case.status.value == "new"


def test_case_folder_holds_original_bytes_attachments_summary_and_draft(app: App) -> None:
    pdf = b"%PDF-1.4\n%fake but bytes are bytes\n"
    data = mail(attachments=[("notice.pdf", "application/pdf", pdf)])
    ref = app.triage.triage_one(raw(data)).case_ref
    assert ref
    folder = Path(app.files.location(ref))
    emls = list((folder / "messages").glob("*.eml"))
    assert [p.read_bytes() for p in emls] == [data]
    assert [p.read_bytes() for p in (folder / "attachments").rglob("notice.pdf")] == [pdf]
    summary = json.loads((folder / "case.json").read_text())
    assert summary["ref"] == ref and summary["constituent"]["postcode"] == "CB1 2AD"
    draft = message_from_bytes((folder / "drafts" / "reply-draft.eml").read_bytes())
    assert draft["In-Reply-To"] == "<m1@example.org>"
    assert draft["X-Unsent"] == "1"
    body = draft.get_payload(decode=True).decode()
    assert "Dear Priya Shah" in body and ref in body


def test_same_message_twice_files_once(app: App) -> None:
    data = mail()
    first = app.triage.triage_one(raw(data))
    second = app.triage.triage_one(raw(data, "copy.eml"))
    assert (first.outcome, second.outcome) == (Outcome.FILED_NEW, Outcome.DUPLICATE)
    assert len(app.repo.query_cases(CaseQuery())) == 1
    folder = Path(app.files.location(first.case_ref or ""))
    assert len(list((folder / "messages").glob("*.eml"))) == 1


def test_same_message_relayed_with_extra_headers_is_a_duplicate(app: App) -> None:
    data = mail()
    app.triage.triage_one(raw(data))
    relayed = b"Received: from relay.example.net by mx.parliament.example\r\n" + data
    assert app.triage.triage_one(raw(relayed)).outcome is Outcome.DUPLICATE


def test_reused_message_id_with_different_content_is_filed_not_dropped(app: App) -> None:
    first = app.triage.triage_one(raw(mail(body="My landlord will not fix the boiler.")))
    other = mail(body="A different letter that a broken mail client gave the same id.")
    second = app.triage.triage_one(raw(other, "other.eml"))
    assert second.outcome is not Outcome.DUPLICATE and second.case_ref
    assert app.triage.triage_one(raw(other, "other-again.eml")).outcome is Outcome.DUPLICATE
    assert first.case_ref


def test_same_bytes_without_message_id_is_a_duplicate(app: App) -> None:
    data = mail(message_id=None)
    assert app.triage.triage_one(raw(data)).outcome is Outcome.FILED_NEW
    assert app.triage.triage_one(raw(data)).outcome is Outcome.DUPLICATE


def test_reply_with_in_reply_to_joins_the_existing_case(app: App) -> None:
    ref = app.triage.triage_one(raw(mail())).case_ref
    reply = mail(
        "Thank you. The council has now replied but nothing has changed.\n\nFrom: Office\nSent: Monday\nTo: Priya\nSubject: Re: Damp\n\nold text",
        subject="RE: Damp in my flat",
        message_id="<m2@example.org>",
        in_reply_to="<draft-we-sent@parliament.example>",
        references="<m1@example.org> <draft-we-sent@parliament.example>",
        date=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
    )
    result = app.triage.triage_one(raw(reply))
    assert result.outcome is Outcome.FILED_EXISTING
    assert result.case_ref == ref
    assert app.repo.get_case(ref or "").message_count == 2


def test_re_subject_from_same_sender_within_window_joins_case(app: App) -> None:
    ref = app.triage.triage_one(raw(mail())).case_ref
    follow_up = mail(
        "Any news on this please?",
        subject="Re: Damp in my flat",
        message_id="<m3@example.org>",
        date=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
    )
    assert app.triage.triage_one(raw(follow_up)).case_ref == ref


def test_re_subject_from_another_sender_opens_its_own_case(app: App) -> None:
    ref = app.triage.triage_one(raw(mail())).case_ref
    other = mail(
        "Any news on this please?",
        subject="Re: Damp in my flat",
        message_id="<m4@example.org>",
        sender="Tom Baker <tom@example.net>",
    )
    result = app.triage.triage_one(raw(other))
    assert result.outcome is Outcome.FILED_NEW and result.case_ref != ref


def test_re_subject_outside_thread_window_opens_new_case(app: App) -> None:
    app.triage.triage_one(raw(mail()))
    late = mail(
        "Writing again about this.",
        subject="Re: Damp in my flat",
        message_id="<m5@example.org>",
        date=datetime(2026, 11, 16, 9, 30, tzinfo=UTC) + timedelta(days=45),
    )
    assert app.triage.triage_one(raw(late)).outcome is Outcome.FILED_NEW


def test_batch_is_processed_oldest_first_so_reply_before_original_still_threads(app: App) -> None:
    original = mail(message_id="<orig@example.org>", date=datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    reply = mail(
        "Following up.",
        subject="Re: Damp in my flat",
        message_id="<reply@example.org>",
        in_reply_to="<orig@example.org>",
        date=datetime(2026, 11, 17, 9, 0, tzinfo=UTC),
    )
    report = app.triage.run([raw(reply, "b.eml"), raw(original, "a.eml")])
    assert (report.filed_new, report.filed_existing) == (1, 1)


def test_malformed_input_is_quarantined_with_reason_and_kept(app: App) -> None:
    garbage = bytes(range(256)) * 4
    result = app.triage.triage_one(raw(garbage, "broken.eml"))
    assert result.outcome is Outcome.QUARANTINED
    [item] = app.repo.quarantined()
    assert item.source == "broken.eml"
    assert "header" in item.reason
    assert Path(item.stored_path).read_bytes() == garbage


def test_counting_law_holds_for_a_mixed_batch(app: App) -> None:
    batch = [
        raw(mail(), "1.eml"),
        raw(mail(), "1-again.eml"),
        raw(b"", "empty.eml"),
        raw(
            mail(message_id="<x@example.org>", subject="Re: Damp in my flat", body="More."), "2.eml"
        ),
        raw(mail(message_id="<y@example.org>", sender="a@example.com", subject="Bins"), "3.eml"),
    ]
    report = app.triage.run(batch)
    assert report.seen == 5
    assert (report.filed_new, report.filed_existing, report.duplicates, report.quarantined) == (
        2,
        1,
        1,
        1,
    )
    assert report.balances
    rerun = app.triage.run(batch)
    assert (rerun.filed, rerun.duplicates, rerun.quarantined) == (0, 4, 1)
    assert rerun.balances


def test_abuse_goes_to_the_safety_lead_and_gets_no_draft(app: App) -> None:
    threat = mail(
        "You are a disgrace. I know where you live and I will hurt you.",
        subject="you",
        message_id="<t@example.org>",
        sender="anon@example.com",
    )
    result = app.triage.triage_one(raw(threat))
    case = app.repo.get_case(result.case_ref or "")
    assert case.category is Category.ABUSE and case.is_urgent
    assert case.assignee == "sam.safety"
    assert not (Path(app.files.location(case.ref)) / "drafts").exists()


def test_campaign_copies_cluster_and_earlier_copies_join_when_announced(app: App) -> None:
    template = SEWAGE
    names = ["Ann Lee", "Bob Ray", "Cat Moss", "Dev Patel"]
    extras = ["", "I swim in the Cam every summer.", "", "Please reply."]
    refs = []
    for i, (name, extra) in enumerate(zip(names, extras, strict=True)):
        body = f"Dear Alex Morgan,\n\n{template} {extra}\n\nYours sincerely,\n{name}\n"
        data = mail(
            body,
            sender=f"{name} <p{i}@example.org>",
            subject="End sewage dumping",
            message_id=f"<c{i}@example.org>",
        )
        refs.append(app.triage.triage_one(raw(data)).case_ref)
    casework = mail(
        "Sewage backed up into my kitchen from the drain outside and the water company will not "
        "come out. My landlord says it is not his problem. Can you help?",
        sender="Eve Stone <eve@example.org>",
        subject="Sewage in my kitchen",
        message_id="<cw@example.org>",
    )
    cw_ref = app.triage.triage_one(raw(casework)).case_ref
    [campaign] = [c for c in app.repo.campaigns() if c.is_campaign]
    assert campaign.size == 4
    cases = [app.repo.get_case(r or "") for r in refs]
    assert {c.category for c in cases} == {Category.CAMPAIGN}
    assert {c.campaign_id for c in cases} == {campaign.id}
    assert app.repo.get_case(cw_ref or "").category is not Category.CAMPAIGN


def test_campaign_copies_leave_the_review_queue_once_the_campaign_is_known(
    tmp_path: Path, clock: FixedClock
) -> None:
    """Clustering, not the classifier, decides a copy's category: a surge of copies of a
    letter the model is unsure about must not flood the needs-a-human queue."""
    settings = load_settings({"data_dir": tmp_path / "data", "review_below": 1.0}, environ={})
    app = build_app(settings, clock)  # review_below 1.0: every doubt goes to a person

    def in_review(ref: str | None) -> bool:
        return CaseFlag.NEEDS_REVIEW in app.repo.get_case(ref or "").flags

    try:
        refs, queued_on_arrival = [], []
        for i, (name, extra) in enumerate(
            [("Ann Lee", ""), ("Bob Ray", "Please reply."), ("Cat Moss", ""), ("Dev Patel", "")]
        ):
            body = f"Dear Alex Morgan,\n\n{SEWAGE} {extra}\n\nYours sincerely,\n{name}\n"
            data = mail(
                body,
                sender=f"{name} <p{i}@example.org>",
                subject="End sewage dumping",
                message_id=f"<r{i}@example.org>",
            )
            refs.append(app.triage.triage_one(raw(data)).case_ref)
            queued_on_arrival.append(in_review(refs[-1]))
        queued_now = [in_review(r) for r in refs]
        own = app.triage.triage_one(raw(mail(message_id="<own@example.org>"))).case_ref
        assert in_review(own)  # a letter of its own is still reviewed
    finally:
        app.close()
    # two copies are not yet a campaign (three senders make one): a person may look at them;
    # the third announces it, and the earlier two leave the queue as they join
    assert queued_on_arrival == [True, True, False, False]
    assert queued_now == [False, False, False, False]


def test_audit_entries_are_hash_chained(app: App) -> None:
    from casedesk.core.audit import first_broken_link

    app.triage.triage_one(raw(mail()))
    entries = app.repo.audit_entries()  # type: ignore[attr-defined]
    assert [e.action for e in entries][:2] == ["case.opened", "draft.created"]
    assert first_broken_link(entries) is None
    app.repo.conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 1")  # type: ignore[attr-defined]
    assert first_broken_link(app.repo.audit_entries()) == 1  # type: ignore[attr-defined]
