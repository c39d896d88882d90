"""Property tests: the parser never fails in an unplanned way, whatever bytes arrive."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casedesk.core.mime import parse_message
from casedesk.errors import MalformedMessageError
from mailmaker import mail

HEADERS = st.sampled_from(
    [
        b"From: a@example.org\r\n",
        b"Subject: x\r\n",
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Type: text/html; charset=x-bogus\r\n",
        b"\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"=?utf-8?B?////?=\r\n",
    ]
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_parse_or_are_refused_as_malformed(data: bytes) -> None:
    try:
        message = parse_message(data)
    except MalformedMessageError:
        return
    assert message.from_addr and message.sha256 and message.message_id.startswith("<")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.one_of(HEADERS, st.binary(max_size=80)), max_size=40))
def test_spliced_mime_fragments_never_crash(parts: list[bytes]) -> None:
    data = b"From: a@example.org\r\n" + b"".join(parts)
    message = parse_message(data)
    assert message.from_addr == "a@example.org"
    assert all("/" not in a.filename and "\\" not in a.filename for a in message.attachments)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_body_survives_a_round_trip(body: str) -> None:
    message = parse_message(mail(body or " "))
    cleaned = " ".join(body.split())
    assert (
        cleaned[:50].strip() == ""
        or " ".join(message.text.split()).find(cleaned[:50]) >= 0
        or "\r" in body
    )
