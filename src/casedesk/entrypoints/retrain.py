"""`casedesk train --with-corrections`: the office's own model, learnt from its staff's
corrections on top of the corpus, written to its data dir (never into the package).

The corpus's train split plus one line per corrected case (core/corrections.py) is trained
into a candidate file; the model in use now and the candidate are both scored on the corpus's
dev split; the candidate replaces the office model only if dev macro-F1 does not drop by
more than `max_drop` (or the person says --force). bootstrap prefers that file from then on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casedesk.bootstrap import build_app, classifier_in_use, embedded_classifier
from casedesk.core.corrections import training_items
from casedesk.entrypoints.evaluate import (
    EvalItem,
    evaluate,
    item_from_row,
    load_items,
    train_model,
)
from casedesk.errors import CaseDeskError
from casedesk.ports import Classifier
from casedesk.settings import Settings

if TYPE_CHECKING:
    from casedesk.adapters.embedded.training import Budget

MAX_DROP = 0.02  # dev has ~190 items: one or two items either way is noise, more is a loss


@dataclass(frozen=True)
class Retrained:
    trained_on: int
    corrections: int
    model: Path
    before: dict[str, Any]
    after: dict[str, Any]
    replaced: bool
    reason: str

    def as_record(self) -> dict[str, Any]:
        return {
            "trained_on": self.trained_on,
            "corrections": self.corrections,
            "model": str(self.model),
            "before": self.before,
            "after": self.after,
            "replaced": self.replaced,
            "reason": self.reason,
        }


def headline(report: dict[str, Any]) -> dict[str, Any]:
    """The figures an office compares, from a `casedesk eval` report."""
    return {
        "classifier": report["classifier"],
        "model": report.get("model"),
        "macro_f1": report["macro_f1"],
        "abuse_recall": report["abuse_recall"],
        "urgent_recall": report["urgent"]["recall"],
        "urgent_precision": report["urgent"]["precision"],
        "review_share_flagged": report["review"]["share_flagged"],
        "review_errors_caught": report["review"]["errors_caught"],
        "ece": report["calibration"]["ece"],
    }


def score(dev: list[EvalItem], classifier: Classifier, settings: Settings) -> dict[str, Any]:
    report = evaluate(
        dev,
        classifier,
        settings.campaign_min_size,
        settings.campaign_threshold,
        settings.review_below,
    )
    return headline(report)


def correction_items(settings: Settings) -> list[EvalItem]:
    app = build_app(settings)
    try:
        rows = training_items(app.repo)
    finally:
        app.close()
    return [item_from_row(row, f"correction {row['id']}") for row in rows]


def retrain_with_corrections(
    settings: Settings,
    corpus: Path,
    train_split: str | None = "train",
    dev_split: str = "dev",
    max_drop: float = MAX_DROP,
    force: bool = False,
    budget: Budget | None = None,
) -> Retrained:
    """Train on the corpus plus the office's corrections; keep the result only if it is not
    worse on dev (see module docstring). Raises if there is nothing to learn from."""
    from casedesk.adapters.embedded.trained_classifier import (
        MODEL_FILE,
        OFFICE_NAME,
        TrainedClassifier,
        office_model_path,
    )

    corrections = correction_items(settings)
    if not corrections:
        raise CaseDeskError(
            f"no corrections in {settings.data_dir}: nothing to learn from. Correct some cases "
            "first (casedesk correct REF --category ... --by NAME), or train without "
            "--with-corrections"
        )
    items = load_items(corpus, train_split) + corrections
    dev = load_items(corpus, dev_split)
    target = office_model_path(settings.data_dir)
    candidate = target.with_name(f"candidate-{MODEL_FILE}")
    result = train_model(
        items,
        candidate,
        budget,
        meta={"corrections": len(corrections), "corpus": str(corpus), "name": OFFICE_NAME},
    )
    in_use = embedded_classifier(settings)
    before = score(dev, in_use, settings)
    after = score(dev, TrainedClassifier.from_file(candidate, OFFICE_NAME), settings)
    drop = before["macro_f1"] - after["macro_f1"]
    change = f"dev macro-F1 {before['macro_f1']:.3f} -> {after['macro_f1']:.3f}"
    if drop > max_drop and not force:
        candidate.unlink()
        after["model"] = None  # not kept
        reason = (
            f"not replaced: {change}, a fall of {drop:.3f}, more than the allowed {max_drop:.3f}. "
            f"Still in use: {classifier_in_use(in_use)}. Check the corrections (casedesk "
            "correct can set a case right again), or replace the model anyway with --force"
        )
        return Retrained(
            result["trained_on"], len(corrections), target, before, after, False, reason
        )
    os.replace(candidate, target)  # atomic: a running triage reads the old file or the new
    after["model"] = str(target)
    if drop > max_drop:
        how = f"a fall of {drop:.3f}, more than the allowed {max_drop:.3f}, kept because of --force"
    elif drop > 0:
        how = f"a fall of {drop:.3f}, within the allowed {max_drop:.3f}"
    else:
        how = "no worse than before"
    reason = f"replaced: {change} ({how}). CaseDesk now uses {target}"
    return Retrained(result["trained_on"], len(corrections), target, before, after, True, reason)
