"""Mailings on Exchange Online, against the local Graph server: pacing keeps to the message
rate the server enforces (on a fake clock: no wall-clock time), a 429's Retry-After is
honoured, and a send interrupted between creating a copy and sending it, or at any other
point, finishes with one copy per constituent and no draft left behind."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from casedesk.adapters.m365.graph_client import GraphCaller, RetryPolicy
from casedesk.adapters.m365.graph_mail_sender import GraphMailSender
from casedesk.bootstrap import App, build_app
from casedesk.bootstrap_mailings import _templates, mailing_office, read_attachment
from casedesk.core.mailing_desk import MailingDesk
from casedesk.core.mailings import MailingState
from casedesk.core.pacing import MINUTE, SendingLimits, most_in_any_window
from graphfake import GraphFake
from mailing_office import OFFICE, PDF, Crash, TestClock, copy_office, seeded_office, settings_for


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return seeded_office(tmp_path_factory)


@dataclass
class Tenant:
    fake: GraphFake
    clock: TestClock
    app: App
    desk: MailingDesk
    campaign: str
    retry_waits: list[float]

    def approved_reply(self) -> str:
        preview = self.desk.campaign_reply(
            self.campaign, "campaign-reply", [str(PDF)], "jo.price", dry_run=False
        )
        self.desk.approve(preview.mailing.id, "alex.morgan")
        return preview.mailing.id

    def sent_ids(self) -> list[str]:
        return [str(m["internetMessageId"]) for m in self.fake.sent]


def open_tenant(
    seeded: tuple[Path, str], tmp_path: Path, fake: GraphFake, limits: SendingLimits
) -> Tenant:
    data = copy_office(seeded[0], tmp_path / "data")
    clock = TestClock()
    fake.clock = lambda: clock.current
    waits: list[float] = []

    async def retry_sleep(seconds: float) -> None:  # Graph's Retry-After, on the fake clock
        waits.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    caller = GraphCaller(fake.issue_token, fake.base_url, RetryPolicy(sleep=retry_sleep))
    settings = settings_for(data)
    app = build_app(settings, clock)
    desk = MailingDesk(
        app.repo, app.files, app.ops, _templates(settings, clock), GraphMailSender(caller, OFFICE),
        clock, clock, mailing_office(settings), limits, read_attachment,
    )  # fmt: skip
    return Tenant(fake, clock, app, desk, seeded[1], waits)


@pytest.fixture
def fake() -> Iterator[GraphFake]:
    with GraphFake() as server:
        server.add_mailbox(OFFICE)
        yield server


def test_pacing_keeps_within_the_message_rate_the_server_enforces(
    seeded: tuple[Path, str], tmp_path: Path, fake: GraphFake
) -> None:
    fake.message_rate_limit = 2  # the server refuses a third message inside a minute
    tenant = open_tenant(seeded, tmp_path, fake, SendingLimits(messages_per_minute=2))
    report = tenant.desk.send(tenant.approved_reply(), "jo.price")
    assert report.sent == 6 and report.mailing.state is MailingState.SENT
    assert fake.rate_refusals == 0 and tenant.retry_waits == []
    assert most_in_any_window(fake.send_times, MINUTE) == 2
    assert sum(tenant.clock.slept) >= 120  # six messages at two a minute: two minutes waited
    assert len(set(tenant.sent_ids())) == 6
    tenant.app.close()


def test_a_429_from_exchange_is_retried_after_its_retry_after(
    seeded: tuple[Path, str], tmp_path: Path, fake: GraphFake
) -> None:
    fake.message_rate_limit = 2  # stricter than the pacer believes: Exchange says 429
    tenant = open_tenant(seeded, tmp_path, fake, SendingLimits(messages_per_minute=30))
    report = tenant.desk.send(tenant.approved_reply(), "jo.price")
    assert report.sent == 6
    assert fake.rate_refusals > 0
    assert tenant.retry_waits and min(tenant.retry_waits) >= 1  # never sooner than Retry-After
    assert most_in_any_window(fake.send_times, MINUTE) <= 2
    assert sorted(tenant.sent_ids()) == sorted(set(tenant.sent_ids()))  # none twice
    tenant.app.close()


def test_a_send_that_fails_between_creating_a_copy_and_sending_it_finishes_on_the_next_run(
    seeded: tuple[Path, str], tmp_path: Path, fake: GraphFake
) -> None:
    tenant = open_tenant(seeded, tmp_path, fake, SendingLimits())
    mailing_id = tenant.approved_reply()
    fake.fail("POST", r"/send$", 500, after=2)  # the third copy is created, then send fails
    with pytest.raises(Exception, match=r"500|General exception"):
        tenant.desk.send(mailing_id, "jo.price")
    assert len(fake.sent) == 2 and len(fake.drafts(OFFICE)) == 1
    report = tenant.desk.send(mailing_id, "jo.price")
    assert (report.sent, report.already, report.remaining) == (4, 2, 0)
    assert len(tenant.sent_ids()) == len(set(tenant.sent_ids())) == 6
    assert fake.drafts(OFFICE) == []  # the half-made copy was made again from the approved text
    tenant.app.close()


@pytest.mark.parametrize("point", [1, 4, 7, 10, 13, 17, 22, 30])
def test_a_crash_at_any_point_then_a_restart_sends_each_copy_exactly_once(
    seeded: tuple[Path, str], tmp_path: Path, fake: GraphFake, point: int
) -> None:
    tenant = open_tenant(seeded, tmp_path, fake, SendingLimits())
    mailing_id = tenant.approved_reply()
    tenant.clock.crash_at = tenant.clock.readings + point
    with pytest.raises(Crash):
        tenant.desk.send(mailing_id, "jo.price")
    tenant.app.close()
    # A new process over the same store and the same mailbox.
    restarted = Tenant(fake, tenant.clock, *_reopen(tenant), tenant.campaign, [])
    report = restarted.desk.send(mailing_id, "jo.price")
    assert report.remaining == 0
    assert sorted(restarted.sent_ids()) == sorted(set(restarted.sent_ids()))
    assert len(restarted.sent_ids()) == 6 and fake.drafts(OFFICE) == []
    restarted.app.close()


def _reopen(tenant: Tenant) -> tuple[App, MailingDesk]:
    settings = tenant.app.settings
    app = build_app(settings, tenant.clock)
    caller = GraphCaller(tenant.fake.issue_token, tenant.fake.base_url)
    desk = MailingDesk(
        app.repo, app.files, app.ops, _templates(settings, tenant.clock),
        GraphMailSender(caller, OFFICE), tenant.clock, tenant.clock, mailing_office(settings),
        SendingLimits(), read_attachment,
    )  # fmt: skip
    return app, desk


def test_the_m365_wiring_sends_a_campaign_reply_through_graph_with_msal(
    seeded: tuple[Path, str], tmp_path: Path
) -> None:
    from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
    from casedesk.bootstrap_mailings import build_mailings

    data = copy_office(seeded[0], tmp_path / "data")
    clock = TestClock()
    with GraphFake(client_secret="s") as graph:
        graph.add_mailbox(OFFICE)
        settings = settings_for(
            data, adapters="m365", case_store="embedded", tenant_id=graph.tenant_id,
            client_id=graph.client_id, client_secret="s", graph_base_url=graph.base_url,
            mailboxes=OFFICE, notification_url="https://casedesk.example/api/notifications",
            lifecycle_url="https://casedesk.example/api/lifecycle",
            storage_connection_string="UseDevelopmentStorage=true",  # not used: case_store
        )  # fmt: skip
        app = build_mailings(settings, clock, clock, RedirectingHttpClient(graph.root_url))
        try:
            preview = app.desk.campaign_reply(seeded[1], "campaign-reply", [str(PDF)], "jo", False)
            app.desk.approve(preview.mailing.id, "alex.morgan")
            report = app.desk.send(preview.mailing.id, "jo")
        finally:
            app.close()
        assert report.sent == 6 and app.desk.sender.name == "outlook"
        assert all(m["hasAttachments"] for m in graph.sent)
        assert {str(m["toRecipients"][0]["emailAddress"]["address"]) for m in graph.sent} == {
            r.email for r in preview.targeting.recipients
        }
