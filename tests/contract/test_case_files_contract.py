"""What every CaseFiles adapter must do: keep originals byte-for-byte, never escape the folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from casedesk.core.mime import parse_message
from casedesk.core.models import Case, CaseStatus, Category, Topic
from casedesk.errors import NotFoundError
from mailmaker import mail

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_filing_is_byte_for_byte_and_idempotent(files: Any) -> None:
    data = mail(attachments=[("letter.pdf", "application/pdf", b"%PDF-1.4 x")])
    message = parse_message(data)
    first = files.file_message("CD-2026-000001", message)
    second = files.file_message("CD-2026-000001", message)
    assert first == second
    folder = Path(files.location("CD-2026-000001"))
    assert [p.read_bytes() for p in folder.rglob("*.eml")] == [data]
    assert [p.name for p in folder.rglob("*.pdf")] == ["letter.pdf"]


def test_hostile_attachment_names_stay_inside_the_case_folder(files: Any) -> None:
    data = mail(
        attachments=[
            ("../../../../tmp/evil.sh", "text/x-sh", b"rm -rf /"),
            ("..\\..\\win.bat", "application/octet-stream", b"x"),
            ("same.txt", "text/plain", b"1"),
            ("same.txt", "text/plain", b"2"),
        ]
    )
    files.file_message("CD-2026-000002", parse_message(data))
    folder = Path(files.location("CD-2026-000002")).resolve()
    written = [p for p in Path(files.root).rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(folder) for p in written)
    names = sorted(p.name for p in written if p.suffix != ".eml")
    assert names == ["evil.sh", "same-2.txt", "same.txt", "win.bat"]


def test_summary_and_draft_written_in_the_case_folder(files: Any) -> None:
    case = Case(
        "CD-2026-000003",
        "p@example.org",
        "P",
        "Subj",
        Category.CASEWORK,
        Topic.OTHER,
        False,
        CaseStatus.NEW,
        None,
        None,
        "s",
        NOW,
        NOW,
    )
    files.write_summary(case, [])
    files.write_draft(case.ref, "reply-draft.eml", b"draft")
    folder = Path(files.location(case.ref))
    assert (folder / "case.json").exists()
    assert (folder / "drafts" / "reply-draft.eml").read_bytes() == b"draft"


def test_quarantine_keeps_the_bytes(files: Any) -> None:
    path = files.quarantine("cd" * 32, b"\x00\x01garbage")
    assert Path(path).read_bytes() == b"\x00\x01garbage"


def test_a_weekly_briefing_is_written_once_per_week_and_read_back(files: Any) -> None:
    from datetime import date

    week = date(2026, 11, 23)
    assert files.write_briefing(week, b"%PDF-1.7 first") == "briefings/briefing-2026-11-23.pdf"
    assert files.write_briefing(week, b"%PDF-1.7 again") == "briefings/briefing-2026-11-23.pdf"
    assert files.read_file("briefings/briefing-2026-11-23.pdf") == b"%PDF-1.7 again"


def test_filed_files_are_listed_and_read_back_byte_for_byte(files: Any) -> None:
    data = mail(attachments=[("letter.pdf", "application/pdf", b"%PDF-1.4 x")])
    eml = files.file_message("CD-2026-000004", parse_message(data))
    files.write_draft("CD-2026-000004", "reply-draft.eml", b"draft")
    listed = files.list_case_files("CD-2026-000004")
    assert listed == sorted(listed) and eml in listed and len(listed) == 3
    assert "cases/CD-2026-000004/drafts/reply-draft.eml" in listed
    assert [p for p in listed if p.endswith(".pdf")] == [
        eml.replace("/messages/", "/attachments/").removesuffix(".eml") + "/letter.pdf"
    ]
    assert files.read_file(eml) == data
    assert files.list_case_files("CD-2026-000404") == []
    with pytest.raises(NotFoundError):
        files.read_file("cases/CD-2026-000404/messages/none.eml")


def test_files_and_case_folders_are_deleted_for_good(files: Any) -> None:
    data = mail(attachments=[("letter.pdf", "application/pdf", b"%PDF-1.4 x")])
    eml = files.file_message("CD-2026-000005", parse_message(data))
    files.write_draft("CD-2026-000005", "reply-draft.eml", b"draft")
    other = files.file_message("CD-2026-000006", parse_message(mail(message_id="<z@x>")))
    assert files.delete_file(eml) is True and files.delete_file(eml) is False
    assert eml not in files.list_case_files("CD-2026-000005")
    assert files.delete_case_files("CD-2026-000005") == 2  # the attachment and the draft
    assert files.list_case_files("CD-2026-000005") == []
    assert files.delete_case_files("CD-2026-000005") == 0
    assert files.list_case_files("CD-2026-000006") == [other]
