"""Messages nobody asked for: threat alerts to the safety lead, approval requests to the
MP, and the daily digests.

Both go to conversations the bot was shown by an authenticated activity (references.py):
a member's personal chat once they have messaged or installed the bot, and channels an
office manager or the MP added it to. Someone with no stored chat cannot be reached; that
is logged (without any case content) so the office can fix it, and the digest or alert is
tried again next time.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from casedesk.core.digest import Digest, build_digest, digest_due
from casedesk.core.models import Case, CaseFlag, CaseQuery
from casedesk.core.permissions import Permission, is_abusive, may
from casedesk.core.replies import DraftState, ReplyDraft
from casedesk.core.report import read_week_over_week
from casedesk.core.roster import Member, Roster
from casedesk.ports import CaseRepository, Clock, OpsState
from casedesk.teams import cards, signoff_cards
from casedesk.teams.chart import bar_chart_png, png_data_uri
from casedesk.teams.references import ConversationRef, ConversationReferences
from casedesk.teams.signoff import pending_signoffs

log = logging.getLogger("casedesk.teams")
ACTOR = "casedesk-teams"
ALERTS, DIGESTS = "teams-threat-alerts", "teams-digest"
SIGNOFF_REQUESTS = "teams-signoff-requests"  # case ref -> sha256 of the version asked about
# Where the SLA sweep (core/sweep.py, from the SLA work) leaves what people must be told:
# one key per notification, JSON {to, kind, case_ref, about, due_at, created_at}.
PENDING = "notifications.pending"
LAST_SENT = "last_sent"
DIGEST_CASES = 100_000

Json = dict[str, Any]


class ActivitySender(Protocol):
    def send(self, ref: ConversationRef, activity: Json) -> str:
        """Post the activity into the conversation; the new activity's id."""
        ...


def card_message(card: Json, summary: str) -> Json:
    """A message activity carrying one Adaptive Card (summary: the notification text)."""
    return {"type": "message", "summary": summary, "attachments": [cards.attachment(card)]}


@dataclass
class DigestRun:
    sent_to_members: list[str] = field(default_factory=list)
    sent_to_channels: int = 0
    unreachable: list[str] = field(default_factory=list)
    skipped: str | None = None  # why nothing was sent


