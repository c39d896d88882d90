"""Training the embedded model: five logistic-regression heads and their decision rules.

Heads: category, topic, urgent, threat, safeguarding. The decision rules that are not weights
(how sure the urgent, threat and safeguarding heads must be, and small per-category offsets) are
chosen on out-of-fold predictions of a grouped 5-fold cross-validation of the training items,
never on dev. Items from one source document (or one campaign) share a fold, so near-copies cannot
flatter the estimates. The same out-of-fold predictions, run through the classifier's own rules
(trained_classifier.decide, lexicon included), fit the confidence calibration and recommend the
review threshold. The cross-validated figures are returned for the record.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from casedesk.adapters.embedded.calibration import PlattCalibration, fit_platt
from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
from casedesk.adapters.embedded.linear_model import (
    FloatArray,
    IntArray,
    LinearHead,
    LinearModel,
    Matrix,
    featurize,
    fit,
    vocabulary,
)
from casedesk.adapters.embedded.trained_classifier import HeadScores, decide
from casedesk.core.evaluation import ReviewScores, expected_calibration_error, review_queue
from casedesk.core.models import ParsedMessage

FOLDS = 5
# L2 strength and Adam steps per head, chosen by grouped cross-validation on train: weak
# regularisation separates threats from mere insults best (precision at 95% threat recall 0.48 at
# 1e-3, 0.70 at 1e-5).
L2 = {"category": 1e-4, "topic": 1e-4, "urgent": 1e-5, "threat": 1e-5, "safeguarding": 1e-5}
ITERATIONS = {"category": 300, "topic": 200, "urgent": 400, "threat": 400, "safeguarding": 400}
# Recall wanted from the safety heads on held-out folds; the threshold is the highest that gets it.
THREAT_RECALL = 0.97
SAFEGUARDING_RECALL = 0.9
URGENT_BETA = 2.0  # urgent: F-beta with recall counting twice (a false alarm costs a glance)
OFFSET_GRID = np.linspace(-1.5, 1.5, 13)
BINARY = ("urgent", "threat", "safeguarding")
# Review thresholds considered; the recommendation maximises errors caught minus share of mail
# flagged on out-of-fold data (each wrong label caught is worth as much as a share point of
# mail a person reads), ties to the lower threshold.
REVIEW_GRID = tuple(round(0.5 + 0.05 * k, 2) for k in range(10))
_NOT_CAMPAIGN = ("abuse", "spam")


@dataclass(frozen=True)
class Budget:
    """How hard training works: folds of the cross-validation and a scale on every head's
    Adam steps. The defaults made the shipped model; less is for tests and quick trials."""

    folds: int = FOLDS
    iterations: float = 1.0

    def steps(self, head: str) -> int:
        return max(1, round(ITERATIONS[head] * self.iterations))


class Labelled(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def topic(self) -> str | None: ...
    @property
    def urgent(self) -> bool: ...
    @property
    def threat(self) -> bool: ...
    @property
    def safeguarding(self) -> bool: ...
    @property
    def group(self) -> str | None: ...
    @property
    def cluster(self) -> str | None: ...


Doc = tuple[IntArray, FloatArray]


def _targets(items: Sequence[Labelled]) -> dict[str, list[str]]:
    return {
        "category": [i.label for i in items],
        "topic": [i.topic or "other" for i in items],
        "urgent": ["yes" if i.urgent or i.threat else "no" for i in items],
        "threat": ["yes" if i.threat else "no" for i in items],
        "safeguarding": ["yes" if i.safeguarding else "no" for i in items],
    }


def _fit_heads(
    docs: Sequence[Doc],
    targets: dict[str, list[str]],
    names: Sequence[str],
    budget: Budget = Budget(),
) -> LinearModel:
    vocab = vocabulary(docs)
    x = Matrix.build(docs, vocab)
    heads = {}
    for name in names:
        labels = sorted(set(targets[name]) | ({"no", "yes"} if name in BINARY else set()))
        y = np.array([labels.index(v) for v in targets[name]], dtype=np.int64)
        w, b = fit(x, y, len(labels), l2=L2[name], iterations=budget.steps(name))
        heads[name] = LinearHead(labels, w.astype(np.float32), b.astype(np.float64))
    return LinearModel(vocab, heads, {})


def _predict(model: LinearModel, doc: Doc) -> dict[str, npt.NDArray[np.float64]]:
    cols, vals = model.columns(*doc)
    return {name: head.probabilities(cols, vals) for name, head in model.heads.items()}


def _folds(items: Sequence[Labelled], folds: int = FOLDS) -> npt.NDArray[np.int64]:
    """Grouped folds, deterministic: groups ordered by a stable hash, dealt out round-robin."""
    groups = sorted({i.group or i.id for i in items}, key=lambda g: (zlib.crc32(g.encode()), g))
    fold_of = {g: n % folds for n, g in enumerate(groups)}
    return np.array([fold_of[i.group or i.id] for i in items], dtype=np.int64)


def _threshold_for_recall(
    p: npt.NDArray[np.float64], gold: npt.NDArray[np.bool_], recall: float
) -> float:
    positives = np.sort(p[gold])
    if not len(positives):
        return 0.5
    k = int(np.floor((1.0 - recall) * len(positives)))  # misses allowed
    return float(np.clip(positives[k] - 1e-6, 0.02, 0.5))


def _fbeta_threshold(p: npt.NDArray[np.float64], gold: npt.NDArray[np.bool_], beta: float) -> float:
    best, best_t = -1.0, 0.5
    for t in np.linspace(0.05, 0.7, 66):
        pred = p >= t
        tp = float((pred & gold).sum())
        prec = tp / max(pred.sum(), 1)
        rec = tp / max(gold.sum(), 1)
        f = (1 + beta**2) * prec * rec / max(beta**2 * prec + rec, 1e-9)
        if f > best + 1e-9:
            best, best_t = f, float(t)
    return best_t


def _macro_f1(gold: list[str], pred: list[str], labels: list[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        scores.append(2 * tp / max(2 * tp + fp + fn, 1))
    return float(np.mean(scores))


def _decide(
    log_p: npt.NDArray[np.float64],
    threat: npt.NDArray[np.bool_],
    offsets: npt.NDArray[np.float64],
    labels: list[str],
    clustered: npt.NDArray[np.bool_],
) -> list[str]:
    """The final category as triage would give it: a threat is abuse; a message in a campaign
    cluster becomes campaign unless it is abuse or spam (campaign clustering finds the copies, so
    the text model need not); anything else keeps the text model's choice."""
    chosen = [labels[int(k)] for k in np.argmax(log_p + offsets, axis=1)]
    out = []
    for choice, is_threat, in_cluster in zip(chosen, threat, clustered, strict=True):
        final = "abuse" if is_threat else choice
        out.append("campaign" if in_cluster and final not in ("abuse", "spam") else final)
    return out


