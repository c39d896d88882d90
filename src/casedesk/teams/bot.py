"""What the bot does with each command and card action, for an office member.

Every turn starts from the sender's Entra object id, looked up in the roster: the card's
data names a case and what to do, never who is asking or what they may do. Each action is
checked against the permission table and the case as stored now, and written to the audit
log with the member id as actor. Someone not in the roster gets a polite refusal and no
data. In a channel or group chat (where everyone sees the reply) abusive text is never put
in a card, hidden or not; in a personal chat it is hidden behind "Show".

No Bot Framework types here: adapters/m365/teams_adapter.py turns activities into Turns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from casedesk.core import casework
from casedesk.core.casework import RefusedError
from casedesk.core.corrections import correct
from casedesk.core.digest import is_overdue
from casedesk.core.handover import build_handover
from casedesk.core.models import Case, CaseQuery, CaseStatus, Category
from casedesk.core.permissions import Permission, Refusal, check, handover_refusal, is_abusive
from casedesk.core.replies import DraftChangedError, ReplyRefusedError
from casedesk.core.roster import Member, Roster
from casedesk.errors import NotFoundError
from casedesk.ports import CaseRepository, Clock, OpsState
from casedesk.teams import cards, signoff_cards
from casedesk.teams.actions import ActionNotAvailableError, CaseActions
from casedesk.teams.commands import REF, Command, Kind, parse_command, strip_mentions
from casedesk.teams.drafts import DraftReader, preview
from casedesk.teams.handover_cards import HandoverView, choice_id, handover_card
from casedesk.teams.references import ConversationRef, ConversationReferences
from casedesk.teams.signoff import pending_signoffs

log = logging.getLogger("casedesk.teams")
security_log = logging.getLogger("casedesk.security")
UNKNOWN_ACTOR = "teams:unknown-user"
LIST_LIMIT = 2000

Json = dict[str, Any]


@dataclass(frozen=True)
class Turn:
    """One activity from Teams, reduced to what the bot reads (shapes: docs/teams-bot.md)."""

    activity_type: str  # message, invoke, conversationUpdate, installationUpdate
    service_url: str
    conversation_id: str
    bot_id: str
    user_aad_id: str | None = None
    user_id: str | None = None
    conversation_type: str | None = None  # personal, channel, groupChat
    tenant_id: str | None = None
    text: str = ""
    bot_mentions: tuple[str, ...] = ()  # text of the mention entities that name the bot
    value: Mapping[str, Any] | None = None  # Action.Submit data on a message
    action: str | None = None  # installationUpdate: add or remove
    members_added: tuple[str, ...] = ()
    members_removed: tuple[str, ...] = ()

    @property
    def is_personal(self) -> bool:
        return self.conversation_type == "personal"

    def reference(self, member_id: str | None = None) -> ConversationRef:
        return ConversationRef(
            self.service_url,
            self.conversation_id,
            self.tenant_id,
            self.bot_id,
            self.conversation_type or "personal",
            member_id,
        )


@dataclass(frozen=True)
class Reply:
    """A card to send (or to replace the card an Action.Execute came from), or for an
    invoke a short message Teams shows instead (text)."""

    card: Json | None = None
    text: str | None = None


@dataclass(frozen=True)
class _Context:
    member: Member
    turn: Turn


class TeamsBot:
    def __init__(
        self,
        repo: CaseRepository,
        ops: OpsState,
        clock: Clock,
        roster: Callable[[], Roster],
        actions: CaseActions,
        drafts: DraftReader | None = None,
    ) -> None:
        self.repo, self.clock, self.roster = repo, clock, roster
        self.actions, self.drafts = actions, drafts
        self.references = ConversationReferences(ops)

    # --- entry points --------------------------------------------------------------------

    def on_message(self, turn: Turn) -> Reply:
        member = self._member(turn)
        if member is None:
            return Reply(cards.unknown_user_card())
        self._remember(member, turn)
        if turn.value and (not turn.text.strip() or "action" in turn.value):
            # An Action.Submit (older Teams clients), or a messageBack whose text is only
            # what the chat shows: the card's data says which action it was.
            data = dict(turn.value)
            return self._act(_Context(member, turn), str(data.get("action") or ""), data)
        command = parse_command(strip_mentions(turn.text, turn.bot_mentions))
        return self._command(_Context(member, turn), command)

    def on_card_action(self, turn: Turn, verb: str, data: Mapping[str, Any]) -> Reply:
        """An Action.Execute: the reply replaces the card, or (text) is shown as a message."""
        member = self._member(turn)
        if member is None:
            return Reply(text=cards.UNKNOWN_USER)
        self._remember(member, turn)
        return self._act(_Context(member, turn), verb, dict(data))

    def on_members_added(self, turn: Turn) -> Reply | None:
        """The bot was installed (personal chat) or added to a team or group chat."""
        if turn.bot_id not in turn.members_added and turn.activity_type != "installationUpdate":
            return None
        member = self._member(turn)
        if turn.is_personal:
            if member is None:
                return Reply(cards.unknown_user_card())
            self._remember(member, turn)
            return Reply(cards.help_card(member, "Hello! I keep your casework to hand."))
        if member is None or (refusal := check(member, Permission.SETUP_CHANNEL)):
            # Anyone can add an app to a team; only the office's own channel gets digests.
            self._audit_refusal(member, "setup_channel", turn.conversation_id[:80],
                                refusal.reason if member and refusal else "unknown user")  # fmt: skip
            return Reply(
                cards.message_card(
                    "CaseDesk will not post digests here: only the office manager or the MP "
                    "can set up the office channel. Members can still @mention me.",
                    "CaseDesk",
                )
            )
        if self.references.save_channel(turn.reference()):
            self._audit(member, "teams.channel_added", "teams:channel", {"by": member.id})
        return Reply(cards.help_card(None, "CaseDesk will post the office's daily digest here."))

    def on_removed(self, turn: Turn) -> None:
        """Uninstalled from a team, or the bot removed from it: stop posting there."""
        if not turn.is_personal:
            self.references.forget_channel(turn.conversation_id)

    # --- commands ------------------------------------------------------------------------

    def _command(self, ctx: _Context, command: Command) -> Reply:
        kind = command.kind
        if kind is Kind.HELP:
            return Reply(cards.help_card(ctx.member))
        if kind is Kind.UNKNOWN:
            return Reply(cards.help_card(ctx.member, "Sorry, I did not understand that."))
        if kind is Kind.CASE and command.ref:
            return self._act(ctx, "openCase", {"ref": command.ref})
        if kind is Kind.CHANGE_CATEGORY and command.ref:
            return self._act(ctx, "changeCategory", {"ref": command.ref, "category": command.arg})
        if kind is Kind.CLAIM and command.ref:
            return self._act(ctx, "claim", {"ref": command.ref})
        if kind is Kind.ASSIGN and command.ref:
            person = self._person_named(command.arg)
            return self._act(ctx, "assign", {"ref": command.ref, "assignee": person or command.arg})
        if kind is Kind.CLOSE and command.ref:
            return self._act(ctx, "close", {"ref": command.ref, "reason": command.arg})
        if kind is Kind.NOTE and command.ref:
            return self._act(ctx, "note", {"ref": command.ref, "note": command.arg})
        if kind is Kind.REVIEW and command.ref:
            return self._act(ctx, "reviewDraft", {"ref": command.ref})
        if kind is Kind.HANDOVER:
            return self._handover(ctx, command.arg, command.to)
        if kind is Kind.APPROVALS:
            return self._approvals(ctx)
        return self._list(ctx, command)

    def _approvals(self, ctx: _Context) -> Reply:
        refusal = check(ctx.member, Permission.APPROVE)
        if refusal:
            return self._refused(ctx, "approvals", "teams:approvals", refusal)
        pending = pending_signoffs(self.repo)
        self._audit(ctx.member, "teams.listed", "teams:approvals", {"shown": len(pending)})
        return Reply(signoff_cards.approvals_list_card(pending, self.clock.now()))

    def _list(self, ctx: _Context, command: Command) -> Reply:
        refusal = check(ctx.member, Permission.VIEW_CASES)
        if refusal:
            return self._refused(ctx, "list", "teams:list", refusal)
        now = self.clock.now()
        if command.kind is Kind.MY_QUEUE:
            found = self.repo.query_cases(
                CaseQuery(assignee=ctx.member.id, open_only=True, limit=LIST_LIMIT)
            )
            title, empty = "Your queue", "Nothing assigned to you is open."
        elif command.kind is Kind.UNASSIGNED:
            found = [c for c in self._open_cases() if c.assignee is None]
            title, empty = "Unassigned", "Every open case has someone."
        elif command.kind is Kind.OVERDUE:
            found = [c for c in self._open_cases() if is_overdue(c, now)]
            found.sort(key=lambda c: (c.due_at or now, c.ref))
            title, empty = "Overdue", "Nothing is overdue."
        else:  # search
            if not command.arg:
                return Reply(cards.help_card(ctx.member, "Search for what? e.g. `search damp`"))
            found = self.repo.query_cases(CaseQuery(text=command.arg, limit=50))
            title, empty = "Search results", "No case has all of those words."
        self._audit(ctx.member, "teams.listed", f"teams:{command.kind.value.replace(' ', '_')}",
                    {"shown": len(found)})  # fmt: skip
        return Reply(cards.queue_card(title, found, now, empty))

    def _open_cases(self) -> list[Case]:
        return self.repo.query_cases(CaseQuery(open_only=True, limit=LIST_LIMIT))

    # --- card actions (and the typed commands that do the same) --------------------------

    def _act(self, ctx: _Context, verb: str, data: Mapping[str, Any]) -> Reply:
        permission = _VERBS.get(verb)
        ref = str(data.get("ref") or "").strip().upper()
        if permission is None or not REF.fullmatch(ref):
            return Reply(cards.help_card(ctx.member, "Sorry, I did not understand that."),
                         text="Sorry, CaseDesk did not understand that action.")  # fmt: skip
        try:
            case = self.repo.get_case(ref)
        except NotFoundError:
            message = f"There is no case {ref}."
            return Reply(cards.message_card(message), text=message)
        refusal = check(ctx.member, Permission.VIEW_CASES, case) or check(
            ctx.member, permission, case
        )
        if refusal:
            return self._refused(ctx, verb, ref, refusal)
        if verb == "openCase":
            self._audit(ctx.member, "teams.viewed_case", ref, {})
            return Reply(self._case_card(ctx, case))
        if verb == "changeCategory":
            return self._change_category(ctx, case, str(data.get("category") or ""))
        if verb == "reviewDraft":
            return self._review(ctx, case)
        if verb in ("approve", "reject"):
            return self._decide(ctx, case, verb, data)
        if verb == "reassign":
            return self._reassign(ctx, case, data)
        return self._delegate(ctx, case, verb, data)

    def _change_category(self, ctx: _Context, case: Case, value: str) -> Reply:
        try:
            category = Category(value.strip().lower())
        except ValueError:
            choices = ", ".join(c.value for c in Category)
            message = f"'{value[:40]}' is not a category. Use one of: {choices}."
            return Reply(cards.refusal_card(message), text=message)
        done = correct(self.repo, self.clock, case.ref, ctx.member.id, category=category)
        notice = (
            f"Category changed from {done.before['category']} to {done.after['category']}."
            if done.before["category"] != done.after["category"]
            else f"Category confirmed as {category.value}."
        )
        return Reply(self._case_card(ctx, self.repo.get_case(case.ref), notice))

    def _delegate(self, ctx: _Context, case: Case, verb: str, data: Mapping[str, Any]) -> Reply:
        """claim, assign, close, note: through CaseActions, after our own checks."""
        ref, by = case.ref, ctx.member.id
        text = str(data.get("note") or data.get("reason") or "").strip()
        if verb in ("close", "note") and not text:
            message = "Say why it is closed." if verb == "close" else "The note is empty."
            return Reply(cards.refusal_card(message), text=message)
        if verb == "assign":
            target = self.roster().get(str(data.get("assignee") or ""))
            if target is None:
                message = "Choose someone from the office's people list."
                return Reply(cards.refusal_card(message), text=message)
        try:
            if verb == "claim":
                self.actions.claim(ref, by)
            elif verb == "assign":
                self.actions.assign(ref, str(data.get("assignee")), by)
            elif verb == "close":
                self.actions.close(ref, text[:500], by)
            else:
                self.actions.note(ref, text[:2000], by)
        except ActionNotAvailableError as exc:
            self._audit(ctx.member, "teams.action_unavailable", ref, {"action": verb})
            return Reply(cards.refusal_card(str(exc)), text=str(exc))
        except RefusedError as exc:  # the casework core's own refusal, e.g. a closed case
            self._audit(ctx.member, "teams.action_refused", ref, {"action": verb})
            return Reply(cards.refusal_card(str(exc)), text=str(exc))
        self._audit(ctx.member, _AUDITED[verb], ref, {})
        return Reply(self._case_card(ctx, self.repo.get_case(ref), _DONE[verb]))

    # --- the MP's sign-off -------------------------------------------------------------------

    def _review(self, ctx: _Context, case: Case, notice: str | None = None) -> Reply:
        """The approval card for the current version (`approve CD-…`, Review, an old card)."""
        reply = self.repo.get_draft(case.ref)
        if reply is None:
            message = f"{case.ref} has no reply draft yet."
            return Reply(cards.message_card(message), text=message)
        if is_abusive(case) and not ctx.turn.is_personal:
            message = f"{case.ref} is abusive or threatening mail: review it in a personal chat."
            return Reply(cards.refusal_card(message), text=message)
        self._audit(ctx.member, "teams.viewed_case", case.ref, {"draft_version": reply.version})
        card = signoff_cards.approval_request_card(case, reply, self.clock.now(), notice)
        return Reply(card)

    def _decide(self, ctx: _Context, case: Case, verb: str, data: Mapping[str, Any]) -> Reply:
        """Approve or send back exactly the version the card showed (its sha256), or nothing."""
        ref, by = case.ref, ctx.member.id
        seen = str(data.get("sha256") or "").strip().lower()
        if not seen:  # typed, or a card from before versions were shown: show what is current
            return self._review(ctx, case, "Check the version below, then decide on this card.")
        if is_abusive(case) and not ctx.turn.is_personal:
            message = f"{ref} is abusive or threatening mail: decide on it in a personal chat."
            return Reply(cards.refusal_card(message), text=message)
        reason = str(data.get("reason") or "").strip()[:1000]
        if verb == "reject" and not reason:
            message = "Say what should change, so whoever edits the reply knows."
            return Reply(cards.refusal_card(message), text=message)
        try:
            if verb == "approve":
                self.actions.approve(ref, by, seen)
            else:
                self.actions.reject(ref, reason, by, seen)
        except DraftChangedError as exc:
            self._audit(ctx.member, "teams.action_refused", ref, {
                "action": verb, "why": "draft changed", "current_version": exc.current.version,
            })  # fmt: skip
            notice = (
                f"Nothing was {'approved' if verb == 'approve' else 'sent back'}: the draft "
                f"changed since that card was sent. This is version {exc.current.version}."
            )
            card = signoff_cards.approval_request_card(case, exc.current, self.clock.now(), notice)
            return Reply(card)
        except (ActionNotAvailableError, ReplyRefusedError) as exc:
            self._audit(ctx.member, "teams.action_refused", ref, {"action": verb})
            return Reply(cards.refusal_card(str(exc)), text=str(exc))
        self._audit(ctx.member, _AUDITED[verb], ref, {"sha256": seen})
        reply = self.repo.get_draft(ref)
        assert reply is not None
        return Reply(signoff_cards.decided_card(self.repo.get_case(ref), reply, _DONE[verb]))

    # --- handover ------------------------------------------------------------------------------

    def _handover(self, ctx: _Context, who: str, to: str, notice: str | None = None) -> Reply:
        """The person's handover notes with one-click reassignment per case."""
        person = ctx.member if who.casefold() in ("", "me", "myself") else self._member_named(who)
        if person is None:
            message = f"'{who[:60]}' is not in the office's people list. Try `handover @name`."
            return Reply(cards.refusal_card(message), text=message)
        refusal = handover_refusal(ctx.member, person.id)
        if refusal:
            return self._refused(ctx, "handover", f"handover:{person.id}", refusal)
        target = self._member_named(to) if to else None
        if to and (target is None or target.id == person.id):
            message = f"'{to[:60]}' cannot take {person.name}'s cases: choose someone else."
            return Reply(cards.refusal_card(message), text=message)
        cases = self.repo.query_cases(
            CaseQuery(assignee=person.id, open_only=True, limit=LIST_LIMIT)
        )
        items = [casework.timeline(self.repo, c.ref) for c in cases]
        written = build_handover(person.id, items, self.clock.now(), ctx.member.id)
        self._audit(ctx.member, "teams.handover_shown", f"handover:{person.id}",
                    {"cases": len(written.cases), "to": target.id if target else None})  # fmt: skip
        people = tuple(m for m in self.roster().members if m.id != person.id)
        return Reply(handover_card(HandoverView(written, person, people, target, notice)))

    def _reassign(self, ctx: _Context, case: Case, data: Mapping[str, Any]) -> Reply:
        """One case from a handover card: still the handed-over person's, and the presser
        may hand over that person's cases (the card's data decides neither)."""
        ref, holder = case.ref, case.assignee or ""
        wanted_from = str(data.get("from") or "")
        refusal = handover_refusal(ctx.member, holder) if holder else None
        if refusal:
            return self._refused(ctx, "reassign", ref, refusal)
        if not holder or holder != wanted_from:
            message = (
                f"{ref} is no longer with {wanted_from or 'that person'}: it is with "
                f"{holder or 'nobody'}. Nothing was changed."
            )
            return Reply(cards.refusal_card(message), text=message)
        if case.merged_into or case.status is CaseStatus.CLOSED:
            message = f"{ref} is closed. Nothing was changed."
            return Reply(cards.refusal_card(message), text=message)
        target = self.roster().get(str(data.get(choice_id(ref)) or data.get("assignee") or ""))
        if target is None or target.id == holder:
            message = "Choose someone else from the office's people list."
            return Reply(cards.refusal_card(message), text=message)
        try:
            self.actions.reassign(ref, target.id, ctx.member.id, f"handover from {holder}")
        except (ActionNotAvailableError, RefusedError) as exc:
            self._audit(ctx.member, "teams.action_refused", ref, {"action": "reassign"})
            return Reply(cards.refusal_card(str(exc)), text=str(exc))
        self._audit(ctx.member, _AUDITED["reassign"], ref, {"from": holder, "to": target.id})
        # The refreshed handover keeps its one-click person, if the card had one.
        return self._handover(ctx, holder, str(data.get("assignee") or ""),
                              f"{ref} reassigned to {target.name}.")  # fmt: skip

    def _case_card(self, ctx: _Context, case: Case, notice: str | None = None) -> Json:
        allowed = frozenset(p for p in Permission if check(ctx.member, p, case) is None)
        if not ctx.turn.is_personal:  # everyone in the channel would get the card's JSON
            allowed -= {Permission.VIEW_ABUSE}
        others = tuple(
            c for c in self.repo.cases_of_constituent(case.constituent_email) if c.ref != case.ref
        )
        reply = self.repo.get_draft(case.ref)
        draft = None
        if reply is None and self.drafts is not None and not is_abusive(case):
            text = self.drafts.draft_text(case.ref)  # a case filed before drafts were stored
            draft = preview(text) if text else None
        view = cards.CaseView(
            case, ctx.member, allowed, others, draft, tuple(self.roster().members), notice, reply
        )
        return cards.case_card(view, self.clock.now())

    # --- who, and the record ---------------------------------------------------------------

    def _member(self, turn: Turn) -> Member | None:
        member = self.roster().by_entra_id(turn.user_aad_id)
        if member is None:
            # The object id identifies a tenant account, not a constituent: safe to record.
            security_log.warning(
                "teams user not in the roster refused",
                extra={"event": "teams.unknown_user", "entra_id": turn.user_aad_id or ""},
            )
            self.repo.append_audit(
                self.clock.now(), UNKNOWN_ACTOR, "teams.refused", "teams:unknown-user",
                {"entra_id": (turn.user_aad_id or "")[:64], "reason": "not an office member"},
            )  # fmt: skip
        return member

    def _remember(self, member: Member, turn: Turn) -> None:
        if turn.is_personal:
            self.references.save_personal(member.id, turn.reference(member.id))

    def _person_named(self, name: str) -> str | None:
        member = self._member_named(name)
        return member.id if member else None

    def _member_named(self, name: str) -> Member | None:
        wanted = name.strip().casefold()
        for m in self.roster().members:
            if wanted in (m.id.casefold(), m.name.casefold()):
                return m
        return None

    def _refused(self, ctx: _Context, what: str, ref: str, refusal: Refusal) -> Reply:
        self._audit_refusal(ctx.member, what, ref, refusal.reason)
        return Reply(cards.refusal_card(refusal.reason), text=refusal.reason)

    def _audit_refusal(self, member: Member | None, what: str, ref: str, reason: str) -> None:
        self.repo.append_audit(
            self.clock.now(), member.id if member else UNKNOWN_ACTOR, "teams.refused", ref,
            {"action": what, "reason": reason[:200]},
        )  # fmt: skip

    def _audit(self, member: Member, action: str, ref: str, detail: dict[str, Any]) -> None:
        self.repo.append_audit(self.clock.now(), member.id, action, ref, detail)


