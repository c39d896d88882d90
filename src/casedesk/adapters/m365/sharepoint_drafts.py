"""Reply drafts on SharePoint: columns of the case's own row in the Cases list.

Columns rather than a list of their own: the triage unit of work writes a new case and its
draft in one POST (a Drafts list would cost every new case another request, see
docs/decisions/0007), and staff see the reply's state, approver and text beside the case in
Teams. DraftState is indexed, so the approval queue is one filtered read. What staff do not
need to see (version, subject, hashes, the thread's Message-IDs, the Outlook draft) is JSON
in DraftDetail. Mixed into SharePointCaseRepository: writes go through its unit of work.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from casedesk.adapters.m365.sharepoint_schema import Fields, dt, opt_dt, opt_text, text, ts
from casedesk.adapters.m365.sharepoint_unit import Unit
from casedesk.core.replies import DraftState, ReplyDraft
from casedesk.errors import NotFoundError

CASES = "cases"


def _opt_ts(value: datetime | None) -> str | None:
    return ts(value) if value else None


def draft_fields(d: ReplyDraft) -> Fields:
    detail = {
        "version": d.version,
        "subject": d.subject,
        "template": d.template,
        "to_addr": d.to_addr,
        "to_name": d.to_name,
        "in_reply_to": d.in_reply_to,
        "references": list(d.references),
        "created_at": ts(d.created_at),
        "updated_at": ts(d.updated_at),
        "updated_by": d.updated_by,
        "decided_at": _opt_ts(d.decided_at),
        "approved_sha256": d.approved_sha256,
        "rejection": d.rejection,
        "sent_by": d.sent_by,
        "sent_to": d.sent_to,
        "remote_id": d.remote_id,
        "remote_mailbox": d.remote_mailbox,
        "remote_sha256": d.remote_sha256,
        "sources": list(d.sources),
    }
    return {
        "DraftState": d.state.value,
        "DraftBody": d.body,
        "DraftApprover": d.approver,
        "DraftDecidedBy": d.decided_by,
        "DraftSentAt": _opt_ts(d.sent_at),
        "DraftDetail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
    }


def reply_draft(f: Fields) -> ReplyDraft | None:
    if not f.get("DraftState"):
        return None
    detail: dict[str, Any] = json.loads(text(f.get("DraftDetail")) or "{}")
    return ReplyDraft(
        case_ref=text(f.get("Title")),
        version=int(detail["version"]),
        state=DraftState(f["DraftState"]),
        subject=str(detail["subject"]),
        body=text(f.get("DraftBody")),
        template=str(detail["template"]),
        to_addr=str(detail["to_addr"]),
        to_name=str(detail["to_name"]),
        in_reply_to=str(detail["in_reply_to"]),
        references=tuple(str(r) for r in detail["references"]),
        created_at=dt(detail["created_at"]),
        updated_at=dt(detail["updated_at"]),
        updated_by=str(detail["updated_by"]),
        approver=opt_text(f.get("DraftApprover")),
        decided_by=opt_text(f.get("DraftDecidedBy")),
        decided_at=opt_dt(detail.get("decided_at")),
        approved_sha256=detail.get("approved_sha256"),
        rejection=detail.get("rejection"),
        sent_at=opt_dt(f.get("DraftSentAt")),
        sent_by=detail.get("sent_by"),
        sent_to=detail.get("sent_to"),
        remote_id=detail.get("remote_id"),
        remote_mailbox=detail.get("remote_mailbox"),
        remote_sha256=detail.get("remote_sha256"),
        sources=tuple(str(s) for s in detail.get("sources", [])),
    )


class _Host(Protocol):
    """What the mixin needs from SharePointCaseRepository: its unit of work and row reads."""

    def _writing(self) -> AbstractContextManager[Unit]: ...

    def _one(self, key: str, title: str) -> tuple[Fields, str | None] | None: ...

    def _select(
        self,
        key: str,
        column: str | None,
        value: str | None,
        test: Callable[[Fields], bool],
        skip_store: bool = False,
    ) -> dict[str, tuple[Fields, str | None]]: ...


class SharePointDrafts:
    """The CaseRepository's draft methods, mixed into SharePointCaseRepository."""

    def save_draft(self: _Host, draft: ReplyDraft) -> None:
        with self._writing() as unit:
            found = self._one(CASES, draft.case_ref)
            if found is None:
                raise NotFoundError(f"no case {draft.case_ref!r} to hold the draft")
            fields, item_id = found
            unit.put(CASES, draft.case_ref, draft_fields(draft), item_id, base=fields)

    def get_draft(self: _Host, case_ref: str) -> ReplyDraft | None:
        found = self._one(CASES, case_ref.upper())
        return reply_draft(found[0]) if found else None

    def drafts_in_state(self: _Host, state: DraftState) -> list[ReplyDraft]:
        rows = self._select(
            CASES, "DraftState", state.value, lambda f: f.get("DraftState") == state.value
        )
        drafts = [d for d in (reply_draft(f) for f, _ in rows.values()) if d is not None]
        return sorted(drafts, key=lambda d: (ts(d.created_at), d.case_ref))
