"""Hostile mail through the whole embedded pipeline (`casedesk triage`): every message is
either filed or quarantined with a reason, nothing is written outside the data dir, nothing
is unpacked, and the counting law holds. Sizes are kept modest where the point is shape, not
volume; the 50 MB attachment is real."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from casedesk.bootstrap import App
from casedesk.core.models import RawMessage
from mailmaker import mail


def letter(subject: str, n: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Sender {n} <sender{n}@example.org>"
    msg["To"] = "alex.morgan.mp@parliament.example"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<hostile{n}@example.org>"
    msg["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    msg.set_content("Dear Alex,\n\nPlease see the attached.\n\nSender\n")
    return msg


def zip_bomb() -> bytes:
    """200 MB of zeros in one member: about 200 KB zipped."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("zeros.bin", "w") as member,
    ):
        chunk = bytes(1 << 20)
        for _ in range(200):
            member.write(chunk)
    return buf.getvalue()


def nested(depth: int) -> bytes:
    inner = "Content-Type: text/plain\n\nthe bottom\n"
    for level in range(depth):
        inner = f'Content-Type: multipart/mixed; boundary="b{level}"\n\n--b{level}\n{inner}\n--b{level}--\n'
    head = (
        "From: Deep <deep@example.org>\nTo: alex.morgan.mp@parliament.example\n"
        "Subject: deep\nMessage-ID: <deep@example.org>\nMIME-Version: 1.0\n"
    )
    return (head + inner).encode()


def test_hostile_mail_is_filed_or_quarantined_and_never_escapes(tmp_path: Path) -> None:
    inbox, data = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    names = ["../../../etc/passwd", "..\\..\\windows\\system32\\evil.dll", "/abs/path.txt",
             "con.txt", "a" * 400 + ".pdf", "\x00null.txt", ".hidden", "ok.pdf"]  # fmt: skip
    traversal = letter("Attachments", 1)
    for name in names:
        traversal.add_attachment(b"payload", maintype="application", subtype="octet-stream",
                                 filename=name)  # fmt: skip
    (inbox / "1-traversal.eml").write_bytes(traversal.as_bytes(policy=SMTP))

    bomb = letter("Zip", 2)
    archive = zip_bomb()
    bomb.add_attachment(archive, maintype="application", subtype="zip", filename="evidence.zip")
    (inbox / "2-bomb.eml").write_bytes(bomb.as_bytes(policy=SMTP))

    big = letter("Big scan", 3)
    big.add_attachment(b"%PDF" + bytes(50 * 2**20), maintype="application", subtype="pdf",
                       filename="scan.pdf")  # fmt: skip
    (inbox / "3-big.eml").write_bytes(big.as_bytes(policy=SMTP))

    crowd = letter("To everyone", 4)
    del crowd["To"]
    crowd["To"] = ", ".join(f"person{i}@example.org" for i in range(10_000))
    (inbox / "4-crowd.eml").write_bytes(crowd.as_bytes(policy=SMTP))

    (inbox / "5-deep.eml").write_bytes(nested(200))
    (inbox / "6-script.eml").write_bytes(
        mail(html="<script>alert(1)</script><p>Help with <b>damp</b></p>", message_id="<s@x>")
    )

    done = subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data), "triage", str(inbox), "--json"],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    run = report.get("run", report)
    assert run["seen"] == 6
    assert run["balances"] and run["filed"] + run["quarantined"] == 6

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(inbox) or p.resolve().is_relative_to(data)
               for p in written)  # fmt: skip
    assert not any(p.name == "passwd" and "etc" in p.parts for p in tmp_path.rglob("*"))
    attachments = [
        p for p in (data / "cases").rglob("*") if "attachments" in p.parts and p.is_file()
    ]
    stored_zip = [p for p in attachments if p.suffix == ".zip"]
    assert [p.stat().st_size for p in stored_zip] == [len(archive)]  # kept as sent, never unpacked
    assert not any(p.name == "zeros.bin" for p in data.rglob("*"))
    assert any(p.stat().st_size > 50 * 2**20 for p in attachments)  # the big scan, whole
    for p in attachments:
        assert ".." not in p.relative_to(data).parts and not p.name.startswith(".")
        assert len(p.name) <= 120
    assert "alert(1)" not in "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in data.rglob("case.json")
    )


def test_hostile_attachment_names_stay_in_the_sharepoint_case_folder(app: App) -> None:
    """The same traversal, device and hidden names, filed into the SharePoint library (on the
    local Graph server): every file is under the case's own folder."""
    from casedesk.core.triage import Triage
    from sharepoint_stack import DRIVE, SITE, start_stack

    names = ["../../../etc/passwd", "..\\..\\evil.dll", "/abs/path.txt", "con.txt",
             "%2e%2e%2fup.txt", "\u202egnp.exe", ".hidden", "a" * 400 + ".pdf", "ok.pdf"]  # fmt: skip
    msg = letter("Attachments", 7)
    msg.add_alternative("<script>alert(1)</script><p>Help</p>", subtype="html")
    for name in names:
        msg.add_attachment(b"payload", maintype="application", subtype="octet-stream",
                           filename=name)  # fmt: skip
    stack = start_stack()
    try:
        t = app.triage
        triage = Triage(stack.repository(), stack.files(), app.classifier, t.drafter, app.ops,
                        app.clock, t.policy)  # fmt: skip
        result = triage.triage_one(RawMessage("hostile.eml", msg.as_bytes(policy=SMTP)))
        assert result.case_ref, result.reason
        paths = list(stack.fake.drive_files(SITE, DRIVE))
        assert len(paths) >= len(names)
        for path in paths:
            parts = path.strip("/").split("/")
            assert ".." not in parts and "\\" not in path
            assert f"cases/{result.case_ref}/" in path, path
    finally:
        stack.close()
