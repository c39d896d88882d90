"""The keyword lexicon's threat and urgency phrases over the model's label, as for the
embedded model (docs/decisions/0006): threats and urgent cases are the costliest misses, and
a near-copy that reuses a campaign's answer may still add an urgent sentence of its own."""

from __future__ import annotations

from dataclasses import replace

from casedesk.core.models import Category, Classification

_NEVER_URGENT_ON_WORDING = frozenset({Category.SPAM, Category.CAMPAIGN})


def with_lexicon_safety_net(label: Classification, lexicon: Classification) -> Classification:
    threat = next((r for r in lexicon.reasons if r.startswith("threat:")), None)
    if threat is not None:
        return replace(
            label,
            category=Category.ABUSE,
            is_urgent=True,
            threat=True,
            reasons=(*label.reasons, f"lexicon {threat}"),
        )
    if lexicon.is_urgent and not label.is_urgent and label.category not in _NEVER_URGENT_ON_WORDING:
        urgent = tuple(f"lexicon {r}" for r in lexicon.reasons if r.startswith("urgent:"))
        return replace(label, is_urgent=True, reasons=(*label.reasons, *urgent))
    return label
