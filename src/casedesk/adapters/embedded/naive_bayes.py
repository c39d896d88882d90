"""A multinomial naive Bayes text model over hashed word unigrams and bigrams.

Small and dependency-light (numpy only): trained from corpus/triage.jsonl by
`casedesk train`, saved as counts of the features seen, expanded to log-probabilities on
load. One model has several heads (category, topic, urgent), each a label set.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

DIMENSIONS = 1 << 16
_TOKEN = re.compile(r"[a-z0-9£']+")
ALPHA = 0.3  # Laplace smoothing; small, because the vocabulary is large and the corpus small


def features(subject: str, text: str) -> npt.NDArray[np.int64]:
    """Hashed unigrams and bigrams; the subject counts twice (it is what staff read first)."""
    tokens = _TOKEN.findall(f"{subject} {subject} {text[:6000]}".lower())
    grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    return np.fromiter(
        (zlib.crc32(g.encode()) % DIMENSIONS for g in grams), dtype=np.int64, count=len(grams)
    )


@dataclass
class Head:
    labels: list[str]
    log_prior: npt.NDArray[np.float64]
    log_likelihood: npt.NDArray[np.float32]  # (labels, DIMENSIONS)

    def probabilities(self, feats: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        scores = self.log_prior + self.log_likelihood[:, feats].sum(axis=1, dtype=np.float64)
        scores -= scores.max()
        exp = np.exp(scores)
        result: npt.NDArray[np.float64] = exp / exp.sum()
        return result


def _train_head(
    docs: Sequence[npt.NDArray[np.int64]], labels: Sequence[str], order: list[str]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    counts = np.zeros((len(order), DIMENSIONS), dtype=np.int64)
    prior = np.zeros(len(order), dtype=np.float64)
    index = {label: i for i, label in enumerate(order)}
    for feats, label in zip(docs, labels, strict=True):
        row = index[label]
        np.add.at(counts[row], feats, 1)
        prior[row] += 1
    return counts, prior


def _expand(
    counts: npt.NDArray[np.int64], prior: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float32]]:
    smoothed = counts.astype(np.float64) + ALPHA
    log_likelihood = np.log(smoothed / smoothed.sum(axis=1, keepdims=True)).astype(np.float32)
    log_prior = np.log((prior + 1.0) / (prior.sum() + len(prior)))
    return log_prior, log_likelihood


class NaiveBayesModel:
    def __init__(self, heads: dict[str, Head]) -> None:
        self.heads = heads

    @classmethod
    def train(
        cls, docs: Sequence[npt.NDArray[np.int64]], targets: dict[str, Sequence[str]]
    ) -> NaiveBayesModel:
        heads = {}
        for name, labels in targets.items():
            order = sorted(set(labels))
            counts, prior = _train_head(docs, labels, order)
            heads[name] = Head(order, *_expand(counts, prior))
        return cls(heads)

    def save(
        self, path: Path, docs: Sequence[npt.NDArray[np.int64]], targets: dict[str, Sequence[str]]
    ) -> None:
        """Store counts of the features seen (compact), not the dense log-probabilities."""
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for name, labels in targets.items():
            order = sorted(set(labels))
            counts, prior = _train_head(docs, labels, order)
            seen = np.flatnonzero(counts.sum(axis=0))
            arrays[f"{name}.labels"] = np.array(order)
            arrays[f"{name}.prior"] = prior
            arrays[f"{name}.features"] = seen.astype(np.int32)
            arrays[f"{name}.counts"] = counts[:, seen].astype(np.int32)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> NaiveBayesModel:
        data = np.load(path, allow_pickle=False)
        heads = {}
        for name in sorted({key.split(".")[0] for key in data.files}):
            labels = [str(x) for x in data[f"{name}.labels"]]
            counts = np.zeros((len(labels), DIMENSIONS), dtype=np.int64)
            counts[:, data[f"{name}.features"]] = data[f"{name}.counts"]
            heads[name] = Head(labels, *_expand(counts, data[f"{name}.prior"].astype(np.float64)))
        return cls(heads)
