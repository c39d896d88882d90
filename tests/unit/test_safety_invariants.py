"""Threat and safeguarding are the costliest misses: the core enforces what they imply."""

from __future__ import annotations

from casedesk.core.models import CaseFlag, Category, Classification, Topic
from casedesk.core.routing import route
from casedesk.core.triage import case_flags, with_safety_invariants


def classified(**kw: object) -> Classification:
    base = {
        "category": Category.CASEWORK,
        "topic": Topic.HOUSING,
        "is_urgent": False,
        "confidence": 0.9,
        "reasons": (),
        "classifier": "test",
    }
    return Classification(**(base | kw))  # type: ignore[arg-type]


def test_threat_and_safeguarding_are_always_urgent_and_say_why() -> None:
    for flag in ("threat", "safeguarding"):
        c = with_safety_invariants(classified(**{flag: True}))
        assert c.is_urgent and any(flag in r for r in c.reasons)
    calm = classified()
    assert with_safety_invariants(calm) == calm


def test_a_threat_goes_to_the_safety_lead_whatever_its_category() -> None:
    assert route(classified(threat=True), "sam.safety") == "sam.safety"
    assert route(classified(category=Category.ABUSE), "sam.safety") == "sam.safety"
    assert route(classified(), "sam.safety") is None


def test_flags_follow_the_classification_and_low_confidence_needs_a_human() -> None:
    assert case_flags(classified(confidence=0.4), 0.5) == {CaseFlag.NEEDS_REVIEW}
    assert case_flags(classified(confidence=0.5), 0.5) == frozenset()
    both = classified(threat=True, safeguarding=True, confidence=0.2)
    # A threat is acted on now, not parked for review, however unsure the classifier is.
    assert case_flags(both, 0.5) == {CaseFlag.THREAT, CaseFlag.SAFEGUARDING}
