"""At most one model request per campaign: near-copies reuse the first copy's answer.

Uses the same MinHash/LSH clustering as campaign detection (casedesk.core.campaigns, at the
campaign threshold), over the redacted text the model would see. The first message of a
cluster claims it and asks the model; copies arriving meanwhile wait for that answer
instead of asking again. A failed request leaves nothing behind, so the next copy asks.

Short texts are never matched: a few shared words say little, and "Help!" must not get the
answer given to "Help, I'm being evicted". Only signatures and answers are kept, no text.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from casedesk.core import campaigns

V = TypeVar("V")
MIN_SHINGLES = 12  # about 14 words of letter, after the greeting and sign-off are set aside
MAX_MEMBERS = 50_000  # then start again, so a long-running worker's memory stays bounded


@dataclass
class _Entry(Generic[V]):
    signature: campaigns.Signature
    digest: str
    value: V | None = None
    done: threading.Event = field(default_factory=threading.Event)


class Claim(Generic[V]):
    """The cache's verdict for one message: a near-copy's answer (`value`), or the duty to
    ask the model and `fulfil` (or `abandon`) so waiting copies can go on."""

    def __init__(
        self,
        cache: NearDuplicateCache[V] | None,
        cluster_id: str | None,
        entry: _Entry[V] | None,
        signature: campaigns.Signature | None,
        digest: str,
        value: V | None = None,
        similarity: float = 0.0,
    ) -> None:
        self._cache, self._cluster_id, self._entry = cache, cluster_id, entry
        self._signature, self._digest = signature, digest
        self.value, self.similarity = value, similarity

    @property
    def is_hit(self) -> bool:
        return self.value is not None

    @property
    def is_same_text(self) -> bool:
        """The hit came from identical text (the same message seen again), not a near-copy."""
        return self._entry is not None and self._entry.digest == self._digest

    def fulfil(self, value: V) -> None:
        if self._cache is not None and self._cluster_id is not None and self._signature is not None:
            self._cache._fulfil(self._cluster_id, self._entry, self._signature, self._digest, value)

    def abandon(self) -> None:
        if self._cache is not None and self._cluster_id is not None:
            self._cache._abandon(self._cluster_id, self._entry)


class NearDuplicateCache(Generic[V]):
    def __init__(
        self,
        threshold: float = 0.5,
        wait_seconds: float = 120.0,
        min_shingles: int = MIN_SHINGLES,
        max_members: int = MAX_MEMBERS,
    ) -> None:
        self.threshold, self.wait_seconds = threshold, wait_seconds
        self.min_shingles, self.max_members = min_shingles, max_members
        self._lock = threading.Lock()
        self._index = campaigns.CampaignIndex(threshold)
        self._entries: dict[str, _Entry[V]] = {}
        self._members = 0
        self._generation = 0  # bumped on reset: a new index reuses cluster ids

    def __getstate__(self) -> dict[str, object]:
        """A copy for another process starts empty: locks and waiters do not travel."""
        return {
            "threshold": self.threshold,
            "wait_seconds": self.wait_seconds,
            "min_shingles": self.min_shingles,
            "max_members": self.max_members,
        }

    def __setstate__(self, state: dict[str, float | int]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    @property
    def members(self) -> int:
        """Texts matched since the cache last started again (for diagnostics and tests)."""
        with self._lock:
            return self._members

    def claim(self, text: str, digest: str) -> Claim[V]:
        """Look the text up; the caller must fulfil or abandon a claim that is not a hit."""
        if len(campaigns.shingles(campaigns.template_core(text))) < self.min_shingles:
            return Claim(None, None, None, None, digest)
        sig = campaigns.signature(text)
        with self._lock:
            if self._members >= self.max_members:
                self._index = campaigns.CampaignIndex(self.threshold)
                self._entries, self._members = {}, 0
                self._generation += 1
            joined = self._index.add(digest, "", sig)
            self._members += 1
            key = f"{self._generation}/{joined.cluster_id}"
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(sig, digest)
                return Claim(self, key, entry, sig, digest)
        # Another message of this cluster is with the model (or done): wait for its answer.
        entry.done.wait(self.wait_seconds)
        if entry.value is not None:
            similarity = campaigns.similarity(sig, entry.signature)
            return Claim(None, None, entry, sig, digest, entry.value, similarity)
        return Claim(self, key, None, sig, digest)

    def _fulfil(
        self,
        cluster_id: str,
        entry: _Entry[V] | None,
        sig: campaigns.Signature,
        digest: str,
        value: V,
    ) -> None:
        target = entry if entry is not None else _Entry(sig, digest)
        with self._lock:
            target.value = value
            # A waiter that had to ask the model itself installs its answer only when the
            # cluster has no entry left; an owner still asking keeps its own.
            if cluster_id not in self._entries:
                self._entries[cluster_id] = target
        target.done.set()

    def _abandon(self, cluster_id: str, entry: _Entry[V] | None) -> None:
        with self._lock:
            if entry is not None and self._entries.get(cluster_id) is entry:
                del self._entries[cluster_id]
        if entry is not None:
            entry.done.set()
