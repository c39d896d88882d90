"""Logistic-regression heads over hashed word and character n-grams (numpy only).

Features: word unigrams and bigrams (the subject counts twice) and
character 4-grams inside the words of the subject and the first part of the body, which survive the spellings
abuse is written in ("id1ot", "f***ing", "stuuupid"). Each block is log-scaled and L2-normalised.
Character n-grams are hashed with a vectorised polynomial hash, so they cost almost nothing.

Each head is a linear model trained by full-batch Adam with class-balanced weights and L2
regularisation; `casedesk train` fits them (see entrypoints/evaluate.py), and only features seen
in at least two training messages are kept, so the saved model stays small.
"""

from __future__ import annotations

import itertools
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DIMENSIONS = 1 << 20
CHAR_LIMIT = 2000  # characters of subject + body that feed the character n-grams
WORD_LIMIT = 6000
CHAR_WEIGHT = 0.5  # the character block's share of the feature vector, relative to words
CHAR_ORDERS = (4,)
_TOKEN = re.compile(r"[a-z0-9£'*@$]+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s"})
_REPEAT = re.compile(r"(.)\1{2,}")
_NON_WORD = re.compile(r"[^a-z0-9£*]+")
_PRIME = np.uint64(1_000_003)
_MASK = np.uint64(DIMENSIONS - 1)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


_MIXED = re.compile(r"[a-z$@]*[0134$@5][a-z0-9$@]*")


def _normalise(text: str) -> str:
    """Undo the cheap disguises: "1d1ot" -> "idiot", "stuuupid" -> "stuupid"."""
    text = _MIXED.sub(
        lambda m: m.group().translate(_LEET) if any(c.isalpha() for c in m.group()) else m.group(),
        text,
    )
    return _REPEAT.sub(r"\1\1", text)


def _word_ids(subject: str, text: str) -> IntArray:
    tokens = _TOKEN.findall(_normalise(f"{subject} {subject} {text[:WORD_LIMIT]}".lower()))
    grams = tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
    return np.fromiter(
        (zlib.crc32(g.encode()) & (DIMENSIONS - 1) for g in grams), dtype=np.int64, count=len(grams)
    )


def _char_ids(subject: str, text: str) -> IntArray:
    """Character n-grams inside words (a word's edges count, so " kil" and "ill " differ from
    "kill"): they tie "kill", "killing" and "k1lled" together at little cost."""
    joined = _NON_WORD.sub(" ", f" {subject} {text[:CHAR_LIMIT]} ".lower().translate(_LEET))
    codes = np.frombuffer(joined.encode("utf-8", "ignore"), dtype=np.uint8).astype(np.uint64)
    spaces = np.concatenate([[0], np.cumsum(codes == 32)])
    out = []
    for n in CHAR_ORDERS:
        count = len(codes) - n + 1
        if count <= 0:
            continue
        h = np.full(count, np.uint64(n), dtype=np.uint64)
        for k in range(n):
            h = h * _PRIME + codes[k : k + count]
        inner = spaces[n - 1 : n - 1 + count] - spaces[1 : 1 + count]  # spaces strictly inside
        keep = (inner == 0) & (codes[1 : 1 + count] != 32)
        out.append(((h[keep] ^ (h[keep] >> np.uint64(29))) & _MASK).astype(np.int64))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def _block(ids: IntArray, weight: float) -> tuple[IntArray, FloatArray]:
    if not len(ids):
        return ids, np.zeros(0, dtype=np.float32)
    uniq, counts = np.unique(ids, return_counts=True)
    vals = np.log1p(counts).astype(np.float32)
    vals *= weight / float(np.sqrt((vals * vals).sum()))
    return uniq, vals


def featurize(subject: str, text: str) -> tuple[IntArray, FloatArray]:
    """Sparse feature vector (hashed ids, values) of one message."""
    w_ids, w_vals = _block(_word_ids(subject, text), 1.0)
    c_ids, c_vals = _block(_char_ids(subject, text), CHAR_WEIGHT)
    # Words and characters share the hash space; a rare collision just adds the two values.
    return np.concatenate([w_ids, c_ids]), np.concatenate([w_vals, c_vals])


