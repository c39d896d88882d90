"""Mailings end to end on the embedded adapters: a campaign reply previewed, signed off and
sent to the outbox with its PDF; refused without sign-off or after a change; resumed after a
crash at every point of the send with no copy twice and nobody missed; outcomes and follow-ups
to exactly the people who raised it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from casedesk.bootstrap_mailings import MailingApp, build_mailings
from casedesk.core.mailing_store import MailingStore
from casedesk.core.mailings import MailingState, SendState
from casedesk.core.models import CaseQuery
from casedesk.core.replies import ReplyRefusedError
from mailing_office import PDF, Crash, TestClock, copy_office, seeded_office, settings_for


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return seeded_office(tmp_path_factory)


@dataclass
class Office:
    app: MailingApp
    clock: TestClock
    campaign: str
    data: Path

    @property
    def outbox(self) -> Path:
        return self.data / "outbox" / "mailings"

    def copies(self) -> list[Path]:
        return sorted(self.outbox.rglob("*.eml"))

    def sent_audit(self) -> Counter[str]:
        entries = self.app.desk.repo.audit_entries()
        return Counter(e.object_ref for e in entries if e.action == "mailing.sent")

    def campaign_emails(self) -> set[str]:
        cases = self.app.desk.repo.query_cases(CaseQuery(limit=1000))
        return {c.constituent_email for c in cases if c.campaign_id == self.campaign}


def open_office(seeded: tuple[Path, str], tmp_path: Path, **settings: object) -> Office:
    data = copy_office(seeded[0], tmp_path / "data")
    clock = TestClock()
    app = build_mailings(settings_for(data, **settings), clock, clock)
    return Office(app, clock, seeded[1], data)


@pytest.fixture
def office(seeded: tuple[Path, str], tmp_path: Path) -> Iterator[Office]:
    o = open_office(seeded, tmp_path)
    yield o
    o.app.close()


def approved_reply(office: Office) -> str:
    preview = office.app.desk.campaign_reply(
        office.campaign, "campaign-reply", [str(PDF)], "jo.price", dry_run=False
    )
    office.app.desk.approve(preview.mailing.id, "alex.morgan")
    return preview.mailing.id


def test_preview_shows_merged_copies_and_the_count_and_stores_nothing_on_a_dry_run(
    office: Office,
) -> None:
    preview = office.app.desk.campaign_reply(
        office.campaign, "campaign-reply", [str(PDF)], "jo.price", dry_run=True
    )
    assert len(preview.targeting.recipients) == len(office.campaign_emails()) == 6
    first = preview.copies[0]
    case = office.app.desk.repo.get_case(first.case_ref)
    assert first.case_ref in first.body and case.constituent_name.split()[0] in first.body
    assert [a.name for a in first.attachments] == ["mp-letter.pdf"]
    assert office.app.desk.store.get(preview.mailing.id) is None
    assert office.copies() == []


def test_approved_campaign_reply_goes_to_everyone_once_with_the_pdf_in_the_mime(
    office: Office,
) -> None:
    mailing_id = approved_reply(office)
    report = office.app.desk.send(mailing_id, "jo.price")
    assert report.sent == 6 and report.remaining == 0
    assert report.mailing.state is MailingState.SENT
    copies = office.copies()
    assert len(copies) == 6
    recipients = set()
    for path in copies:
        msg = message_from_bytes(path.read_bytes(), policy=default)
        recipients.add(str(msg["To"].addresses[0].addr_spec))
        parts = [p for p in msg.iter_attachments()]
        assert [p.get_filename() for p in parts] == ["mp-letter.pdf"]
        assert parts[0].get_content_type() == "application/pdf"
        assert parts[0].get_content() == PDF.read_bytes()
        assert msg["Message-ID"].startswith(f"<casedesk.{mailing_id}.")
    assert recipients == office.campaign_emails()
    assert set(office.sent_audit().values()) == {1}
    # Sending again sends nothing more.
    again = office.app.desk.send(mailing_id, "jo.price")
    assert (again.sent, again.already) == (0, 6)
    assert len(office.copies()) == 6


def test_send_is_refused_without_the_mps_approval(office: Office) -> None:
    preview = office.app.desk.campaign_reply(
        office.campaign, "campaign-reply", [str(PDF)], "jo.price", dry_run=False
    )
    with pytest.raises(ReplyRefusedError, match="needs the MP's sign-off"):
        office.app.desk.send(preview.mailing.id, "jo.price")
    with pytest.raises(ReplyRefusedError, match="cannot approve"):
        office.app.desk.approve(preview.mailing.id, "jo.price")
    assert office.copies() == []
    actions = [e.action for e in office.app.desk.repo.audit_entries(preview.mailing.id)]
    assert actions == ["mailing.written", "mailing.send_refused"]


def test_an_approved_mailing_is_not_sent_while_sending_is_switched_off(
    seeded: tuple[Path, str], tmp_path: Path
) -> None:
    office = open_office(seeded, tmp_path, features={"send_mail": False})
    try:
        mailing = approved_reply(office)
        with pytest.raises(ReplyRefusedError, match=r"switched off.*send_mail = true"):
            office.app.desk.send(mailing, "jo.price")
        assert office.copies() == []
        actions = [e.action for e in office.app.desk.repo.audit_entries(mailing)]
        assert actions[-1] == "mailing.send_refused"
    finally:
        office.app.close()


def test_an_edit_to_the_template_or_the_attachment_after_approval_stops_the_send(
    seeded: tuple[Path, str], tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    letter = templates / "sewage.txt.j2"
    letter.write_text("{{ salutation }},\n\nThank you. The MP's letter is attached.\n")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(PDF.read_bytes())
    office = open_office(seeded, tmp_path, templates_dir=templates)
    try:
        desk = office.app.desk
        mailing = desk.campaign_reply(office.campaign, "sewage", [str(pdf)], "jo", False).mailing
        desk.approve(mailing.id, "alex.morgan")
        letter.write_text("{{ salutation }},\n\nThank you. Edited after approval.\n")
        with pytest.raises(ReplyRefusedError, match="changed after the MP approved it"):
            desk.send(mailing.id, "jo.price")
        letter.write_text("{{ salutation }},\n\nThank you. The MP's letter is attached.\n")
        pdf.write_bytes(PDF.read_bytes() + b"\n% one byte more\n")
        with pytest.raises(ReplyRefusedError, match="changed after the MP approved it"):
            desk.send(mailing.id, "jo.price")
        # Writing it again with the changed PDF is a new version; the approval is void.
        rewritten = desk.campaign_reply(office.campaign, "sewage", [str(pdf)], "jo", False)
        assert rewritten.voided and rewritten.mailing.version == 2
        with pytest.raises(ReplyRefusedError, match="needs the MP's sign-off"):
            desk.send(mailing.id, "jo.price")
        assert office.copies() == []
        desk.approve(mailing.id, "alex.morgan")
        assert desk.send(mailing.id, "jo.price").sent == 6
    finally:
        office.app.close()


def _readings_for_a_full_send(seeded: tuple[Path, str], tmp_path: Path) -> tuple[int, int]:
    """(clock readings before sending starts, readings a whole send takes)."""
    office = open_office(seeded, tmp_path / "probe")
    try:
        mailing_id = approved_reply(office)
        before = office.clock.readings
        office.app.desk.send(mailing_id, "jo.price")
        return before, office.clock.readings - before
    finally:
        office.app.close()


@pytest.fixture(scope="module")
def crash_points(seeded: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> int:
    _, during = _readings_for_a_full_send(seeded, tmp_path_factory.mktemp("probe"))
    return during


@pytest.mark.parametrize("fraction", [i / 23 for i in range(23)])
def test_a_send_stopped_at_any_point_and_run_again_sends_each_copy_exactly_once(
    seeded: tuple[Path, str], tmp_path: Path, crash_points: int, fraction: float
) -> None:
    office = open_office(seeded, tmp_path)
    try:
        mailing_id = approved_reply(office)
        office.clock.crash_at = office.clock.readings + 1 + int(fraction * crash_points)
        with pytest.raises(Crash):
            office.app.desk.send(mailing_id, "jo.price")
    finally:
        office.app.close()
    # The local relay delivers what was written before the crash (moving it to outbox/sent/),
    # so a second copy written on resume would show as an extra file.
    delivered = office.data / "outbox" / "sent"
    for path in office.copies():
        target = delivered / path.relative_to(office.data / "outbox")
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    # A new process: the store is opened again from disk.
    restarted = build_mailings(settings_for(office.data), office.clock, office.clock)
    try:
        report = restarted.desk.send(mailing_id, "jo.price")
        assert report.remaining == 0 and report.mailing.state is MailingState.SENT
        records = MailingStore(restarted.desk.store.ops).records(mailing_id)
        assert sorted(r.state for r in records) == [SendState.SENT] * 6
        resumed = Office(restarted, office.clock, office.campaign, office.data)
        everything = resumed.copies() + sorted(delivered.rglob("*.eml"))
        assert len(everything) == 6  # nobody missed, nobody twice
        assert len({p.name for p in everything}) == 6
        audit = resumed.sent_audit()
        assert len(audit) == 6 and set(audit.values()) == {1}
    finally:
        restarted.close()


def test_follow_up_goes_to_exactly_the_constituents_who_raised_it_each_once(
    office: Office,
) -> None:
    desk = office.app.desk
    with pytest.raises(Exception, match="no outcome recorded yet"):
        desk.follow_up(office.campaign, "follow-up", [], "jo.price", dry_run=True)
    outcome = desk.record_outcome(
        office.campaign, "The MP asked a written question about the Cam.", "jo.price"
    )
    assert outcome.number == 1
    preview = desk.follow_up(office.campaign, "follow-up", [], "jo.price", dry_run=False)
    emails = [r.email for r in preview.targeting.recipients]
    assert sorted(emails) == sorted(office.campaign_emails()) and len(set(emails)) == len(emails)
    assert "The MP asked a written question about the Cam." in preview.copies[0].body
    desk.approve(preview.mailing.id, "alex.morgan")
    assert desk.send(preview.mailing.id, "jo.price").sent == 6


def test_follow_up_on_one_case_goes_to_its_constituent_only(office: Office) -> None:
    desk = office.app.desk
    cases = [c for c in desk.repo.query_cases(CaseQuery(limit=100))
             if c.campaign_id == office.campaign]  # fmt: skip
    case = cases[0]
    desk.record_outcome(case.ref, "The water company replied; letter attached.", "jo.price")
    notes = desk.repo.notes(case.ref)
    assert notes[-1].text.startswith("Outcome: ")
    preview = desk.follow_up(case.ref, "follow-up", [str(PDF)], "jo.price", dry_run=True)
    assert [r.email for r in preview.targeting.recipients] == [case.constituent_email]


def test_erased_constituents_are_never_written_to(office: Office) -> None:
    from typer.testing import CliRunner

    from casedesk.entrypoints.cli import cli

    gone = sorted(office.campaign_emails())[0]
    [theirs] = [c for c in office.app.desk.repo.query_cases(CaseQuery(limit=100))
                if c.constituent_email == gone]  # fmt: skip
    office.app.desk.record_outcome(theirs.ref, "The council wrote to them directly.", "jo")
    office.app.desk.follow_up(theirs.ref, "follow-up", [], "jo", dry_run=False)
    result = CliRunner().invoke(cli, [
        "--data-dir", str(office.data), "erase", gone, "--reason", "request", "--by", "jo",
        "--yes",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    office.app.close()
    office.app = build_mailings(settings_for(office.data), office.clock, office.clock)
    preview = office.app.desk.campaign_reply(
        office.campaign, "campaign-reply", [], "jo.price", dry_run=True
    )
    emails = {r.email for r in preview.targeting.recipients}
    assert gone not in emails and len(emails) == 5
    # The outcome's words and the follow-up about their case went with it.
    store = office.app.desk.store
    assert store.outcomes(theirs.ref) == []
    assert [m.target for m in store.all()] == []
