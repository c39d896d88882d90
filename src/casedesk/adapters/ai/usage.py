"""What the AI classifier has cost: requests, cache hits, fallbacks, tokens, an estimate.

Counts only, never text: this is what the CLI prints and what goes in the logs.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prices:
    """Per 1,000 tokens, in the office's billing currency; 0 means not known."""

    prompt_per_1k: float = 0.0
    completion_per_1k: float = 0.0

    @property
    def known(self) -> bool:
        return self.prompt_per_1k > 0 or self.completion_per_1k > 0


@dataclass(frozen=True)
class AIUsage:
    messages: int = 0  # messages classified
    requests: int = 0  # HTTP requests to the model, retries included
    answers: int = 0  # messages labelled by a valid model answer
    cache_hits: int = 0  # messages labelled by a near-copy's answer, with no request
    fallbacks: int = 0  # messages labelled by the embedded classifier instead
    fallback_reasons: dict[str, int] = field(default_factory=dict)  # kind -> count
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    estimated_cost: float | None = None  # None when no prices are configured

    def as_record(self) -> dict[str, object]:
        return {
            "messages": self.messages,
            "requests": self.requests,
            "answers": self.answers,
            "cache_hits": self.cache_hits,
            "fallbacks": self.fallbacks,
            "fallback_reasons": dict(sorted(self.fallback_reasons.items())),
            "retries": self.retries,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "estimated_cost": self.estimated_cost,
        }

    def summary(self) -> str:
        """One line for people: 'AI: 11 messages, 2 requests, 9 from near-copies, ...'."""
        cost = (
            f"estimated cost {self.estimated_cost:.4f}"
            if self.estimated_cost is not None
            else "cost unknown (set CASEDESK_AI_PRICE_PROMPT_PER_1K and _COMPLETION_PER_1K)"
        )
        why = ", ".join(f"{k} {v}" for k, v in sorted(self.fallback_reasons.items()))
        return (
            f"AI: {self.messages} messages, {self.requests} requests, {self.cache_hits} from "
            f"near-copies, {self.fallbacks} by the fallback{f' ({why})' if why else ''}; "
            f"{self.prompt_tokens} prompt + {self.completion_tokens} completion tokens, {cost}"
        )


class UsageMeter:
    """Thread-safe counters behind AIUsage."""

    def __init__(self, prices: Prices | None = None) -> None:
        self.prices = prices or Prices()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._fallbacks: Counter[str] = Counter()

    def add(self, **counts: int) -> None:
        with self._lock:
            self._counts.update(counts)

    def fallback(self, kind: str) -> None:
        with self._lock:
            self._counts["fallbacks"] += 1
            self._fallbacks[kind] += 1

    def snapshot(self) -> AIUsage:
        with self._lock:
            c = dict(self._counts)
            reasons = dict(self._fallbacks)
        prompt, completion = c.get("prompt_tokens", 0), c.get("completion_tokens", 0)
        cost = (
            round(
                prompt / 1000 * self.prices.prompt_per_1k
                + completion / 1000 * self.prices.completion_per_1k,
                6,
            )
            if self.prices.known
            else None
        )
        return AIUsage(
            messages=c.get("messages", 0),
            requests=c.get("requests", 0),
            answers=c.get("answers", 0),
            cache_hits=c.get("cache_hits", 0),
            fallbacks=c.get("fallbacks", 0),
            fallback_reasons=reasons,
            retries=c.get("retries", 0),
            prompt_tokens=prompt,
            completion_tokens=completion,
            estimated_cost=cost,
        )
