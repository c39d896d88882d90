"""The timeline is built from messages, notes and the audit log; the handover note reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from casedesk.core.handover import as_record, build_handover, next_step, render_markdown
from casedesk.core.models import (
    AuditEntry,
    Case,
    CaseFlag,
    CaseStatus,
    Category,
    Classification,
    Note,
    StoredMessage,
    Topic,
)
from casedesk.core.timeline import Event, build_timeline

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
C = Classification(Category.CASEWORK, Topic.HOUSING, True, 0.9, (), "test")


def message(at: datetime, subject: str = "Damp", ref: str = "CD-2026-000001") -> StoredMessage:
    return StoredMessage(
        ref, f"<{at.isoformat()}>", "h", "p@example.org", subject, at, at, C, "x", ""
    )


def entry(
    seq: int, at: datetime, actor: str, action: str, **detail: str | int | None
) -> AuditEntry:
    return AuditEntry(seq, at, actor, action, "CD-2026-000001", dict(detail), "", f"h{seq}")


def case(**changes: object) -> Case:
    base = {
        "ref": "CD-2026-000001",
        "constituent_email": "p@example.org",
        "constituent_name": "Priya Shah",
        "subject": "Damp",
        "category": Category.CASEWORK,
        "topic": Topic.HOUSING,
        "is_urgent": False,
        "status": CaseStatus.OPEN,
        "assignee": "tom.reid",
        "campaign_id": None,
        "summary": "",
        "created_at": T0,
        "updated_at": T0,
    }
    return Case(**{**base, **changes})  # type: ignore[arg-type]


def test_timeline_orders_messages_notes_and_actions_and_drops_restatements() -> None:
    events = build_timeline(
        [message(T0), message(T0 + timedelta(days=2), "Re: Damp")],
        [Note("1", "CD-2026-000001", "tom.reid", "Rang the council", T0 + timedelta(days=1))],
        [
            entry(3, T0 + timedelta(days=1), "tom.reid", "note.added", note="1"),
            entry(1, T0, "casedesk-triage", "case.opened", category="casework", topic="housing",
                  urgent=True, assignee="tom.reid", rules="urgent-housing"),
            entry(2, T0, "casedesk-triage", "message.threaded"),
            entry(4, T0 + timedelta(days=3), "jo.price", "case.status_changed",
                  **{"from": "open", "to": "awaiting_agency", "reason": "referred to DWP"}),
            entry(5, T0 + timedelta(days=3), "jo.price", "sla.escalated", to="jo.price"),
            entry(4, T0 + timedelta(days=3), "jo.price", "case.status_changed"),  # seen twice
        ],
    )  # fmt: skip
    assert [(e.kind, e.actor) for e in events] == [
        ("message", "p@example.org"),
        ("opened", "casedesk-triage"),
        ("note", "tom.reid"),
        ("message", "p@example.org"),
        ("status", "jo.price"),
        ("other", "jo.price"),
    ]
    assert events[1].text == "opened as casework/housing, urgent; rules urgent-housing -> tom.reid"
    assert events[4].text == "status open -> awaiting_agency: referred to DWP"
    assert events[5].text == "sla.escalated (to=jo.price)"  # later features still show up
    assert events[0].as_record()["audit_seq"] is None and events[4].as_record()["audit_seq"] == 4


def events_for(*items: tuple[timedelta, str, str]) -> list[Event]:
    return [Event(T0 + at, kind, actor, kind, "CD-2026-000001") for at, kind, actor in items]


def test_next_step_follows_the_state_of_the_case() -> None:
    now = T0 + timedelta(days=5)
    fresh = events_for(
        (timedelta(0), "message", "p@example.org"), (timedelta(0), "opened", "casedesk-triage")
    )
    assert next_step(case(status=CaseStatus.NEW), fresh, now, None, False).startswith(
        "nobody has acted"
    )
    replied_to = [
        *fresh,
        *events_for(
            (timedelta(days=1), "assigned", "jo.price"),
            (timedelta(days=2), "message", "p@example.org"),
        ),
    ]
    assert next_step(case(), replied_to, now, None, False) == (
        "reply to the constituent's message of Wed 18 Nov 2026"
    )
    noted = [*replied_to, *events_for((timedelta(days=3), "note", "tom.reid"))]
    assert next_step(case(), noted, now, None, False) == "carry on from the latest note"
    waiting = next_step(case(status=CaseStatus.AWAITING_CONSTITUENT), noted, now, T0, False)
    assert (
        waiting.startswith("waiting for the constituent since Mon 16 Nov 2026")
        and "close" in waiting
    )
    late = next_step(case(due_at=T0 + timedelta(days=1)), noted, now, None, True)
    assert late.startswith("overdue since Tue 17 Nov 2026: carry on")


def test_handover_lists_open_cases_urgent_then_due_with_waits_and_deadlines() -> None:
    now = T0 + timedelta(days=6)
    waiting = case(
        ref="CD-2026-000002", status=CaseStatus.AWAITING_AGENCY, due_at=T0 + timedelta(days=2),
        flags=frozenset({CaseFlag.SAFEGUARDING}), tags=("housing",), postcode="CB1 2AD",
    )  # fmt: skip
    status_change = Event(
        T0 + timedelta(days=1), "status", "tom.reid", "status open -> awaiting_agency: DWP",
        "CD-2026-000002", 7, {"to": "awaiting_agency", "reason": "referred to the DWP"},
    )  # fmt: skip
    urgent = case(ref="CD-2026-000003", is_urgent=True, due_at=T0 + timedelta(days=9))
    closed = case(ref="CD-2026-000004", status=CaseStatus.CLOSED)
    merged = case(ref="CD-2026-000005", merged_into="CD-2026-000003")
    note = Event(
        T0 + timedelta(days=2), "note", "tom.reid", "Chased by phone\nno answer", "CD-2026-000002"
    )
    handover = build_handover(
        "tom.reid",
        [(waiting, [status_change, note]), (urgent, []), (closed, []), (merged, [])],
        now,
        written_by="jo.price",
        reassign_to="ana.lopes",
    )
    assert [h.case.ref for h in handover.cases] == ["CD-2026-000003", "CD-2026-000002"]
    second = handover.cases[1]
    assert second.overdue and second.waiting_since == status_change.at
    assert second.waiting_reason == "referred to the DWP"
    text = render_markdown(handover)
    assert text.startswith("# Handover: tom.reid, Sun 22 Nov 2026")
    assert "2 open case(s). Reassigned to ana.lopes." in text
    assert "## CD-2026-000002: Damp (SAFEGUARDING)" in text
    assert "- Due: Wed 18 Nov 2026 09:00 (OVERDUE by 4 days)" in text
    assert "- Waiting for the agency since Tue 17 Nov 2026 (5 days): referred to the DWP" in text
    assert "- Latest note (tom.reid, Wed 18 Nov 2026 09:00): Chased by phone no answer" in text
    assert "- Due: Wed 25 Nov 2026 09:00 (3 days left)" in text
    record = as_record(handover)
    assert record["reassign_to"] == "ana.lopes"
    assert [c["overdue"] for c in record["cases"]] == [False, True]  # type: ignore[index]


def test_a_person_with_no_open_cases_gets_a_short_note() -> None:
    text = render_markdown(build_handover("ben.cole", [], T0))
    assert "0 open case(s)" in text and "ben.cole has no open cases." in text