class TeamsNotifier:
    """The triage FilingNotifier (threat alerts) and the digest sender."""

    def __init__(
        self,
        repo: CaseRepository,
        ops: OpsState,
        clock: Clock,
        roster: Callable[[], Roster],
        sender: ActivitySender,
        digest_hour: int = 8,
        approvers: tuple[str, ...] = (),
    ) -> None:
        self.repo, self.ops, self.clock, self.roster = repo, ops, clock, roster
        self.sender, self.digest_hour = sender, digest_hour
        self.approvers = approvers  # the mp_approver setting: who signs off replies
        self.references = ConversationReferences(ops)

    # --- threat alerts -------------------------------------------------------------------

    def case_filed(self, case: Case) -> None:
        """After triage filed into the case: the threat alert, then the approval request."""
        try:
            self.alert_threat(case)
        finally:
            # Only cases that need sign-off are read again (a Graph request on SharePoint).
            reply = self.repo.get_draft(case.ref) if case.signoff_required else None
            if reply is not None and _needs_request(case, reply):
                self.request_signoff(case, reply)

    def alert_threat(self, case: Case) -> None:
        """Once per case, when it first carries the threat flag: each safety lead is told."""
        if CaseFlag.THREAT not in case.flags or self.ops.get(ALERTS, case.ref):
            return
        leads = [m for m in self.roster().members if may(m.role, Permission.THREAT_ALERTS)]
        sent: list[str] = []
        for lead in leads:
            ref = self.references.personal(lead.id)
            if ref is None:
                log.error(
                    "threat alert not delivered: the safety lead has no chat with the bot yet",
                    extra={"event": "teams.alert_unreachable", "member": lead.id},
                )
                continue
            self.sender.send(ref, card_message(cards.threat_alert_card(case),
                                               f"Threat filed: {case.ref}"))  # fmt: skip
            sent.append(lead.id)
        if not sent:
            return  # tried again when the case is next filed into (or by the sweep)
        self.ops.put(ALERTS, case.ref, ",".join(sent))
        self.repo.append_audit(
            self.clock.now(), ACTOR, "teams.threat_alert_sent", case.ref, {"to": ",".join(sent)}
        )

    # --- approval requests to the MP -------------------------------------------------------

    def signoff_recipients(self) -> list[Member]:
        """Members who may approve from Teams: named in mp_approver and with the MP's role."""
        named = {a.casefold() for a in self.approvers}
        return [
            m
            for m in self.roster().members
            if m.id.casefold() in named and may(m.role, Permission.APPROVE)
        ]

    def request_signoff(self, case: Case, reply: ReplyDraft) -> bool:
        """Once per version: each approver with a chat gets the reply and the decision
        buttons. False when nobody could be reached (tried again by the sweep)."""
        if self.ops.get(SIGNOFF_REQUESTS, case.ref) == reply.sha256:
            return True
        sent: list[str] = []
        for member in self.signoff_recipients():
            chat = self.references.personal(member.id)
            if chat is None:
                continue
            card = signoff_cards.approval_request_card(case, reply, self.clock.now())
            self.sender.send(chat, card_message(card, f"Sign-off needed: {case.ref}"))
            sent.append(member.id)
        if not sent:
            log.warning(
                "approval request not delivered: no approver with the MP role has a chat yet",
                extra={"event": "teams.signoff_unreachable", "case": case.ref},
            )
            return False
        self.ops.put(SIGNOFF_REQUESTS, case.ref, reply.sha256)
        self.repo.append_audit(
            self.clock.now(), ACTOR, "teams.signoff_request_sent", case.ref,
            {"to": ",".join(sent), "version": reply.version, "sha256": reply.sha256},
        )  # fmt: skip
        return True

    def request_signoffs(self) -> tuple[int, int]:
        """The sweep's pass over the approval queue: a request for each version not yet
        asked about (edited drafts, ones that waited for a chat). (sent, waiting)."""
        sent = waiting = 0
        for case, reply in pending_signoffs(self.repo):
            if self.ops.get(SIGNOFF_REQUESTS, case.ref) == reply.sha256:
                continue
            if self.request_signoff(case, reply):
                sent += 1
            else:
                waiting += 1
        return sent, waiting

    # --- the sweep's notifications (SLA warnings, escalations, late referrals) -----------

    def deliver_pending(self) -> tuple[int, int]:
        """Send each pending notification to its person's chat and remove it; ones for
        people with no chat stay for the next sweep. (delivered, still waiting)."""
        delivered = waiting = 0
        for key, value in list(self.ops.items(PENDING)):
            try:
                note = json.loads(value)
                to, ref = str(note["to"]), str(note["case_ref"])
                due = datetime.fromisoformat(str(note["due_at"]))
                card = cards.sla_notice_card(
                    str(note["kind"]), ref, str(note.get("about") or ref), due
                )
            except (ValueError, KeyError, TypeError):
                log.error("unreadable pending notification left in place",
                          extra={"event": "teams.notification_unreadable"})  # fmt: skip
                waiting += 1
                continue
            chat = self.references.personal(to)
            if chat is None:
                waiting += 1
                continue
            self.sender.send(chat, card_message(card, f"CaseDesk: {ref}"))
            self.ops.delete(PENDING, key)
            self.repo.append_audit(
                self.clock.now(), ACTOR, "teams.notification_sent", ref,
                {"to": to, "kind": str(note["kind"])},
            )  # fmt: skip
            delivered += 1
        if waiting:
            log.warning(
                "notifications waiting for people the bot cannot reach yet",
                extra={"event": "teams.notifications_waiting", "count": waiting},
            )
        return delivered, waiting

    # --- digests -------------------------------------------------------------------------

    def send_digests(self, force: bool = False) -> DigestRun:
        """Each member with a chat gets theirs; each office channel the office's. Once per
        London working day from digest_hour (force: now, and again)."""
        now = self.clock.now()
        last = self.ops.get(DIGESTS, LAST_SENT)
        last_day = date.fromisoformat(last) if last else None
        if not force and not digest_due(now, last_day, self.digest_hour):
            return DigestRun(skipped="not due")
        cases = self.repo.query_cases(CaseQuery(limit=DIGEST_CASES))
        campaigns = self.repo.campaigns()
        run = DigestRun()
        for member in self.roster().members:
            ref = self.references.personal(member.id)
            if ref is None:
                run.unreachable.append(member.id)
                continue
            digest = build_digest(cases, campaigns, now, member.id, is_abusive)
            self._send_digest(ref, digest, "you")
            run.sent_to_members.append(member.id)
        week = read_week_over_week(self.repo, now)
        office = build_digest(cases, campaigns, now, None, is_abusive, week)
        for channel in self.references.channels():
            self._send_digest(channel, office, "the office")
            run.sent_to_channels += 1
        self.ops.put(DIGESTS, LAST_SENT, office.day.isoformat())
        self.repo.append_audit(
            now, ACTOR, "teams.digest_sent", f"digest:{office.day.isoformat()}",
            {"members": len(run.sent_to_members), "channels": run.sent_to_channels,
             "unreachable": len(run.unreachable)},
        )  # fmt: skip
        return run

    def _send_digest(self, ref: ConversationRef, digest: Digest, whose: str) -> None:
        chart = None
        if digest.by_category:
            chart = png_data_uri(bar_chart_png([n for _, n in digest.by_category]))
        card = cards.digest_card(digest, whose, chart)
        self.sender.send(ref, card_message(card, f"CaseDesk digest: {digest.new_cases} new"))


def _needs_request(case: Case, reply: ReplyDraft) -> bool:
    return case.signoff_required and (
        reply.state is DraftState.AWAITING_SIGNOFF or reply.changed_after_approval
    )
