"""Confidence calibration: Platt scaling recovers how often a score is right, keeps the order of
scores, and survives near-certain and tiny inputs; the classifier reports the calibrated value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from casedesk.adapters.embedded.calibration import PlattCalibration, fit_platt, log_odds
from casedesk.adapters.embedded.trained_classifier import HeadScores, TrainedClassifier, decide
from casedesk.core.mime import parse_message
from casedesk.core.models import Category, Classification, Topic
from mailmaker import mail


def test_platt_fit_recovers_the_slope_and_intercept_that_made_the_data() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(0.0, 2.0, 4000)
    right = rng.random(4000) < 1 / (1 + np.exp(-(0.5 * x + 1.0)))
    fitted = fit_platt(x.tolist(), right.tolist())
    assert fitted.slope == pytest.approx(0.5, abs=0.08)
    assert fitted.intercept == pytest.approx(1.0, abs=0.15)


def test_an_underconfident_score_is_raised_and_order_is_kept() -> None:
    # Right 90% of the time at log-odds 0 (a raw "50%"): calibration says about 0.9.
    x = [0.0] * 100 + [2.0] * 100
    right = [k % 10 != 0 for k in range(100)] + [True] * 100
    fitted = fit_platt(x, right)
    assert fitted.confidence(0.0) == pytest.approx(0.9, abs=0.02)
    assert fitted.confidence(-1.0) < fitted.confidence(0.0) < fitted.confidence(2.0) < 1.0


def test_perfectly_separated_or_empty_data_gives_a_finite_calibration() -> None:
    separated = fit_platt([-3.0, -2.0, 2.0, 3.0], [False, False, True, True])
    assert math.isfinite(separated.slope) and math.isfinite(separated.intercept)
    assert 0.0 <= separated.confidence(-50.0) < separated.confidence(50.0) <= 1.0
    assert fit_platt([], []) == PlattCalibration()


def test_log_odds_of_a_near_certain_choice_stays_finite_and_ordered() -> None:
    sure = np.array([1 - 1e-20, 1e-20])
    surer = np.array([1 - 1e-30, 1e-30])
    assert math.isfinite(log_odds(sure, 0)) and log_odds(surer, 0) > log_odds(sure, 0) > 40
    assert log_odds(np.array([0.5, 0.25, 0.25]), 0) == pytest.approx(0.0)


def test_a_model_saved_before_calibration_reports_its_own_probability() -> None:
    assert PlattCalibration.from_dict(None).confidence(0.0) == 0.5
    assert PlattCalibration.from_dict({"slope": 2.0, "intercept": 0.0}).confidence(
        math.log(3)
    ) == pytest.approx(0.9)


def _lexicon(category: Category = Category.OTHER, *reasons: str) -> Classification:
    return Classification(category, Topic.OTHER, False, 0.3, reasons, "lexicon")


LIMITS = {"threat": 0.5, "safeguarding": 0.5, "urgent": 0.5}
LABELS = ["abuse", "casework", "policy"]


def test_confidence_is_the_calibrated_chance_of_the_category_given() -> None:
    scores = HeadScores(LABELS, np.array([0.1, 0.6, 0.3]), "housing", 0.1, 0.0, 0.0)
    calibration = PlattCalibration(1.7, 1.3)
    c = decide(scores, LIMITS, _lexicon(), calibration)
    assert c.category is Category.CASEWORK
    assert c.confidence == pytest.approx(calibration.confidence(math.log(0.6 / 0.4)))


def test_an_override_the_model_disagrees_with_is_less_sure() -> None:
    scores = HeadScores(LABELS, np.array([0.05, 0.05, 0.9]), "other", 0.0, 0.0, 0.0)
    calibration = PlattCalibration(1.7, 1.3)
    model_only = decide(scores, LIMITS, _lexicon(), calibration)
    lexicon_abuse = decide(scores, LIMITS, _lexicon(Category.ABUSE, "abuse: 'scum'"), calibration)
    assert model_only.category is Category.POLICY
    assert lexicon_abuse.category is Category.ABUSE
    assert lexicon_abuse.confidence < 0.5 < model_only.confidence


def test_the_shipped_model_is_calibrated_and_says_so_in_its_name() -> None:
    classifier = TrainedClassifier.from_file()
    assert classifier.name == "embedded-lr-v3" and classifier.model.calibration
    assert classifier.calibration != PlattCalibration()
    c = classifier.classify(parse_message(mail()))
    assert c.category is Category.CASEWORK and 0.5 < c.confidence < 1.0