def _fit_offsets(
    log_p: npt.NDArray[np.float64],
    threat: npt.NDArray[np.bool_],
    gold: list[str],
    labels: list[str],
    clustered: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float64]:
    """Per-category logit offsets by coordinate ascent on out-of-fold macro-F1 (abuse recall
    breaks ties upward). Small and bounded: it corrects class balance, it cannot memorise."""
    offsets = np.zeros(len(labels))
    abuse = labels.index("abuse") if "abuse" in labels else -1

    def score(o: npt.NDArray[np.float64]) -> float:
        pred = _decide(log_p, threat, o, labels, clustered)
        f1 = _macro_f1(gold, pred, labels)
        if abuse >= 0:
            hits = [p == "abuse" for g, p in zip(gold, pred, strict=True) if g == "abuse"]
            f1 += 0.25 * (sum(hits) / max(len(hits), 1))
        return f1

    best = score(offsets)
    for _ in range(2):
        for k in range(len(labels)):
            for value in OFFSET_GRID:
                trial = offsets.copy()
                trial[k] = value
                s = score(trial)
                if s > best + 1e-9:
                    best, offsets = s, trial
    return offsets


def cross_validate(
    items: Sequence[Labelled], docs: Sequence[Doc], budget: Budget = Budget()
) -> dict[str, Any]:
    """Out-of-fold probabilities for every item, the thresholds chosen on them and the scores."""
    targets = _targets(items)
    fold = _folds(items, budget.folds)
    cat_labels = sorted(set(targets["category"]))
    n = len(items)
    log_p = np.full((n, len(cat_labels)), -30.0)  # a label a fold never saw is never chosen
    binary = {name: np.zeros(n) for name in BINARY}
    for k in range(budget.folds):
        train_idx = np.flatnonzero(fold != k).tolist()
        test_idx = np.flatnonzero(fold == k).tolist()
        if not len(test_idx) or not len(train_idx):
            continue
        sub_targets = {name: [values[i] for i in train_idx] for name, values in targets.items()}
        model = _fit_heads([docs[i] for i in train_idx], sub_targets, ("category", *BINARY), budget)
        head_labels = model.heads["category"].labels
        for i in test_idx:
            probs = _predict(model, docs[i])
            for j, label in enumerate(head_labels):
                log_p[i, cat_labels.index(label)] = np.log(probs["category"][j] + 1e-12)
            for name in BINARY:
                binary[name][i] = probs[name][model.heads[name].labels.index("yes")]
    gold = {name: np.array([v == "yes" for v in targets[name]]) for name in BINARY}
    thresholds = {
        "threat": _threshold_for_recall(binary["threat"], gold["threat"], THREAT_RECALL),
        "safeguarding": _threshold_for_recall(
            binary["safeguarding"], gold["safeguarding"], SAFEGUARDING_RECALL
        ),
        "urgent": _fbeta_threshold(binary["urgent"], gold["urgent"], URGENT_BETA),
    }
    threat_hit = binary["threat"] >= thresholds["threat"]
    clustered = np.array([i.cluster is not None for i in items])
    offsets = _fit_offsets(log_p, threat_hit, targets["category"], cat_labels, clustered)
    before = _decide(log_p, threat_hit, np.zeros(len(cat_labels)), cat_labels, clustered)
    after = _decide(log_p, threat_hit, offsets, cat_labels, clustered)

    def recall(name: str, pred: npt.NDArray[np.bool_]) -> float:
        return float((pred & gold[name]).sum() / max(gold[name].sum(), 1))

    def precision(name: str, pred: npt.NDArray[np.bool_]) -> float:
        return float((pred & gold[name]).sum() / max(pred.sum(), 1))

    urgent_pred = (
        (binary["urgent"] >= thresholds["urgent"])
        | threat_hit
        | (binary["safeguarding"] >= thresholds["safeguarding"])
    )
    abuse_gold = [g == "abuse" for g in targets["category"]]
    report = {
        "folds": budget.folds,
        "items": n,
        "macro_f1_without_offsets": _macro_f1(targets["category"], before, cat_labels),
        "macro_f1": _macro_f1(targets["category"], after, cat_labels),
        "abuse_recall": sum(p == "abuse" and g for p, g in zip(after, abuse_gold, strict=True))
        / max(sum(abuse_gold), 1),
        "urgent_recall": recall("urgent", urgent_pred),
        "urgent_precision": precision("urgent", urgent_pred),
        "threat_recall": recall("threat", threat_hit),
        "threat_precision": precision("threat", threat_hit),
        "safeguarding_recall": recall(
            "safeguarding", binary["safeguarding"] >= thresholds["safeguarding"]
        ),
    }
    return {
        "thresholds": thresholds,
        "offsets": dict(zip(cat_labels, offsets.tolist(), strict=True)),
        "cv": report,
        "out_of_fold": {
            "labels": cat_labels,
            "log_p": log_p,
            "binary": binary,
            "fold": fold,
            "clustered": clustered,
        },
    }


