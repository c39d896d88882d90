"""A person corrects a case's triage; the correction is audited and becomes training data.

`correct` sets the case's category, topic and urgency as the person says, clears the
needs_review flag (a person has now looked), keeps threat and safeguarding flags unless the
person clears them, and writes a `case.corrected` audit entry naming who, the old and the
new values. `training_items` turns the latest correction per case into labelled lines in
the `casedesk eval` format, so `casedesk train --with-corrections` learns from the office's
own mail. Pure: the repository and clock are ports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casedesk.core.models import Case, CaseFlag, Category, Topic
from casedesk.ports import CaseRepository, Clock

CORRECTED = "case.corrected"


@dataclass(frozen=True)
class Correction:
    ref: str
    actor: str
    before: dict[str, Any]
    after: dict[str, Any]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _state(case: Case) -> dict[str, Any]:
    return {
        "category": case.category.value,
        "topic": case.topic.value,
        "urgent": case.is_urgent,
        "flags": sorted(f.value for f in case.flags),
    }


def correct(
    repo: CaseRepository,
    clock: Clock,
    ref: str,
    actor: str,
    category: Category | None = None,
    topic: Topic | None = None,
    urgent: bool | None = None,
    clear_flags: frozenset[CaseFlag] = frozenset(),
) -> Correction:
    """Apply a person's correction (None: keep that value) and audit it, in one transaction."""
    if not actor.strip():
        raise ValueError("a correction needs the name of the person making it (--by)")
    with repo.transaction():
        case = repo.get_case(ref)
        flags = case.flags - clear_flags - {CaseFlag.NEEDS_REVIEW}
        new_category = category or case.category
        new_topic = topic or case.topic
        new_urgent = case.is_urgent if urgent is None else urgent
        if CaseFlag.THREAT in flags or CaseFlag.SAFEGUARDING in flags:
            new_urgent = True  # the safety invariant holds for people too: clear the flag first
        repo.set_classification(case.ref, new_category, new_topic, new_urgent, flags)
        before = _state(case)
        after = {
            "category": new_category.value,
            "topic": new_topic.value,
            "urgent": new_urgent,
            "flags": sorted(f.value for f in flags),
        }
        repo.append_audit(
            clock.now(),
            actor,
            CORRECTED,
            case.ref,
            {
                **{f"from_{k}": _flat(v) for k, v in before.items()},
                **{f"to_{k}": _flat(v) for k, v in after.items()},
            },
        )
    return Correction(case.ref, actor, before, after)


def _flat(value: Any) -> str | bool:
    """Audit details hold scalars."""
    return " ".join(value) if isinstance(value, list) else value


def training_items(repo: CaseRepository) -> list[dict[str, Any]]:
    """The first message of every corrected case, labelled as the latest correction says.

    Lines are in the `casedesk eval` format with split "train" and source "correction"; each
    case is its own group for cross-validation. Threat and safeguarding are as the person
    left the flags. Only the text CaseDesk already holds is used (subject and new text)."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in repo.audit_entries():
        if entry.action == CORRECTED:
            latest[entry.object_ref] = dict(entry.detail)
    items: list[dict[str, Any]] = []
    for ref, detail in sorted(latest.items()):
        messages = repo.case_messages(ref)
        if not messages:
            continue
        first = messages[0]
        flags = str(detail.get("to_flags", "")).split()
        items.append(
            {
                "id": f"correction:{ref}",
                "from": first.from_addr,
                "subject": first.subject,
                "body": first.new_text,
                "label": detail["to_category"],
                "topic": detail["to_topic"],
                "urgent": bool(detail["to_urgent"]),
                "threat": CaseFlag.THREAT.value in flags,
                "safeguarding": CaseFlag.SAFEGUARDING.value in flags,
                "cluster": None,
                "split": "train",
                "source": "correction",
                "group": f"correction:{ref}",
            }
        )
    return items