@dataclass
class Matrix:
    """A minimal sparse matrix in coordinate form, rows in order, with the column order kept
    so both products reduce contiguous runs (np.add.reduceat) instead of scattering."""

    rows: IntArray
    cols: IntArray
    vals: FloatArray
    n_rows: int
    n_cols: int

    def __post_init__(self) -> None:
        self._row_starts, self._row_ids = _runs(self.rows)
        self._col_order = np.argsort(self.cols, kind="stable")
        self._col_starts, self._col_ids = _runs(self.cols[self._col_order])

    @classmethod
    def build(cls, docs: Sequence[tuple[IntArray, FloatArray]], vocab: IntArray) -> Matrix:
        rows, cols, vals = [], [], []
        for i, (ids, v) in enumerate(docs):
            pos = np.minimum(np.searchsorted(vocab, ids), max(len(vocab) - 1, 0))
            hit = vocab[pos] == ids if len(vocab) else np.zeros(len(ids), dtype=bool)
            rows.append(np.full(int(hit.sum()), i, dtype=np.int64))
            cols.append(pos[hit].astype(np.int64))
            vals.append(v[hit].astype(np.float32))
        return cls(
            np.concatenate(rows) if rows else np.zeros(0, np.int64),
            np.concatenate(cols) if cols else np.zeros(0, np.int64),
            np.concatenate(vals) if vals else np.zeros(0, np.float32),
            len(docs),
            len(vocab),
        )

    def dot(self, weights: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """self @ weights, weights (n_cols, k)."""
        out = np.zeros((self.n_rows, weights.shape[1]), dtype=weights.dtype)
        if len(self.vals):
            contrib = weights[self.cols] * self.vals[:, None]
            out[self._row_ids] = np.add.reduceat(contrib, self._row_starts, axis=0)
        return out

    def tdot(self, grad: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """self.T @ grad, grad (n_rows, k)."""
        out = np.zeros((self.n_cols, grad.shape[1]), dtype=grad.dtype)
        if len(self.vals):
            order = self._col_order
            contrib = grad[self.rows[order]] * self.vals[order][:, None]
            out[self._col_ids] = np.add.reduceat(contrib, self._col_starts, axis=0)
        return out


def _runs(sorted_ids: IntArray) -> tuple[IntArray, IntArray]:
    """Start offsets and values of the runs of equal values in a sorted array."""
    if not len(sorted_ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    return starts, sorted_ids[starts]


def vocabulary(docs: Sequence[tuple[IntArray, FloatArray]], min_df: int = 2) -> IntArray:
    """Hashed ids seen in at least `min_df` training messages (sorted)."""
    ids, df = np.unique(np.concatenate([d[0] for d in docs]), return_counts=True)
    result: IntArray = ids[df >= min_df]
    return result


def _softmax(z: npt.NDArray[Any]) -> npt.NDArray[Any]:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[Any] = e / e.sum(axis=1, keepdims=True)
    return out


def fit(
    x: Matrix,
    y: npt.NDArray[np.int64],
    n_classes: int,
    l2: float = 1e-3,
    iterations: int = 300,
    rate: float = 0.1,
    sample_weight: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Multinomial logistic regression (softmax; two classes for a binary head) by Adam.
    Classes are balanced: each class carries the same total weight whatever its size."""
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    weight = (len(y) / (n_classes * np.maximum(counts, 1.0)))[y]
    if sample_weight is not None:
        weight = weight * sample_weight
    weight = (weight / weight.sum()).astype(np.float32)
    onehot = np.eye(n_classes, dtype=np.float32)[y]
    w = np.zeros((x.n_cols, n_classes), dtype=np.float32)
    b = np.log((counts + 1.0) / (counts.sum() + n_classes)).astype(np.float32)
    m_w, v_w = np.zeros_like(w), np.zeros_like(w)
    m_b, v_b = np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, iterations + 1):
        p = _softmax(x.dot(w) + b)
        g = (p - onehot) * weight[:, None]
        g_w = x.tdot(g) + l2 * w
        g_b = g.sum(axis=0)
        m_w = beta1 * m_w + (1 - beta1) * g_w
        v_w = beta2 * v_w + (1 - beta2) * g_w * g_w
        m_b = beta1 * m_b + (1 - beta1) * g_b
        v_b = beta2 * v_b + (1 - beta2) * g_b * g_b
        c1, c2 = 1 - beta1**step, 1 - beta2**step
        w -= rate * (m_w / c1) / (np.sqrt(v_w / c2) + eps)
        b -= rate * (m_b / c1) / (np.sqrt(v_b / c2) + eps)
    return w, b


@dataclass
class LinearHead:
    labels: list[str]
    weights: npt.NDArray[np.float32]  # (vocabulary, labels)
    bias: npt.NDArray[np.float64]
    offsets: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))

    def scores(self, cols: IntArray, vals: FloatArray) -> npt.NDArray[np.float64]:
        z: npt.NDArray[np.float64] = (self.weights[cols] * vals[:, None]).sum(
            axis=0, dtype=np.float64
        ) + self.bias
        if len(self.offsets):
            z = z + self.offsets
        return z

    def probabilities(self, cols: IntArray, vals: FloatArray) -> npt.NDArray[np.float64]:
        z = self.scores(cols, vals)
        z -= z.max()
        e = np.exp(z)
        out: npt.NDArray[np.float64] = e / e.sum()
        return out


class LinearModel:
    """Several heads over one vocabulary, plus the decision thresholds chosen at training time."""

    def __init__(
        self,
        vocab: IntArray,
        heads: dict[str, LinearHead],
        thresholds: dict[str, float],
        calibration: dict[str, float] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.vocab = vocab
        self.heads = heads
        self.thresholds = thresholds
        # Platt slope and intercept for the category confidence (calibration.py); None in
        # a file saved before calibration existed.
        self.calibration = calibration
        self.meta = meta or {}  # what training recorded (cross-validated figures), read-only
        self._stack()

    def _stack(self) -> None:
        """All heads' weights side by side, so scoring a message is one gather, not five."""
        self._names = list(self.heads)
        widths = [len(self.heads[n].labels) for n in self._names]
        self._edges = np.cumsum([0, *widths])
        self._weights = (
            np.hstack([self.heads[n].weights for n in self._names]).astype(np.float32)
            if self._names
            else np.zeros((len(self.vocab), 0), dtype=np.float32)
        )

    def probabilities(self, cols: IntArray, vals: FloatArray) -> dict[str, npt.NDArray[np.float64]]:
        """Every head's probabilities for one message (its columns from `columns`)."""
        if len(self._names) != len(self.heads) or self._weights.shape[0] != len(self.vocab):
            self._stack()
        z_all = vals @ self._weights[cols] if len(cols) else np.zeros(self._weights.shape[1])
        out = {}
        for k, name in enumerate(self._names):
            head = self.heads[name]
            z = z_all[self._edges[k] : self._edges[k + 1]].astype(np.float64) + head.bias
            if len(head.offsets):
                z = z + head.offsets
            z -= z.max()
            e = np.exp(z)
            out[name] = e / e.sum()
        return out

    def columns(self, ids: IntArray, vals: FloatArray) -> tuple[IntArray, FloatArray]:
        if not len(self.vocab) or not len(ids):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        pos = np.minimum(np.searchsorted(self.vocab, ids), len(self.vocab) - 1)
        hit = self.vocab[pos] == ids
        return pos[hit], vals[hit]

    def save(self, path: Path, meta: dict[str, Any] | None = None) -> None:
        arrays: dict[str, npt.NDArray[Any]] = {"vocab": self.vocab.astype(np.int32)}
        for name, head in self.heads.items():
            # int8 with one scale per label: a quarter of float32, no measurable loss here
            scale = np.maximum(np.abs(head.weights).max(axis=0), 1e-9) / 127.0
            arrays[f"{name}.labels"] = np.array(head.labels)
            arrays[f"{name}.scale"] = scale.astype(np.float32)
            arrays[f"{name}.weights"] = np.round(head.weights / scale).astype(np.int8)
            arrays[f"{name}.bias"] = head.bias.astype(np.float64)
            arrays[f"{name}.offsets"] = head.offsets.astype(np.float64)
        arrays["meta"] = np.array(
            json.dumps(
                {"thresholds": self.thresholds, "calibration": self.calibration, **(meta or {})}
            )
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        data = np.load(path, allow_pickle=False)
        meta = json.loads(str(data["meta"]))
        heads = {}
        for name in sorted({k.split(".")[0] for k in data.files if "." in k}):
            weights = data[f"{name}.weights"].astype(np.float32) * data[f"{name}.scale"]
            heads[name] = LinearHead(
                [str(x) for x in data[f"{name}.labels"]],
                weights.astype(np.float32),
                data[f"{name}.bias"],
                data[f"{name}.offsets"],
            )
        return cls(
            data["vocab"].astype(np.int64),
            heads,
            dict(meta["thresholds"]),
            meta.get("calibration"),
            meta,
        )
