"""Campaign detection: MinHash signatures and LSH banding to cluster copy-and-paste mail.

A constituent who sends a template letter changes the greeting and name, may add a
sentence, may reorder paragraphs. Word 3-gram shingles keep most of the template intact
under all three, so the Jaccard similarity of two copies stays high (typically > 0.7)
while two independently written letters on the same topic share almost no 3-grams.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 3
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

# Fixed seeds: signatures are stored, so they must mean the same thing in every process.
_SEEDS = np.random.default_rng(20261123).integers(0, 2**63 - 1, size=NUM_PERM, dtype=np.uint64)
EXEMPLARS = 8  # signatures kept per cluster to compare against, so drifting copies still join
_GREETING = re.compile(r"^\s*(dear|hi|hello|to)\b[^\n]{0,60}\n", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"\n\s*(yours (sincerely|faithfully|truly)|kind(est)? regards|best (wishes|regards)|regards|"
    r"many thanks|thanks|thank you|sincerely|with best wishes)\b[^\n]{0,20}\n[\s\S]*$",
    re.IGNORECASE,
)

Signature = npt.NDArray[np.uint32]


def template_core(text: str) -> str:
    """The letter without its greeting line and sign-off block, where copies differ most."""
    core = _GREETING.sub("", text, count=1)
    return _SIGN_OFF.sub("\n", core + "\n", count=1)


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """A 64-bit finaliser (splitmix64); plain multiply-shift biased estimates low."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(31))
        x = x * np.uint64(0x7FB5D329728EA185)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x81DADEF4BC2DD44D)
        return x ^ (x >> np.uint64(33))


def shingles(text: str) -> set[int]:
    """CRC32 of each run of three consecutive words, case and punctuation ignored."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode())
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(text: str) -> Signature:
    """MinHash signature of the letter's template core: one seeded hash per permutation."""
    hashed = np.fromiter(shingles(template_core(text)), dtype=np.uint64)
    if hashed.size == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    mixed = _mix(hashed[:, None] ^ _SEEDS[None, :])
    result: Signature = (mixed.min(axis=0) >> np.uint64(32)).astype(np.uint32)
    return result


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def _band_keys(sig: Signature) -> list[tuple[int, bytes]]:
    return [(band, sig[band * ROWS : (band + 1) * ROWS].tobytes()) for band in range(BANDS)]


@dataclass
class Cluster:
    id: str
    exemplars: list[Signature]
    members: list[str] = field(default_factory=list)
    senders: set[str] = field(default_factory=set)

    def similarity(self, sig: Signature) -> float:
        return max(similarity(sig, e) for e in self.exemplars)

    def remember(self, sig: Signature) -> None:
        if len(self.exemplars) < EXEMPLARS:
            self.exemplars.append(sig)


@dataclass(frozen=True)
class Assignment:
    cluster_id: str
    size: int
    distinct_senders: int
    is_new_cluster: bool


class CampaignIndex:
    """In-memory LSH index of clusters; the caller persists signatures and reloads them."""

    def __init__(self, threshold: float = 0.5) -> None:
        self.threshold = threshold
        self.clusters: dict[str, Cluster] = {}
        self._buckets: dict[tuple[int, bytes], list[str]] = {}
        self._next = 1

    def _candidates(self, sig: Signature) -> Iterable[str]:
        seen: set[str] = set()
        for key in _band_keys(sig):
            for cluster_id in self._buckets.get(key, ()):
                if cluster_id not in seen:
                    seen.add(cluster_id)
                    yield cluster_id

    def _index(self, cluster_id: str, sig: Signature) -> None:
        for key in _band_keys(sig):
            bucket = self._buckets.setdefault(key, [])
            if cluster_id not in bucket:
                bucket.append(cluster_id)

    def restore(self, cluster_id: str, member: str, sender: str, sig: Signature) -> None:
        """Put back a member saved by an earlier run."""
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            cluster = self.clusters[cluster_id] = Cluster(cluster_id, [sig])
            number = (
                int(cluster_id.rsplit("-", 1)[-1]) if cluster_id.rsplit("-", 1)[-1].isdigit() else 0
            )
            self._next = max(self._next, number + 1)
        else:
            cluster.remember(sig)
        self._index(cluster_id, sig)
        cluster.members.append(member)
        cluster.senders.add(sender)

    def add(self, member: str, sender: str, sig: Signature) -> Assignment:
        """Join the most similar cluster above the threshold, or start a new one."""
        best_id, best_score = None, self.threshold
        for cluster_id in self._candidates(sig):
            score = self.clusters[cluster_id].similarity(sig)
            if score >= best_score:
                best_id, best_score = cluster_id, score
        is_new = best_id is None
        if best_id is None:
            best_id = f"cluster-{self._next:06d}"
            self._next += 1
            self.clusters[best_id] = Cluster(best_id, [sig])
        cluster = self.clusters[best_id]
        if not is_new:
            cluster.remember(sig)
        cluster.members.append(member)
        cluster.senders.add(sender)
        # Index members too, so copies that drift from the first one are still found.
        self._index(best_id, sig)
        return Assignment(best_id, len(cluster.members), len(cluster.senders), is_new)
