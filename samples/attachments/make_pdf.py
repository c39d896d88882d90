"""Write mp-letter.pdf, the demo's sample attachment for a campaign reply, from this script alone.

A one-page PDF 1.4 built by hand (no library, no timestamps, no random ids), so running it again
gives the same bytes: `python samples/attachments/make_pdf.py` then `git diff` shows nothing.
The letter's text is invented for the demo office (Alex Morgan MP, Cambridge); the font is the
standard Type 1 Helvetica every PDF reader has, so nothing is embedded.
"""

from __future__ import annotations

from pathlib import Path

LINES = [
    ("F2", 16, "Alex Morgan MP"),
    ("F1", 11, "Member of Parliament for Cambridge"),
    ("F1", 11, "House of Commons, London SW1A 0AA"),
    ("F1", 11, ""),
    ("F1", 11, "Sewage discharges into the River Cam"),
    ("F1", 11, ""),
    ("F1", 11, "Thank you for writing to me about sewage in the Cam. I share your concern."),
    ("F1", 11, "I have asked the Secretary of State what the Government will do to stop"),
    ("F1", 11, "storm overflows discharging into chalk streams, and I have written to the"),
    ("F1", 11, "water company asking for its plans and dates for the Cambridge works."),
    ("F1", 11, ""),
    ("F1", 11, "I will write to you again when I have their answers."),
    ("F1", 11, ""),
    ("F1", 11, "Yours sincerely,"),
    ("F1", 11, ""),
    ("F1", 11, "Alex Morgan MP"),
    ("F1", 8, "Sample document for the CaseDesk demo: not a real letter."),
]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes() -> bytes:
    stream = ["BT", "72 770 Td", "14 TL"]
    for font, size, text in LINES:
        stream.append(f"/{font} {size} Tf ({_escape(text)}) Tj T*")
    stream.append("ET")
    content = "\n".join(stream).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )
    return bytes(out)


if __name__ == "__main__":
    target = Path(__file__).with_name("mp-letter.pdf")
    target.write_bytes(pdf_bytes())
    print(f"{target}: {target.stat().st_size} bytes")
