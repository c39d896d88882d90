"""MailSender contract, for every adapter: the embedded outbox folder and Exchange Online
through Graph (msgraph-sdk against the local Graph server). A copy goes once with its
attachments; a resumed send of a copy that went sends nothing; one that never went is sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest

from casedesk.core.outgoing_mail import FilePart, OutgoingMail, outgoing_eml
from casedesk.ports import MailSender
from mailing_office import OFFICE, PDF, START

MAIL = OutgoingMail(
    mailing_id="reply-cluster-000003", case_ref="CD-2026-000007",
    message_id="<casedesk.reply-cluster-000003.cd-2026-000007@parliament.example>",
    from_addr=OFFICE, from_name="Office of Alex Morgan MP",
    to_addr="martin.greaves@example.org", to_name="Martin Greaves",
    subject="Re: Sewage in the Cam", body="Dear Martin Greaves,\n\nThank you.\n",
    attachments=(FilePart("mp-letter.pdf", "application/pdf", PDF.read_bytes()),),
)  # fmt: skip


@dataclass
class Rig:
    sender: MailSender
    delivered: Callable[[], list[bytes]]  # the MIME of every message that went
    half_sent: Callable[[OutgoingMail], None]  # an earlier run got part-way, nothing went


def _outbox(tmp_path: Path) -> Iterator[Rig]:
    from casedesk.adapters.embedded.outbox_mailer import OutboxMailer

    folder = tmp_path / "outbox"

    def delivered() -> list[bytes]:
        return [p.read_bytes() for p in sorted(folder.rglob("*.eml"))]

    def half_sent(mail: OutgoingMail) -> None:
        folder.joinpath("mailings").mkdir(parents=True, exist_ok=True)
        (folder / "mailings" / ".tmp-crashed").write_bytes(b"half a message")

    yield Rig(OutboxMailer(folder), delivered, half_sent)


def _graph(tmp_path: Path) -> Iterator[Rig]:
    from casedesk.adapters.m365.graph_client import GraphCaller
    from casedesk.adapters.m365.graph_mail_sender import GraphMailSender, _message
    from graphfake import GraphFake

    with GraphFake() as fake:
        fake.add_mailbox(OFFICE)
        caller = GraphCaller(fake.issue_token, fake.base_url)
        sender = GraphMailSender(caller, OFFICE)

        def delivered() -> list[bytes]:
            ids = [m["id"] for m in fake.sent]
            return [fake.store.messages[i].mime for i in ids]

        def half_sent(mail: OutgoingMail) -> None:
            _ = _message  # the same JSON the adapter sends, created but never sent
            sender._create(mail)

        try:
            yield Rig(sender, delivered, half_sent)
        finally:
            caller.close()


@pytest.fixture(params=["outbox", "graph"])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    yield from (_outbox if request.param == "outbox" else _graph)(tmp_path)


def test_a_copy_goes_once_with_its_attachment(rig: Rig) -> None:
    where, sent_now = rig.sender.send(MAIL, outgoing_eml(MAIL, START), resumed=False)
    assert sent_now and where
    [mime] = rig.delivered()
    msg = message_from_bytes(mime, policy=default)
    assert msg["Message-ID"] == MAIL.message_id
    assert str(msg["To"].addresses[0].addr_spec) == MAIL.to_addr
    [part] = list(msg.iter_attachments())
    assert part.get_filename() == "mp-letter.pdf"
    assert part.get_content() == PDF.read_bytes()


def test_a_resumed_send_of_a_copy_that_went_sends_nothing_more(rig: Rig) -> None:
    first, _ = rig.sender.send(MAIL, outgoing_eml(MAIL, START), resumed=False)
    again, sent_now = rig.sender.send(MAIL, outgoing_eml(MAIL, START), resumed=True)
    assert not sent_now and again == first
    assert len(rig.delivered()) == 1


def test_a_resumed_send_of_a_copy_that_never_went_sends_it_once(rig: Rig) -> None:
    rig.half_sent(MAIL)
    assert rig.delivered() == []
    _, sent_now = rig.sender.send(MAIL, outgoing_eml(MAIL, START), resumed=True)
    assert sent_now
    assert len(rig.delivered()) == 1
