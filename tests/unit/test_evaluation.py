"""Metric functions checked against hand-counted examples."""

from __future__ import annotations

import pytest

from casedesk.core.evaluation import bcubed, binary, confusion, macro_f1, per_label

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
