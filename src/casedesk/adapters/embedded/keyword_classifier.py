"""The embedded baseline classifier: weighted phrase matching that explains itself.

Honest about what it is: no learning yet. It reports the phrases it matched as reasons and
a confidence from the margin between the best and second-best category, so a low-margin
message can be sent to a person instead of being guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casedesk.adapters.embedded.keyword_lexicon import (
    CATEGORY_PHRASES,
    SAFEGUARDING_PHRASES,
    THREAT_PHRASES,
    TOPIC_PHRASES,
    URGENT_PHRASES,
)
from casedesk.core.models import Category, Classification, ParsedMessage, Topic

THREAT_LEVEL = 3.0
SAFEGUARDING_LEVEL = 2.5
URGENT_LEVEL = 2.0
MIN_SIGNAL = 1.5


@dataclass(frozen=True)
class _Score:
    total: float
    matched: tuple[str, ...]


_LITERAL_WORD = re.compile(r"(?<![\\])\b[a-z]{3,}\b")


def _triggers(phrase: str) -> frozenset[str]:
    """Words of 3+ letters written literally in a phrase pattern. A phrase can only match a
    text containing one of them, so a cheap substring test skips most regex work. Patterns
    with no such word (e.g. "gp") are always tried."""
    if "?" in phrase.replace("(?:", "").replace("'?", "").replace("s?", ""):
        return frozenset()  # an optional group may hold the only literal: always try
    return frozenset(_LITERAL_WORD.findall(phrase))


class _Lexicon:
    """Labelled phrases, each tried only when one of its literal words is in the text.

    One big alternation was tried at every character and cost ~1.7 ms a message; the
    substring pre-check brings the regex work down to the few phrases that could match."""

    def __init__(self, labelled: dict[str, dict[str, float]]) -> None:
        self.entries: list[tuple[str, float, re.Pattern[str], frozenset[str]]] = []
        for label, phrases in labelled.items():
            for phrase, weight in phrases.items():
                # Phrases are lower-case and the text is lower-cased once (IGNORECASE is slower).
                pattern = re.compile(rf"\b(?:{phrase})\b")
                self.entries.append((label, weight, pattern, _triggers(phrase)))

    def _candidates(self, text: str) -> list[tuple[str, float, re.Pattern[str], frozenset[str]]]:
        return [e for e in self.entries if not e[3] or any(word in text for word in e[3])]

    def scores(self, text: str) -> dict[str, _Score]:
        """Per label: the summed weight of distinct phrases found, and what they matched."""
        totals: dict[str, float] = {}
        matched: dict[str, list[str]] = {}
        for label, weight, pattern, _ in self._candidates(text):
            found = pattern.search(text)
            if found:
                totals[label] = totals.get(label, 0.0) + weight
                matched.setdefault(label, []).append(found.group(0))
        return {label: _Score(totals[label], tuple(matched[label])) for label in totals}

    def hits(self, text: str) -> dict[str, int]:
        """Per label: how many times its phrases occur."""
        counts: dict[str, int] = {}
        for label, _, pattern, _ in self._candidates(text):
            n = sum(1 for _ in pattern.finditer(text))
            if n:
                counts[label] = counts.get(label, 0) + n
        return counts


_NONE = _Score(0.0, ())


class KeywordClassifier:
    name = "embedded-keywords-v1"

    def __init__(self) -> None:
        self._categories = _Lexicon(CATEGORY_PHRASES)
        self._topics = _Lexicon(TOPIC_PHRASES)
        self._threats = _Lexicon({"threat": THREAT_PHRASES})
        self._urgent = _Lexicon({"urgent": URGENT_PHRASES})
        self._safeguarding = _Lexicon({"safeguarding": SAFEGUARDING_PHRASES})

    def classify(self, message: ParsedMessage) -> Classification:
        return self._classify(message, with_topic=True)

    def safety_net(self, message: ParsedMessage) -> Classification:
        """Category, urgency, threat and safeguarding only (topic is left as other): what the
        trained classifier consults, without the cost of the topic lexicon."""
        return self._classify(message, with_topic=False)

    def _classify(self, message: ParsedMessage, with_topic: bool) -> Classification:
        text = f"{message.subject}\n{message.new_text}".lower()
        threat = self._threats.scores(text).get("threat", _NONE)
        is_threat = threat.total >= THREAT_LEVEL
        found = self._categories.scores(text)
        scores = {cat: found.get(cat.value, _NONE) for cat in Category}
        if is_threat:
            abuse = scores[Category.ABUSE]
            scores[Category.ABUSE] = _Score(
                abuse.total + threat.total, abuse.matched + threat.matched
            )
        ranked = sorted(scores.items(), key=lambda kv: kv[1].total, reverse=True)
        (best, best_score), (_, second) = ranked[0], ranked[1]
        if best_score.total < MIN_SIGNAL:
            best, confidence = Category.OTHER, 0.3
            reasons: tuple[str, ...] = ("no strong signal for any category",)
        else:
            confidence = round(best_score.total / (best_score.total + second.total + 1.0), 3)
            reasons = tuple(f"{best.value}: '{m}'" for m in best_score.matched[:5])
        urgent = self._urgent.scores(text).get("urgent", _NONE)
        safeguarding = self._safeguarding.scores(text).get("safeguarding", _NONE)
        # Spam, template campaigns and recognised auto-replies/newsletters are never urgent
        # on their wording alone ("for urgent matters call..." is in every out-of-office).
        not_urgent = best in (Category.SPAM, Category.CAMPAIGN) or (
            best is Category.OTHER and best_score.total >= MIN_SIGNAL
        )
        is_safeguarding = safeguarding.total >= SAFEGUARDING_LEVEL and not not_urgent
        is_urgent = (
            is_threat or is_safeguarding or (urgent.total >= URGENT_LEVEL and not not_urgent)
        )
        if is_threat:
            reasons = (*reasons, f"threat: '{threat.matched[0]}'")
        elif is_urgent:
            reasons = (*reasons, *(f"urgent: '{m}'" for m in urgent.matched[:3]))
        if is_safeguarding:
            reasons = (*reasons, f"safeguarding: '{safeguarding.matched[0]}'")
        return Classification(
            category=best,
            topic=self._topic(text) if with_topic else Topic.OTHER,
            is_urgent=is_urgent,
            confidence=confidence,
            reasons=reasons,
            classifier=self.name,
            threat=is_threat,
            safeguarding=is_safeguarding,
        )

    def _topic(self, text: str) -> Topic:
        hits = self._topics.hits(text)
        if not hits:
            return Topic.OTHER
        # Ties go to the topic listed first in the lexicon, deterministically.
        order = list(TOPIC_PHRASES)
        best = max(hits, key=lambda t: (hits[t], -order.index(t)))
        return Topic(best)
