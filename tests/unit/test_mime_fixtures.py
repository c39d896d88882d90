"""Every edge case in tests/fixtures/mime/manifest.json, checked against the parser.

The fixtures (and what each must produce) were written separately from the parser; see
tests/fixtures/mime/README.md. `body_contains`/`body_excludes` apply to the new text (what
is classified); `filed_contains` to the full text (what is filed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casedesk.core.mime import parse_message
from casedesk.core.postcode import find_postcode
from casedesk.errors import MalformedMessageError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mime"
MANIFEST: list[dict[str, Any]] = json.loads((FIXTURES / "manifest.json").read_text())


@pytest.mark.parametrize("case", MANIFEST, ids=[c["file"] for c in MANIFEST])
def test_fixture(case: dict[str, Any]) -> None:
    data = (FIXTURES / case["file"]).read_bytes()
    expect = case["expect"]
    if expect.get("quarantine"):
        with pytest.raises(MalformedMessageError):
            parse_message(data)
        return
    msg = parse_message(data)
    if "from" in expect:
        assert msg.from_addr == expect["from"]
    if "from_name" in expect:
        assert msg.from_name == expect["from_name"]
    if "subject" in expect:
        assert msg.subject == expect["subject"]
    for text in expect.get("body_contains", []):
        assert text in msg.new_text, f"new text lacks {text!r}"
    for text in expect.get("body_excludes", []):
        assert text not in msg.new_text, f"new text should not contain {text!r}"
    for text in expect.get("filed_contains", []):
        assert text in msg.text, f"filed text lacks {text!r}"
    starts = [line.strip().removeprefix("- ") for line in msg.new_text.split("\n")]
    for prefix in expect.get("body_separate_lines", []):
        assert any(s.startswith(prefix) for s in starts), f"no line starts with {prefix!r}"
    if "attachments" in expect:
        real = [a for a in msg.attachments if not a.is_inline]
        assert len(real) == len(expect["attachments"]), [a.filename for a in real]
        for got, want in zip(real, expect["attachments"], strict=True):
            assert got.content_type == want["content_type"]
            if "size" in want:
                assert got.size == want["size"]
            assert "/" not in got.filename and "\\" not in got.filename
            if (
                "filename" in want
                and want["filename"].isprintable()
                and not any(c in want["filename"] for c in "/\\")
            ):
                assert got.filename == want["filename"]
    if "inline_images" in expect:
        assert sum(1 for a in msg.attachments if a.is_inline) == expect["inline_images"]
    if "html_only" in expect:
        assert msg.is_html_only is expect["html_only"]
    if "in_reply_to" in expect:
        assert msg.in_reply_to == expect["in_reply_to"]
    if "references" in expect:
        assert list(msg.references) == expect["references"]
    if "postcode" in expect:
        assert find_postcode(msg.new_text) == expect["postcode"]
