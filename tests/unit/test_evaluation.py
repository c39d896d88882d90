"""Metric functions checked against hand-counted examples."""

from __future__ import annotations

import pytest

from casedesk.core.evaluation import (
    bcubed,
    binary,
    confusion,
    expected_calibration_error,
    macro_f1,
    per_label,
    reliability,
    review_queue,
)

LABELS = ["casework", "spam", "press"]


def test_per_label_precision_recall_by_hand() -> None:
    gold = ["casework", "casework", "casework", "spam", "spam", "press"]
    pred = ["casework", "casework", "spam", "spam", "casework", "press"]
    s = per_label(gold, pred, LABELS)
    # casework: tp 2, fp 1 (a spam), fn 1 -> P 2/3, R 2/3
    assert s["casework"].precision == pytest.approx(2 / 3) and s[
        "casework"
    ].recall == pytest.approx(2 / 3)
    # spam: tp 1, fp 1, fn 1 -> 1/2, 1/2
    assert s["spam"].f1 == pytest.approx(0.5) and s["spam"].support == 2
    assert s["press"].f1 == 1.0
    assert macro_f1(s) == pytest.approx((2 / 3 + 0.5 + 1.0) / 3)
    table = confusion(gold, pred, LABELS)
    assert table["casework"] == {"casework": 2, "spam": 1, "press": 0}
    assert table["spam"]["casework"] == 1


def test_labels_never_seen_do_not_drag_macro_f1_down() -> None:
    s = per_label(["spam"], ["spam"], ["spam", "press"])
    assert s["press"].support == 0 and macro_f1(s) == 1.0


def test_bcubed_by_hand() -> None:
    # gold: {0,1,2} one campaign, 3 alone; predicted: {0,1} and {2,3}
    gold = ["c", "c", "c", None]
    pred = ["x", "x", "y", "y"]
    s = bcubed(gold, pred)
    # precision per item: 1, 1, 1/2, 1/2 -> 0.75; recall: 2/3, 2/3, 1/3, 1 -> 2/3
    assert s.precision == pytest.approx(0.75) and s.recall == pytest.approx(2 / 3)


def test_perfect_and_all_singletons_clustering() -> None:
    assert bcubed(["a", "a", None], ["k", "k", None]).f1 == 1.0
    split = bcubed(["a", "a"], [None, None])
    assert split.precision == 1.0 and split.recall == pytest.approx(0.5)


def test_binary_urgency() -> None:
    s = binary([True, True, False, False], [True, False, True, False])
    assert (s.precision, s.recall, s.support) == (0.5, 0.5, 2)


def test_ece_is_zero_when_confidence_matches_how_often_it_is_right() -> None:
    confidences = [0.75] * 4 + [1.0] * 2
    right = [True, True, True, False, True, True]
    assert expected_calibration_error(confidences, right) == pytest.approx(0.0)
    bins = [b for b in reliability(confidences, right) if b.count]
    assert [(b.low, b.count, b.accuracy) for b in bins] == [(0.7, 4, 0.75), (0.9, 2, 1.0)]


def test_ece_by_hand_for_an_overconfident_classifier() -> None:
    # 0.9 said four times, right twice: gap 0.4 on 4 of 5; 0.15 once, wrong: gap 0.15 on 1 of 5
    confidences = [0.9, 0.9, 0.9, 0.9, 0.15]
    right = [True, True, False, False, False]
    assert expected_calibration_error(confidences, right) == pytest.approx((4 * 0.4 + 0.15) / 5)


def test_review_queue_counts_share_flagged_errors_caught_and_accuracy_of_the_rest() -> None:
    flagged = [True, True, False, False, False, False, False, False, False, False]
    right = [False, True, False, True, True, True, True, True, True, True]
    q = review_queue(flagged, right)
    assert (q.share_flagged, q.errors_caught, q.flagged, q.errors) == (0.2, 0.5, 2, 2)
    assert q.accuracy_unflagged == pytest.approx(7 / 8)
    nothing_wrong = review_queue([False, False], [True, True])
    assert nothing_wrong.errors_caught == 1.0 and nothing_wrong.accuracy_unflagged == 1.0
