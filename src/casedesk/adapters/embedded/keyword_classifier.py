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
    THREAT_PHRASES,
    TOPIC_PHRASES,
    URGENT_PHRASES,
)
from casedesk.core.models import Category, Classification, ParsedMessage, Topic

THREAT_LEVEL = 3.0
URGENT_LEVEL = 2.0
MIN_SIGNAL = 1.5


@dataclass(frozen=True)
class _Score:
    total: float
    matched: tuple[str, ...]


class _Lexicon:
    """All phrases of one lexicon in a single alternation: one pass over the text."""

    def __init__(self, phrases: dict[str, float]) -> None:
        self.weights = list(phrases.values())
        alternation = "|".join(f"(?P<p{i}>{p})" for i, p in enumerate(phrases))
        # Phrases are lower-case and the text is lower-cased once: IGNORECASE costs ~2x here.
        self.pattern = re.compile(rf"\b(?:{alternation})\b")

    def score(self, text: str) -> _Score:
        seen: dict[int, str] = {}
        for found in self.pattern.finditer(text):
            index = int(str(found.lastgroup)[1:])
            seen.setdefault(index, found.group(0).lower())
        return _Score(sum(self.weights[i] for i in seen), tuple(seen.values()))

    def hits(self, text: str) -> int:
        return sum(1 for _ in self.pattern.finditer(text))


class KeywordClassifier:
    name = "embedded-keywords-v1"

    def __init__(self) -> None:
        self._categories = {Category(k): _Lexicon(v) for k, v in CATEGORY_PHRASES.items()}
        self._topics = {Topic(k): _Lexicon(v) for k, v in TOPIC_PHRASES.items()}
        self._threats = _Lexicon(THREAT_PHRASES)
        self._urgent = _Lexicon(URGENT_PHRASES)

    def classify(self, message: ParsedMessage) -> Classification:
        text = f"{message.subject}\n{message.new_text}".lower()
        threat = self._threats.score(text)
        is_threat = threat.total >= THREAT_LEVEL
        scores = {cat: lex.score(text) for cat, lex in self._categories.items()}
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
        urgent = self._urgent.score(text)
        is_urgent = is_threat or (
            urgent.total >= URGENT_LEVEL and best not in (Category.SPAM, Category.CAMPAIGN)
        )
        if is_threat:
            reasons = (*reasons, f"threat: '{threat.matched[0]}'")
        elif is_urgent:
            reasons = (*reasons, *(f"urgent: '{m}'" for m in urgent.matched[:3]))
        return Classification(
            category=best,
            topic=self._topic(text),
            is_urgent=is_urgent,
            confidence=confidence,
            reasons=reasons,
            classifier=self.name,
        )

    def _topic(self, text: str) -> Topic:
        best, best_hits = Topic.OTHER, 0
        for topic, lexicon in self._topics.items():
            hits = lexicon.hits(text)
            if hits > best_hits:
                best, best_hits = topic, hits
        return best