_VERBS: dict[str, Permission] = {
    "openCase": Permission.VIEW_CASES,
    "changeCategory": Permission.CHANGE_CATEGORY,
    "claim": Permission.CLAIM,
    "assign": Permission.ASSIGN,
    "close": Permission.CLOSE,
    "note": Permission.NOTE,
    "approve": Permission.APPROVE,
    "reject": Permission.APPROVE,
    "reviewDraft": Permission.APPROVE,
    "reassign": Permission.VIEW_CASES,  # and handover_refusal, on the case's holder
}
_DONE = {
    "claim": "Claimed: the case is yours.",
    "assign": "Assigned.",
    "close": "Closed.",
    "note": "Note added.",
    "approve": "Reply approved: this version can now be sent.",
    "reject": "Sent back for changes.",
}
_AUDITED = {  # literal names: core/audit_actions.py catalogues each
    "claim": "teams.claim",
    "assign": "teams.assign",
    "close": "teams.close",
    "note": "teams.note",
    "approve": "teams.approve",
    "reject": "teams.reject",
    "reassign": "teams.reassign",
}


def turn_from_activity(activity: Mapping[str, Any]) -> Turn:
    """A Turn from a Bot Framework activity's JSON (Teams' shapes; unknown fields ignored)."""

    def obj(value: Any) -> Mapping[str, Any]:
        return value if isinstance(value, Mapping) else {}

    def text_of(value: Any) -> str:
        return value if isinstance(value, str) else ""

    sender, conversation = obj(activity.get("from")), obj(activity.get("conversation"))
    recipient, channel_data = obj(activity.get("recipient")), obj(activity.get("channelData"))
    bot_id = text_of(recipient.get("id"))
    mentions = []
    for item in activity.get("entities") or ():
        entity = obj(item)
        if entity.get("type") == "mention" and obj(entity.get("mentioned")).get("id") == bot_id:
            mentions.append(text_of(entity.get("text")))
    value = activity.get("value")

    def ids(key: str) -> tuple[str, ...]:
        return tuple(text_of(obj(m).get("id")) for m in activity.get(key) or ())

    tenant = text_of(conversation.get("tenantId")) or text_of(
        obj(channel_data.get("tenant")).get("id")
    )
    return Turn(
        activity_type=text_of(activity.get("type")),
        service_url=text_of(activity.get("serviceUrl")),
        conversation_id=text_of(conversation.get("id")),
        bot_id=bot_id,
        user_aad_id=text_of(sender.get("aadObjectId")) or None,
        user_id=text_of(sender.get("id")) or None,
        conversation_type=text_of(conversation.get("conversationType")) or None,
        tenant_id=tenant or None,
        text=text_of(activity.get("text")),
        bot_mentions=tuple(mentions),
        value=value if isinstance(value, Mapping) else None,
        action=text_of(activity.get("action")) or None,
        members_added=ids("membersAdded"),
        members_removed=ids("membersRemoved"),
    )
