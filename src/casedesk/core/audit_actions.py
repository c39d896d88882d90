"""Every action CaseDesk writes to the audit log, and what it means.

docs/data-protection.md lists the same names; a test checks that every `append_audit` in
the source uses a name from here and that the doc lists them all. Pure.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    "case.opened": "triage opened a case for a message: category, topic, urgency, "
    "classifier, confidence, constituent id, assignee, the routing rules that matched and the "
    "reply template they chose",
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
    "quarantine.deleted": "quarantined mail was deleted: by retention, or by an erasure "
    "because it holds the person's address",
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
    "case.assigned": "a case was assigned, claimed or unassigned: from whom, to whom, by whom",
    "case.status_changed": "a case's status changed, with the reason given",
    "case.tagged": "tags were added to or removed from a case",
    "note.added": "a staff note was added to a case (the note is in the case, not the entry)",
    "case.merged": "this case was merged into another (its messages moved there)",
    "case.merged_in": "another case was merged into this one",
    "case.linked": "two cases were linked as related",
    "case.unlinked": "a link between two cases was removed",
    "reply.sent": "a person sent the reply with casedesk send",
    "reply.send_refused": "casedesk send refused (no draft, no sign-off, changed text, ...)",
    "reply.copy_failed": "the sent reply's copy could not be written to the case folder",
    "report.exported": "a report left the screen: the MP's briefing or its charts, or an "
    "anonymised aggregate export (who, what, the grouping and period; no personal data)",
    "message.submitted": "a person handed CaseDesk a message it had not filed (the Outlook "
    "add-in's create-a-case): who, how, the outcome and the message token",
    "draft.ai_fallback": "AI drafting was on, but the template draft was used instead: the "
    "model was unavailable, its answer was invalid, or its draft was not grounded in the case "
    "(the kind and counts why; never the draft's words)",
    "mailing.written": "a campaign reply or follow-up mailing was written (a new version): "
    "template and attachment hashes, the fingerprint the MP signs off, how many recipients",
    "mailing.voided": "a mailing's approval was voided because its template, attachments or "
    "outcome changed",
    "mailing.approved": "the approver signed off this mailing version (its fingerprint)",
    "mailing.rejected": "the approver rejected a mailing, with the reason",
    "mailing.send_refused": "casedesk mailing send refused (no sign-off, changed since, ...)",
    "mailing.sent": "one constituent's copy of a mailing went (on their case): the mailing, "
    "version, Message-ID and where it went",
    "mailing.completed": "every recipient of a mailing has their copy",
    "outcome.recorded": "a person recorded what was done about a case or campaign",
    "dissolution.decided": "a person recorded the dissolution choice for a case: transfer "
    "(with the consent reference), hand-back or purge",
    "dissolution.transferred": "the case's bundle for the successor MP was written (its "
    "sha256, the consent reference) and the case closed",
    "dissolution.handed_back": "the case's bundle for the constituent was written (its "
    "sha256) and the case closed",
    "dissolution.purged": "a dissolution purge began: case.deleted, or person.erased when it "
    "was the person's last case, follows",
    "case.removed_empty": "the sweep removed an empty case a filing cut short had left (no "
    "message, note or staff action, older than empty_case_grace_minutes); the letter is in "
    "the case its retry opened",
    "dissolution.blocked": "a dissolution choice was not carried out: a legal hold, or no "
    "consent for a transfer",
}

SYSTEM_ACTORS: dict[str, str] = {
    "casedesk-triage": "the triage pipeline",
    "casedesk-retention": "the retention sweep (the sweep timer, or `casedesk retention --apply`)",
    "unrecorded-edit": "the rules file changed outside `casedesk rules apply`",
    "casedesk-demo": "`casedesk demo` writing the sample briefing",
    "casedesk-ai-drafter": "the AI drafter (ai_drafting = true), when it set its draft aside",
}

# The Teams bot (teams/bot.py, teams/notify.py): actors are member ids, `casedesk-teams`
# for proactive messages, and `teams:unknown-user` for someone not in the people list.
TEAMS_ACTIONS: dict[str, str] = {
    "teams.viewed_case": "a member opened a case card (or a reply's approval card) in Teams",
    "teams.listed": "a member listed cases in Teams (queue, unassigned, overdue, search, "
    "approvals): which list and how many were shown",
    "teams.refused": "the bot refused a member (or an unknown account) an action: what, why",
    "teams.action_unavailable": "a card action this deployment does not offer was pressed",
    "teams.action_refused": "the casework core or the reply desk refused a Teams action "
    "(a closed case, a draft changed since the card was sent, not the approver, ...)",
    "teams.claim": "a member claimed a case from Teams (after the core's case.assigned)",
    "teams.assign": "a member assigned a case from Teams",
    "teams.close": "a member closed a case from Teams",
    "teams.note": "a member added a note from Teams",
    "teams.approve": "the MP approved a reply from Teams: the sha256 of the version shown",
    "teams.reject": "the MP sent a reply back for changes from Teams",
    "teams.reassign": "a case was reassigned from a handover card: from whom, to whom",
    "teams.handover_shown": "a member asked for a person's handover notes in Teams",
    "teams.threat_alert_sent": "the safety lead was alerted in Teams to a threat",
    "teams.signoff_request_sent": "the MP was asked in Teams to sign off a reply version",
    "teams.digest_sent": "the daily digests went out: counts of members and channels",
    "teams.channel_added": "the office manager or the MP set up the office channel",
    "teams.notification_sent": "an SLA or referral notification was delivered in Teams",
}
ACTIONS.update(TEAMS_ACTIONS)
