"""Every action CaseDesk writes to the audit log, and what it means.

docs/data-protection.md lists the same names; a test checks that every `append_audit` in
the source uses a name from here and that the doc lists them all. Pure.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    "case.opened": "triage opened a case for a message: category, topic, urgency, "
    "classifier, confidence, constituent id, assignee and the routing rules that matched",
    "message.threaded": "triage filed a message into an existing case (a reply or follow-up)",
    "case.escalated": "a later message raised a case (urgent, threat or safeguarding), or the "
    "SLA sweep escalated an overdue one",
    "draft.created": "triage wrote a reply draft into the case folder (never sent)",
    "case.joined_campaign": "a case was re-filed as campaign mail once its campaign was found",
    "campaign.announced": "enough distinct senders wrote near-copies: a campaign was found",
    "message.quarantined": "something that arrived could not be read as email; kept with why",
    "case.corrected": "a person corrected a case's category, topic, urgency or flags",
    "rules.changed": "a new version of the routing rules went live: who, and the diff",
    "sar.exported": "a subject access bundle was produced for a person (named by key only)",
    "case.held": "a case was put on legal hold: retention and erasure will not touch it",
    "case.released": "a legal hold on a case was lifted",
    "case.deleted": "a case and its files were deleted under the retention policy",
    "message.deleted": "a person's message was removed from someone else's case by erasure",
    "person.erased": "a person's data was erased on request: the tombstone, with counts, "
    "the reason and any audit entries redacted (no personal data)",
    "case.sla_warning": "the SLA sweep warned that a case is nearly due (once per due time)",
    "case.referred": "a person referred a case to an agency (DWP, HMRC, the council, ...)",
    "referral.replied": "the agency's reply to a referral was recorded",
    "referral.late": "the sweep found a referral past its expected reply time",
    "referral.chased": "the sweep recorded a chase reminder for a late referral",
    "draft.edited": "a person replaced a reply draft's text (any earlier approval is void)",
    "signoff.requested": "a reply draft that needs the MP's sign-off entered the approval queue",
    "signoff.approved": "the approver signed off this exact version (its sha256)",
    "signoff.rejected": "the approver rejected the draft, with the reason",
    "signoff.voided": "an approval was voided because the approved text changed",
    "reply.sent": "a person sent the reply with casedesk send",
    "reply.send_refused": "casedesk send refused (no draft, no sign-off, changed text, ...)",
    "reply.copy_failed": "the sent reply's copy could not be written to the case folder",
    "dissolution.decided": "a person recorded the dissolution choice for a case: transfer "
    "(with the consent reference), hand-back or purge",
    "dissolution.transferred": "the case's bundle for the successor MP was written (its "
    "sha256, the consent reference) and the case closed",
    "dissolution.handed_back": "the case's bundle for the constituent was written (its "
    "sha256) and the case closed",
    "dissolution.purged": "a dissolution purge began: case.deleted, or person.erased when it "
    "was the person's last case, follows",
    "dissolution.blocked": "a dissolution choice was not carried out: a legal hold, or no "
    "consent for a transfer",
}

SYSTEM_ACTORS: dict[str, str] = {
    "casedesk-triage": "the triage pipeline",
    "casedesk-retention": "the retention sweep (the sweep timer, or `casedesk retention --apply`)",
    "unrecorded-edit": "the rules file changed outside `casedesk rules apply`",
}
