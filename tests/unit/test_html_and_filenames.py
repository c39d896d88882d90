from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.core.mime.filenames import safe_filename
from casedesk.core.mime.html_text import html_to_text


def test_html_to_text_drops_scripts_styles_and_head_and_decodes_entities() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<script>alert('x')</script><p>Rent is &pound;300&nbsp;a week &amp; rising.</p>"
        "<p>Second&#8217;s paragraph<br>new line</p><ul><li>one</li><li>two</li></ul></body></html>"
    )
    text = html_to_text(html)
    assert "alert" not in text and "color" not in text and "T\n" not in text
    assert "Rent is £300 a week & rising." in text
    assert "Second’s paragraph\nnew line" in text
    assert "- one" in text and "- two" in text
    assert "\n\n" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\evil.bat", "evil.bat"),
        (".hidden", "hidden"),
        ("CON.txt", "_CON.txt"),
        ("report.pdf", "report.pdf"),
        ("a\x00b.pdf", "a_b.pdf"),
        (None, "attachment-3.pdf"),
        ("..", "attachment-3.pdf"),
    ],
)
def test_safe_filename(raw: str | None, expected: str) -> None:
    assert safe_filename(raw, "application/pdf", 3) == expected


@given(st.text())
def test_safe_filename_is_always_a_plain_basename(raw: str) -> None:
    name = safe_filename(raw, "application/octet-stream", 1)
    assert name and "/" not in name and "\\" not in name and not name.startswith(".")
    assert "\x00" not in name and len(name) <= 140
