"""Who gets a case. The office's rule engine comes later; abuse to the safety lead is built in."""

from __future__ import annotations

from casedesk.core.models import Category, Classification


def route(classification: Classification, safety_lead: str | None) -> str | None:
    """Assignee for a new case, or None to leave it in the unassigned queue."""
    if (classification.category is Category.ABUSE or classification.threat) and safety_lead:
        return safety_lead
    return None
