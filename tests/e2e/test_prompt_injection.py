"""Constituent text is data: instructions inside it change nothing but its own label.

corpus/injection.jsonl holds common injection patterns (instruction override, fake
delimiters, role claims, tool-call JSON, exfiltration). Each is triaged through the real
pipeline next to an existing case; none may assign, close, send, forward or touch anything
but its own new case."""

from __future__ import annotations

import json
from pathlib import Path

from casedesk.bootstrap import App
from casedesk.core.models import CaseQuery, CaseStatus, Category, RawMessage
from mailmaker import mail

ATTEMPTS = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[2] / "corpus" / "injection.jsonl")
    .read_text()
    .splitlines()
    if line
]


def test_no_injection_changes_routing_assignment_status_or_sending(app: App) -> None:
    victim = app.triage.triage_one(RawMessage("victim.eml", mail(), None)).case_ref
    assert victim
    for n, attempt in enumerate(ATTEMPTS):
        data = mail(
            attempt["body"],
            sender=attempt["from"],
            subject=attempt["subject"],
            message_id=f"<inj-{n}@example.org>",
        )
        result = app.triage.triage_one(RawMessage(f"{attempt['id']}.eml", data, None))
        case = app.repo.get_case(result.case_ref or "")
        assert case.ref != victim, attempt["id"]  # never filed into someone else's case
        assert case.status is CaseStatus.NEW
        # Only the built-in abuse route assigns; nobody named in the text is ever assigned.
        assert case.assignee in (None, "sam.safety"), attempt["id"]
        assert case.assignee is None or case.category is Category.ABUSE
    untouched = app.repo.get_case(victim)
    assert (untouched.status, untouched.assignee, untouched.message_count) == (
        CaseStatus.NEW,
        None,
        1,
    )
    assert len(app.repo.query_cases(CaseQuery(limit=100))) == len(ATTEMPTS) + 1
    files = [p.name for p in Path(app.settings.data_dir).rglob("*") if p.is_file()]
    assert all(not name.startswith("sent") for name in files)  # nothing is ever sent
