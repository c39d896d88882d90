"""Training on a few labelled items, quickly (two folds, a fraction of the steps): the model
file carries the calibration and the review threshold chosen out of fold, and loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.adapters.embedded.linear_model import LinearModel
from casedesk.adapters.embedded.trained_classifier import TrainedClassifier
from casedesk.adapters.embedded.training import REVIEW_GRID, Budget
from casedesk.core.mime import parse_message
from casedesk.entrypoints.evaluate import EvalItem, as_mime, load_items, train_model

ROOT = Path(__file__).resolve().parents[2]
QUICK = Budget(folds=2, iterations=0.05)


@pytest.fixture(scope="module")
def few() -> list[EvalItem]:
    """Six training items of each category from the corpus."""
    items = load_items(ROOT / "corpus" / "triage.jsonl", "train")
    labels = sorted({i.label for i in items})
    return [i for label in labels for i in [j for j in items if j.label == label][:6]]


def test_a_quick_training_saves_the_calibration_and_the_recommended_review_threshold(
    tmp_path: Path, few: list[EvalItem]
) -> None:
    out = tmp_path / "model.npz"
    result = train_model(few, out, QUICK, meta={"note": "test"})
    assert result["trained_on"] == len(few) == 48 and result["cross_validation"]["folds"] == 2
    assert {"slope", "intercept", "ece_before", "ece_after"} <= set(result["calibration"])
    assert result["review"]["recommended_review_below"] in REVIEW_GRID
    assert 0.0 <= result["review"]["share_flagged"] <= 1.0

    model = LinearModel.load(out)
    assert model.calibration == {
        "slope": result["calibration"]["slope"],
        "intercept": result["calibration"]["intercept"],
    }
    assert model.meta["note"] == "test" and model.meta["review_cv"] == result["review"]
    classifier = TrainedClassifier(model)
    labels = [classifier.classify(parse_message(as_mime(i))) for i in few[:8]]
    assert all(0.0 < c.confidence < 1.0 for c in labels)


def test_training_needs_two_folds(tmp_path: Path, few: list[EvalItem]) -> None:
    with pytest.raises(ValueError, match="two folds"):
        train_model(few, tmp_path / "m.npz", Budget(folds=1))
