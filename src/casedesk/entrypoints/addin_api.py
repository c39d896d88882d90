"""`/api/addin/*`: what the Outlook task pane asks, for `casedesk serve` and the function app.

Every request carries an Entra ID bearer token (adapters/auth/entra_tokens.py). The
token's `oid` must belong to a person in the office's people list (the rules file's
`people`, with `entra_id`): anyone else gets 403 and no data. Then:

  GET  /api/addin/config                  (no token) client id, authority and scope to sign in with
  GET  /api/addin/me                      who you are, the choices for corrections, the actions
  POST /api/addin/message   {internetMessageId}     the case a message was filed into
  POST /api/addin/compose   {to, subject}           the constituent's cases, for a reply

Lookups are POSTs so that addresses, subjects and message ids travel in the body, never in a
URL that a proxy or request log would keep.
  POST /api/addin/correct   {ref, category?, topic?}   feeds core/corrections.correct
  POST /api/addin/claim | assign | note              through CaseworkActions (addin_actions.py)
  POST /api/addin/create    {eml} | {mailbox, itemId}  a case from a message CaseDesk has not
                                                       filed, through triage (addin_create.py)

Answers are JSON with `Cache-Control: no-store`. Constituent text never reaches the log:
log records carry the route, the status and the member id only.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from casedesk.adapters.auth.entra_tokens import (
    Caller,
    IdentityProviderUnavailableError,
    TokenRejectedError,
    bearer_token,
)
from casedesk.core.casework import RefusedError
from casedesk.core.corrections import correct
from casedesk.core.hand_filing import MAX_MESSAGE_BYTES, HandFiled, MessageTooLargeError
from casedesk.core.models import Case, Category, StoredMessage, Topic
from casedesk.core.rules import Person
from casedesk.core.triage import Outcome
from casedesk.entrypoints import render
from casedesk.entrypoints.addin_actions import CaseworkActions, NotAvailableYetError
from casedesk.entrypoints.addin_create import CreateFromMessage, CreateRefusedError
from casedesk.entrypoints.http_server import HttpRequest
from casedesk.entrypoints.webhooks import HttpResult
from casedesk.errors import NotFoundError
from casedesk.ports import CaseFiles, CaseRepository, Clock

log = logging.getLogger("casedesk.addin")
API_PREFIX = "/api/addin/"
NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))
_REF = re.compile(r"\bCD-\d{4}-\d{6}\b")
MAX_NOTE_CHARS = 10_000
E = TypeVar("E", Category, Topic)


class TokenValidator(Protocol):
    def validate(self, token: str) -> Caller: ...


class DraftSource(Protocol):
    def reply_draft(self, case_ref: str) -> str | None: ...


@dataclass
class AddinBackend:
    """What the add-in API needs; built by `addin_host.build_addin_api`."""

    repo: CaseRepository
    files: CaseFiles
    clock: Clock
    drafts: DraftSource
    people: Callable[[], Mapping[str, Person]]
    casework: CaseworkActions
    creator: CreateFromMessage | None = None  # None: this host cannot triage (answers 501)


def _json(status: int, payload: Mapping[str, Any]) -> HttpResult:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    return HttpResult(status, body, "application/json; charset=utf-8", NO_STORE)


def _error(status: int, code: str, message: str) -> HttpResult:
    return _json(status, {"error": code, "message": message})


def member_for(caller: Caller, people: Mapping[str, Person]) -> Person | None:
    """The office member whose entra_id is the token's oid; None for anyone else."""
    for person in people.values():
        if person.entra_id and person.entra_id.lower() == caller.object_id:
            return person
    return None


def _message_id(value: str) -> str:
    """Office.js gives internetMessageId with angle brackets; be lenient if they are missing."""
    value = value.strip()
    return value if value.startswith("<") else f"<{value}>"


