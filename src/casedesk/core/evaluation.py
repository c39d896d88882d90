"""Triage quality metrics: per-category precision/recall/F1, macro-F1, confusion matrix,
B-cubed clustering scores, urgency precision/recall, how reliable the confidence is (ECE) and
what the needs-a-human queue catches. Pure functions over labels."""

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


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width confidence bins (the last includes 1.0), with how often each was right."""
    grouped: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for c, ok in zip(confidences, correct, strict=True):
        grouped[min(int(c * bins), bins - 1)].append((c, ok))
    out = []
    for k, members in enumerate(grouped):
        n = len(members)
        out.append(
            ReliabilityBin(
                k / bins,
                (k + 1) / bins,
                n,
                sum(c for c, _ in members) / n if n else 0.0,
                sum(ok for _, ok in members) / n if n else 0.0,
            )
        )
    return out


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """ECE: the count-weighted mean gap between confidence and accuracy over the bins
    (0 is perfectly calibrated)."""
    n = len(confidences)
    return (
        sum(
            b.count * abs(b.mean_confidence - b.accuracy)
            for b in reliability(confidences, correct, bins)
        )
        / n
        if n
        else 0.0
    )


@dataclass(frozen=True)
class ReviewScores:
    """What a needs-a-human queue does: how much mail it takes, how many of the wrong labels
    it catches, and how often what it lets through is right."""

    share_flagged: float
    errors_caught: float
    accuracy_unflagged: float
    flagged: int
    errors: int


def review_queue(flagged: Sequence[bool], correct: Sequence[bool]) -> ReviewScores:
    n = len(flagged)
    errors = sum(not ok for ok in correct)
    caught = sum(f and not ok for f, ok in zip(flagged, correct, strict=True))
    passed = [ok for f, ok in zip(flagged, correct, strict=True) if not f]
    return ReviewScores(
        share_flagged=sum(flagged) / n if n else 0.0,
        errors_caught=caught / errors if errors else 1.0,
        accuracy_unflagged=sum(passed) / len(passed) if passed else 1.0,
        flagged=sum(flagged),
        errors=errors,
    )
