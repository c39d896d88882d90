"""Calibrated category confidence: how likely the embedded classifier's category is right.

The category head's probabilities are not probabilities of being right: on out-of-fold data
the v2 model said 0.66 on average while it was right 85% of the time, so a fixed review
threshold meant nothing in particular. Platt scaling maps the log-odds the head gives the
category it chose to a probability of that category being right,

    confidence = sigmoid(slope * log_odds + intercept),

fitted by maximum likelihood on the out-of-fold predictions of training's cross-validation
(never on dev). Two numbers, monotone, so it re-ranks nothing: it only makes
`review_below = 0.8` mean "flag what is less than 80% likely to be right".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# A little pull towards the identity keeps the fit finite when the data is tiny or perfectly
# separated (a corrections-only retrain, a unit test); with hundreds of items it is negligible.
_RIDGE = 1e-3


@dataclass(frozen=True)
class PlattCalibration:
    slope: float = 1.0
    intercept: float = 0.0

    def confidence(self, log_odds: float) -> float:
        z = self.slope * log_odds + self.intercept
        return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))

    def as_dict(self) -> dict[str, float]:
        return {"slope": self.slope, "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict[str, float] | None) -> PlattCalibration:
        """None (a model saved before calibration existed): the head's own probabilities."""
        return cls(float(data["slope"]), float(data["intercept"])) if data else cls()


def log_odds(probabilities: npt.NDArray[np.float64], k: int) -> float:
    """log(p_k / (1 - p_k)), with 1 - p_k summed from the other labels so a near-certain
    choice keeps its rank instead of rounding to infinity."""
    rest = float(np.delete(probabilities, k).sum())
    return math.log(max(float(probabilities[k]), 1e-300)) - math.log(max(rest, 1e-300))


def fit_platt(log_odds_of_choice: Sequence[float], correct: Sequence[bool]) -> PlattCalibration:
    """Maximum-likelihood slope and intercept by Newton's method (a two-parameter logistic
    regression of "was right" on the log-odds)."""
    x = np.asarray(log_odds_of_choice, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    if not len(x):
        return PlattCalibration()
    design = np.c_[x, np.ones_like(x)]
    w = np.array([1.0, 0.0])
    ridge = np.diag([_RIDGE, _RIDGE])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ w, -500, 500)))
        grad = design.T @ (p - y) / len(y) + ridge @ (w - [1.0, 0.0])
        hess = (design * (p * (1 - p))[:, None]).T @ design / len(y) + ridge
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-10:
            break
    return PlattCalibration(float(w[0]), float(w[1]))
