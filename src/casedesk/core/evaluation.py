"""Triage quality metrics: per-category precision/recall/F1, macro-F1, confusion matrix,
B-cubed clustering scores and urgency precision/recall. Pure functions over labels."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    support: int


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def per_label(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Scores]:
    """Scores for every label in `labels` (labels absent from both sides score 0 with support 0)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    out = {}
    for label in labels:
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        out[label] = Scores(precision, recall, _f1(precision, recall), tp[label] + fn[label])
    return out


def macro_f1(scores: dict[str, Scores]) -> float:
    """Mean F1 over the labels that occur in the gold data."""
    present = [s.f1 for s in scores.values() if s.support]
    return sum(present) / len(present) if present else 0.0


def confusion(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, int]]:
    """confusion[gold][predicted] = count."""
    table = {g: dict.fromkeys(labels, 0) for g in labels}
    for g, p in zip(gold, predicted, strict=True):
        table.setdefault(g, dict.fromkeys(labels, 0))
        table[g][p] = table[g].get(p, 0) + 1
    return table


def bcubed(gold: Sequence[str | None], predicted: Sequence[str | None]) -> Scores:
    """B-cubed precision/recall over items; None means 'in no cluster' (a singleton)."""
    n = len(gold)
    gold_ids = [g if g is not None else f"__gold_{i}" for i, g in enumerate(gold)]
    pred_ids = [p if p is not None else f"__pred_{i}" for i, p in enumerate(predicted)]
    gold_members: dict[str, set[int]] = defaultdict(set)
    pred_members: dict[str, set[int]] = defaultdict(set)
    for i in range(n):
        gold_members[gold_ids[i]].add(i)
        pred_members[pred_ids[i]].add(i)
    precision = recall = 0.0
    for i in range(n):
        same_pred, same_gold = pred_members[pred_ids[i]], gold_members[gold_ids[i]]
        both = len(same_pred & same_gold)
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    precision, recall = (precision / n, recall / n) if n else (0.0, 0.0)
    return Scores(precision, recall, _f1(precision, recall), n)


def binary(gold: Sequence[bool], predicted: Sequence[bool]) -> Scores:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return Scores(precision, recall, _f1(precision, recall), tp + fn)