class AddinApi:
    """One handler for every `/api/addin/*` request."""

    def __init__(
        self,
        validator: TokenValidator | None,
        backend: AddinBackend | None,
        why_off: str = "",
        public_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.validator = validator
        self.backend = backend
        self.why_off = why_off
        self.public_config = dict(public_config or {})
        self.routes: dict[tuple[str, str], Callable[[HttpRequest, Person, AddinBackend], HttpResult]] = {
            ("GET", "me"): self.me,
            ("POST", "message"): self.message,
            ("POST", "compose"): self.compose,
            ("POST", "correct"): self.correct,
            ("POST", "claim"): self.claim,
            ("POST", "assign"): self.assign,
            ("POST", "note"): self.note,
            ("POST", "create"): self.create,
        }

    def __call__(self, request: HttpRequest) -> HttpResult:
        name = request.path.removeprefix(API_PREFIX).strip("/")
        if (request.method, name) == ("GET", "config"):
            # Before sign-in the pane needs to know what to sign in to: ids, not secrets.
            if not self.public_config:
                return _error(503, "not_configured", self.why_off)
            return _json(200, self.public_config)
        handler = self.routes.get((request.method, name))
        if handler is None:
            known = any(n == name for _, n in self.routes)
            return _error(405 if known else 404, "no_route", f"no {request.method} {request.path}")
        if self.validator is None or self.backend is None:
            return _error(503, "not_configured", self.why_off)
        try:
            caller = self.validator.validate(bearer_token(request.headers.get("authorization")))
        except TokenRejectedError as exc:
            log.warning("add-in token refused", extra={"event": "addin.token_refused", "reason": exc.reason})
            result = _error(401, "invalid_token", exc.reason)
            return HttpResult(result.status, result.body, result.content_type,
                              (*result.headers, ("WWW-Authenticate", 'Bearer error="invalid_token"')))  # fmt: skip
        except IdentityProviderUnavailableError as exc:
            log.error("identity provider unavailable", extra={"event": "addin.idp_unavailable", "reason": str(exc)})
            return _error(503, "idp_unavailable", "sign-in keys could not be read; try again shortly")
        member = member_for(caller, self.backend.people())
        if member is None:
            log.warning("add-in caller is not an office member",
                        extra={"event": "addin.not_member", "oid": caller.object_id})  # fmt: skip
            return _error(403, "not_a_member", "you are not on this office's people list; ask the office manager")
        try:
            result = handler(request, member, self.backend)
        except NotFoundError as exc:
            result = _error(404, "not_found", str(exc))
        except NotAvailableYetError as exc:
            result = _error(501, "not_available", str(exc))
        except RefusedError as exc:  # the casework core's refusal, e.g. a closed case
            result = _error(409, "refused", str(exc))
        except _BadRequestError as exc:
            result = _error(400, "bad_request", str(exc))
        except MessageTooLargeError as exc:
            result = _error(413, "too_large", str(exc))
        except CreateRefusedError as exc:
            result = _error(exc.status, exc.code, str(exc))
        log.info("add-in request", extra={"event": "addin.request", "route": name,
                                          "status": result.status, "member": member.id})  # fmt: skip
        return result

    # --- reads ------------------------------------------------------------------------------

    def me(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        return _json(200, {
            "member": {"id": member.id, "name": member.name, "role": member.role},
            "choices": {"categories": [c.value for c in Category], "topics": [t.value for t in Topic]},
            "people": [{"id": p.id, "name": p.name} for p in b.people().values()],
            "limits": {"message_bytes": MAX_MESSAGE_BYTES},
        })  # fmt: skip

    def message(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        message_id = _message_id(_text(_body(request), "internetMessageId"))
        ref = b.repo.case_for_thread([message_id])
        if ref is None:
            return _json(200, {"found": False})
        case = b.repo.get_case(ref)
        messages = b.repo.case_messages(ref)
        this = next((m for m in messages if m.message_id == message_id), messages[0] if messages else None)
        return _json(200, {"found": True, **self._case_view(case, this, b)})

    def compose(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        """For a reply being written: the constituent's cases (the one the subject names first)."""
        body = _body(request)
        to = _text(body, "to").lower()
        if "@" not in to:
            raise _BadRequestError("to must be the constituent's email address")
        named = _REF.findall(str(body.get("subject") or ""))
        cases = b.repo.cases_of_constituent(to)
        cases.sort(key=lambda c: (c.ref not in named, c.status.value == "closed", -c.updated_at.timestamp()))
        return _json(200, {"cases": [
            {**self._summary(c), "draft": b.drafts.reply_draft(c.ref)} for c in cases[:10]
        ]})  # fmt: skip

    def _summary(self, case: Case) -> dict[str, Any]:
        return {
            "ref": case.ref,
            "subject": case.subject,
            "status": case.status.value,
            "category": case.category.value,
            "updated_at": case.updated_at.isoformat(),
        }

    def _case_view(self, case: Case, this: StoredMessage | None, b: AddinBackend) -> dict[str, Any]:
        campaign = b.repo.get_campaign(case.campaign_id) if case.campaign_id else None
        others = [c for c in b.repo.cases_of_constituent(case.constituent_email) if c.ref != case.ref]
        people = b.people()
        location = b.files.location(case.ref)
        assignee = people.get(case.assignee) if case.assignee else None
        return {
            "case": {
                **render.case_json(case),
                "assignee_name": assignee.name if assignee else case.assignee,
            },
            "triage": render.message_json(this)["classification"] if this else None,
            "campaign": {"id": campaign.id, "name": campaign.name, "size": campaign.size}
            if campaign and campaign.is_campaign else None,
            "other_cases": [self._summary(c) for c in others],
            "draft": b.drafts.reply_draft(case.ref),
            "folder": {
                "location": location,
                "url": location if location.startswith("https://") else None,
            },
        }

    # --- writes -----------------------------------------------------------------------------

    def correct(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        body = _body(request)
        ref = _text(body, "ref")
        category = _choice(body, "category", Category)
        topic = _choice(body, "topic", Topic)
        if category is None and topic is None:
            raise _BadRequestError("say what is wrong: category or topic")
        done = correct(b.repo, b.clock, ref, member.id, category=category, topic=topic)
        return _json(200, {"ref": done.ref, "by": done.actor, "before": done.before, "after": done.after})

    def claim(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        b.casework.claim(_text(_body(request), "ref"), member.id)
        return _json(200, {"done": True})

    def assign(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        body = _body(request)
        b.casework.assign(_text(body, "ref"), member.id, _text(body, "assignee"))
        return _json(200, {"done": True})

    def note(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        body = _body(request)
        text = _text(body, "text")
        if len(text) > MAX_NOTE_CHARS:
            raise _BadRequestError(f"a note holds at most {MAX_NOTE_CHARS} characters")
        b.casework.add_note(_text(body, "ref"), member.id, text)
        return _json(200, {"done": True})

    def create(self, request: HttpRequest, member: Person, b: AddinBackend) -> HttpResult:
        """Triage the open message for the member: its case, however triage filed it."""
        if b.creator is None:
            raise NotAvailableYetError("creating a case from a message is not available on this host")
        body = _body(request)
        if isinstance(body.get("eml"), str) and body["eml"]:
            done = b.creator.from_eml(member.id, body["eml"])
        else:
            done = b.creator.from_mailbox(member.id, _text(body, "mailbox"), _text(body, "itemId"))
        return self._created(done, b)

    def _created(self, done: HandFiled, b: AddinBackend) -> HttpResult:
        if done.outcome is Outcome.QUARANTINED or done.case_ref is None:
            return _error(422, "quarantined", (
                f"CaseDesk could not read this as an email ({done.reason}). It is kept in "
                "quarantine with the reason (`casedesk quarantine`); forward the message to the "
                "office mailbox, or ask the office manager to look at it"
            ))  # fmt: skip
        case = b.repo.get_case(done.case_ref)
        messages = b.repo.case_messages(done.case_ref)
        this = next((m for m in messages if m.sha256.startswith(done.message)), None)
        status = 201 if done.outcome is Outcome.FILED_NEW else 200
        return _json(status, {"outcome": done.outcome.value, "found": True, **self._case_view(case, this, b)})


class _BadRequestError(Exception):
    pass


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError as exc:
        raise _BadRequestError("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise _BadRequestError("the body must be a JSON object")
    return data


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _BadRequestError(f"{key} is required")
    return value.strip()


def _choice(body: Mapping[str, Any], key: str, kind: type[E]) -> E | None:
    value = body.get(key)
    if value in (None, ""):
        return None
    try:
        return kind(value)
    except ValueError as exc:
        raise _BadRequestError(f"{key} {value!r} is not one of {', '.join(k.value for k in kind)}") from exc
