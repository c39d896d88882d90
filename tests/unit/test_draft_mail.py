from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import default

from casedesk.core.draft_mail import draft_eml
from casedesk.core.mime import parse_message
from casedesk.core.models import Draft
from mailmaker import mail


def test_draft_round_trips_non_ascii_and_threads_onto_the_original() -> None:
    original = parse_message(
        mail(
            sender="Zoë Ní Bhriain <zoe@example.org>", references="<a@x> <b@x>", in_reply_to="<b@x>"
        )
    )
    body = "Dear Zoë,\n\nRent of £1,150 is too high — we will write to the landlord.\n" + "x" * 200
    data = draft_eml(
        Draft("Re: Café licence – £300", body, "casework.j2"),
        original,
        "office@parliament.example",
        "Office of Alex Morgan MP",
        datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    msg = message_from_bytes(data, policy=default)
    assert str(msg["Subject"]) == "Re: Café licence – £300"
    assert msg["To"].addresses[0].display_name == "Zoë Ní Bhriain"
    assert msg["In-Reply-To"] == "<m1@example.org>"
    assert msg["References"].split() == ["<a@x>", "<b@x>", "<m1@example.org>"]
    assert msg["X-Unsent"] == "1"
    assert msg.get_content().replace("\r\n", "\n") == body
    assert (
        str(make_header(decode_header(msg["From"])))
        == "Office of Alex Morgan MP <office@parliament.example>"
    )