def _softmax_rows(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


def calibrate(
    items: Sequence[Labelled], messages: Sequence[ParsedMessage], chosen: dict[str, Any]
) -> dict[str, Any]:
    """Fit the confidence calibration on out-of-fold predictions and recommend review_below.

    Each item is decided as the shipped classifier would decide it (the same `decide`, the
    lexicon included) from its out-of-fold head probabilities. "Right" is the classifier's
    category against the gold label; the review queue is judged as triage builds it: a campaign
    copy's category comes from clustering (not reviewed, scored as campaign) and a threat is
    never queued (it goes to the safety lead)."""
    oof = chosen["out_of_fold"]
    labels: list[str] = oof["labels"]
    probs = _softmax_rows(oof["log_p"] + np.array([chosen["offsets"][k] for k in labels]))
    keywords = KeywordClassifier()
    identity = PlattCalibration()
    decided, log_odds = [], []
    for i, message in enumerate(messages):
        scores = HeadScores(
            labels, probs[i], "other", *(float(oof["binary"][h][i]) for h in BINARY)
        )
        c = decide(scores, chosen["thresholds"], keywords.safety_net(message), identity)
        decided.append(c)
        log_odds.append(scores.log_odds(c.category))
    gold = [i.label for i in items]
    right = [c.category.value == g for c, g in zip(decided, gold, strict=True)]
    calibration = fit_platt(log_odds, right)

    # Honest reliability: calibrate each fold with a fit on the other folds only.
    fold = oof["fold"]
    held_out = [0.0] * len(items)
    for k in set(fold.tolist()):
        fit_on = [j for j in range(len(items)) if fold[j] != k]
        platt = fit_platt([log_odds[j] for j in fit_on], [right[j] for j in fit_on])
        for j in np.flatnonzero(fold == k).tolist():
            held_out[j] = platt.confidence(log_odds[j])
    raw = [identity.confidence(x) for x in log_odds]
    confidence = [calibration.confidence(x) for x in log_odds]

    swallowed = [
        bool(in_cluster) and c.category.value not in _NOT_CAMPAIGN
        for c, in_cluster in zip(decided, oof["clustered"], strict=True)
    ]
    final_right = [
        (g == "campaign") if s else ok for s, g, ok in zip(swallowed, gold, right, strict=True)
    ]
    reviewable = [not s and not c.threat for s, c in zip(swallowed, decided, strict=True)]

    def queue(below: float) -> ReviewScores:
        flagged = [r and conf < below for r, conf in zip(reviewable, confidence, strict=True)]
        return review_queue(flagged, final_right)

    best = max(REVIEW_GRID, key=lambda t: (queue(t).errors_caught - queue(t).share_flagged, -t))
    return {
        "calibration": calibration,
        "report": {
            "method": "platt",
            **calibration.as_dict(),
            "accuracy": sum(right) / max(len(right), 1),
            "mean_confidence_before": sum(raw) / max(len(raw), 1),
            "ece_before": expected_calibration_error(raw, right),
            "ece_after": expected_calibration_error(held_out, right),
        },
        "review": {"recommended_review_below": best, **queue(best).__dict__},
    }


def train(
    items: Sequence[Labelled],
    messages: Sequence[ParsedMessage],
    out: Path,
    budget: Budget = Budget(),
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit every head on all items, with decision rules and calibration from cross-validation;
    save the model to `out`. `meta` is recorded in the file (e.g. what it was trained on)."""
    docs = [featurize(m.subject, m.new_text) for m in messages]
    targets = _targets(items)
    for name in ("category", "topic"):
        if len(set(targets[name])) < 2:
            raise ValueError(f"the {name} head needs at least two labels in the training data")
    if budget.folds < 2:
        raise ValueError("cross-validation needs at least two folds")
    chosen = cross_validate(items, docs, budget)
    calibrated = calibrate(items, messages, chosen)
    model = _fit_heads(docs, targets, ("category", "topic", *BINARY), budget)
    category = model.heads["category"]
    category.offsets = np.array([chosen["offsets"].get(label, 0.0) for label in category.labels])
    model.thresholds = chosen["thresholds"]
    model.calibration = calibrated["calibration"].as_dict()
    record = {
        "trained_on": len(items),
        "cv": chosen["cv"],
        "calibration_cv": calibrated["report"],
        "review_cv": calibrated["review"],
        **(meta or {}),
    }
    model.save(out, record)
    return {
        "trained_on": len(items),
        "model": str(out),
        "bytes": out.stat().st_size,
        "thresholds": chosen["thresholds"],
        "offsets": chosen["offsets"],
        "cross_validation": chosen["cv"],
        "calibration": calibrated["report"],
        "review": calibrated["review"],
    }
