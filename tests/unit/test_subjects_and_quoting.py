from __future__ import annotations

import pytest

from casedesk.core.mime.quoting import new_text_of
from casedesk.core.subjects import is_reply_subject, normalise_subject


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("RE: Damp in my flat", "damp in my flat"),
        ("Re: RE: Fwd: Damp  in my flat ", "damp in my flat"),
        ("AW: Antwort", "antwort"),
        ("[EXTERNAL] Re: Visa delay", "visa delay"),
        ("Re[2]: Bins", "bins"),
        ("Recycling centre hours", "recycling centre hours"),
    ],
)
def test_normalise_subject_strips_prefixes(subject: str, expected: str) -> None:
    assert normalise_subject(subject) == expected


def test_reply_subject_detection() -> None:
    assert is_reply_subject("RE: x") and not is_reply_subject("Recycling")


def test_outlook_reply_keeps_only_new_text() -> None:
    text = (
        "Thanks, the repair is still not done.\n\n"
        "From: Office of Alex Morgan MP <office@parliament.example>\n"
        "Sent: 16 November 2026 10:00\nTo: Priya Shah\nSubject: RE: Damp\n\n"
        "Dear Priya, we have written to the council."
    )
    assert new_text_of(text, "RE: Damp") == "Thanks, the repair is still not done."


def test_gmail_reply_split_across_two_lines() -> None:
    text = "New bit.\n\nOn Mon, 16 Nov 2026 at 09:12, Jane Doe <\njane@example.com> wrote:\n> old"
    assert new_text_of(text, "Re: x") == "New bit."


def test_original_message_marker() -> None:
    text = "Top.\n-----Original Message-----\nFrom: x\nold"
    assert new_text_of(text, "Re: x") == "Top."


def test_bottom_posted_reply_keeps_unquoted_lines() -> None:
    text = "> old question\n> more\nMy answer is below the quote."
    assert new_text_of(text, "Re: x") == "My answer is below the quote."


def test_forward_keeps_the_forwarded_letter() -> None:
    text = "See below from my landlord.\n\nFrom: Landlord\nSent: Monday\nTo: me\nSubject: Notice\n\nSection 21 notice."
    assert "Section 21 notice." in new_text_of(text, "FW: Notice")


def test_plain_letter_unchanged() -> None:
    assert new_text_of("Dear Alex,\nPlease help.", "Help") == "Dear Alex,\nPlease help."
