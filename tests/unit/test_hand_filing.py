"""A message handed over by a person goes through triage like webhook mail, audited with
who handed it over (core/hand_filing.py)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App
from casedesk.core.hand_filing import HandFiled, MessageTooLargeError, file_by_hand, too_large
from casedesk.core.triage import Outcome
from mailmaker import mail


def hand(app: App, clock: FixedClock, data: bytes, limit: int = 10_000_000) -> HandFiled:
    return file_by_hand(app.triage, app.repo, clock, data, "jo.price", "outlook-eml", limit)


def test_a_handed_over_letter_opens_a_case_and_names_who_handed_it(app: App, clock: FixedClock) -> None:
    done = hand(app, clock, mail())
    assert done.outcome is Outcome.FILED_NEW and done.case_ref
    entries = app.repo.audit_entries(done.case_ref)
    assert [(e.actor, e.action) for e in entries][-1] == ("jo.price", "message.submitted")
    assert ("casedesk-triage", "case.opened") in [(e.actor, e.action) for e in entries]


def test_the_same_bytes_twice_are_a_duplicate_not_a_second_case(app: App, clock: FixedClock) -> None:
    first = hand(app, clock, mail())
    again = hand(app, clock, mail())
    assert again.outcome is Outcome.DUPLICATE
    assert again.case_ref == first.case_ref


def test_the_size_limit_is_inclusive_and_refuses_before_triage(app: App, clock: FixedClock) -> None:
    data = mail()
    assert too_large(len(data), len(data)) is None
    with pytest.raises(MessageTooLargeError, match="attachments"):
        hand(app, clock, data, limit=len(data) - 1)
    assert app.repo.audit_entries() == []  # nothing was filed or audited


def test_the_audited_actor_is_required(app: App, clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="name"):
        file_by_hand(app.triage, app.repo, clock, mail(), " ", "outlook-eml")


def forward_as_attachment(inner: bytes, sender: str) -> bytes:
    outer = EmailMessage()
    outer["From"] = sender
    outer["To"] = "priya.shah@parliament.example"
    outer["Subject"] = "FW: Damp in my flat"
    outer["Message-ID"] = "<fw-1@parliament.example>"
    outer.set_content("Priya, can you take this one?\n\nAlex\n")
    outer.add_attachment(message_from_bytes(inner, policy=policy.default))
    return outer.as_bytes(policy=policy.SMTP)


def test_an_office_forward_as_attachment_files_the_constituents_own_message(
    app: App, clock: FixedClock
) -> None:
    done = hand(app, clock, forward_as_attachment(mail(), "Alex Morgan <alex.morgan.mp@parliament.example>"))
    assert done.unwrapped and done.outcome is Outcome.FILED_NEW
    case = app.repo.get_case(done.case_ref or "")
    assert case.constituent_email == "priya.shah@example.org"  # not the MP who forwarded it
    [entry] = [e for e in app.repo.audit_entries(case.ref) if e.action == "message.submitted"]
    assert entry.detail["unwrapped"] is True


def test_a_constituents_own_mail_with_an_email_attached_is_filed_whole(
    app: App, clock: FixedClock
) -> None:
    council = mail("Dear resident, we will inspect on Monday.", sender="Council <repairs@cambridge.example>")
    done = hand(app, clock, forward_as_attachment(council, "Priya Shah <priya.shah@example.org>"))
    assert not done.unwrapped
    assert app.repo.get_case(done.case_ref or "").constituent_email == "priya.shah@example.org"
