"""The embedded default once a model is trained: logistic-regression heads for category, topic,
urgency, threat and safeguarding (adapters/embedded/linear_model.py), with the keyword lexicon's
threat, safeguarding and urgency phrases kept as a safety net, since threats and people at risk
are the costliest misses (tuned for recall).

`confidence` is calibrated (adapters/embedded/calibration.py): the probability that the
category given is right, as measured on held-out folds at training time.

Flags the core model has no field for yet travel in `reasons`, always with these prefixes:
  "threat: ..."        -> the message threatens violence; category is forced to abuse and urgent
  "safeguarding: ..."  -> self-harm or suicide risk, or a child or adult at risk; forced urgent
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from casedesk.adapters.embedded.calibration import PlattCalibration, log_odds
from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
from casedesk.adapters.embedded.linear_model import LinearModel, featurize
from casedesk.core.models import Category, Classification, ParsedMessage, Topic

MODEL_FILE = "triage-lr.v3.npz"
MODEL_PATH = Path(__file__).resolve().parent.parent.parent / "models" / MODEL_FILE
NAME = "embedded-lr-v3"
# The office's own retrain (`casedesk train --with-corrections`) lives in its data dir, under a
# name of its own so every label says which model gave it. The file name carries the format
# version: a package with a newer format ignores an older office model rather than misread it.
OFFICE_NAME = f"{NAME}-office"


def office_model_path(data_dir: Path) -> Path:
    return data_dir / "models" / MODEL_FILE


THREAT_REASON = "threat: "
SAFEGUARDING_REASON = "safeguarding: "
_NEVER_URGENT = (Category.SPAM, Category.CAMPAIGN)


@dataclass(frozen=True)
class HeadScores:
    """What the model's heads say about one message, before any rule is applied."""

    category_labels: Sequence[str]
    category: npt.NDArray[np.float64]  # probabilities, per-category offsets applied
    topic: str
    urgent: float
    threat: float
    safeguarding: float

    def log_odds(self, category: Category) -> float:
        """The category head's log-odds for `category` (what calibration maps)."""
        return log_odds(self.category, list(self.category_labels).index(category.value))


def decide(
    scores: HeadScores,
    limits: Mapping[str, float],
    lexicon: Classification,
    calibration: PlattCalibration,
    name: str = NAME,
) -> Classification:
    """The rules on top of the heads: a threat (model or lexicon) is abuse and urgent, the
    lexicon's strong abuse words win, safeguarding is urgent. Training replays exactly this on
    held-out folds to fit the calibration, so what is calibrated is what is shipped."""
    category = Category(scores.category_labels[int(scores.category.argmax())])
    p_model = float(scores.category.max())
    lexicon_threat = next((r for r in lexicon.reasons if r.startswith(THREAT_REASON)), None)
    lexicon_safeguarding = next(
        (r for r in lexicon.reasons if r.startswith(SAFEGUARDING_REASON)), None
    )
    reasons = [f"model: {category.value} ({p_model:.2f})"]

    threat = scores.threat >= limits["threat"] or lexicon_threat is not None
    if threat:
        category = Category.ABUSE
        reasons.append(lexicon_threat or f"{THREAT_REASON}model ({scores.threat:.2f})")
    elif lexicon.category is Category.ABUSE and category is not Category.ABUSE:
        # Abuse is a costly miss (staff safety): the lexicon's strong words win.
        category = Category.ABUSE
        reasons.append(f"lexicon: {lexicon.reasons[0]}")

    safeguarding = category not in _NEVER_URGENT and (
        scores.safeguarding >= limits["safeguarding"] or lexicon_safeguarding is not None
    )
    if safeguarding:
        reasons.append(
            lexicon_safeguarding or f"{SAFEGUARDING_REASON}model ({scores.safeguarding:.2f})"
        )

    is_urgent = (
        threat
        or safeguarding
        or (
            category not in _NEVER_URGENT
            and (scores.urgent >= limits["urgent"] or lexicon.is_urgent)
        )
    )
    if is_urgent and not threat:
        reasons.append(f"urgent ({scores.urgent:.2f})")
    # Calibrated on the category finally given: an override the model disagrees with (the
    # lexicon's abuse words over a confident "policy") is less sure, and says so.
    return Classification(
        category,
        Topic(scores.topic),
        is_urgent,
        calibration.confidence(scores.log_odds(category)),
        tuple(reasons),
        name,
        threat=threat,
        safeguarding=safeguarding,
    )


class TrainedClassifier:
    name = NAME  # the shipped model's; an office's own model is named OFFICE_NAME

    def __init__(
        self,
        model: LinearModel,
        keywords: KeywordClassifier | None = None,
        name: str = NAME,
        path: Path | None = None,
    ) -> None:
        self.model = model
        self.keywords = keywords or KeywordClassifier()
        self.name = name
        self.path = path  # where the model was loaded from: reported by eval and at start-up
        self.calibration = PlattCalibration.from_dict(model.calibration)
        self._yes = {
            head: self.model.heads[head].labels.index("yes")
            for head in ("urgent", "threat", "safeguarding")
        }

    @classmethod
    def from_file(cls, path: Path = MODEL_PATH, name: str = NAME) -> TrainedClassifier:
        return cls(LinearModel.load(path), name=name, path=path)

    def scores(self, message: ParsedMessage) -> HeadScores:
        cols, vals = self.model.columns(*featurize(message.subject, message.new_text))
        probs = self.model.probabilities(cols, vals)
        heads = self.model.heads
        return HeadScores(
            heads["category"].labels,
            probs["category"],
            heads["topic"].labels[int(probs["topic"].argmax())],
            float(probs["urgent"][self._yes["urgent"]]),
            float(probs["threat"][self._yes["threat"]]),
            float(probs["safeguarding"][self._yes["safeguarding"]]),
        )

    def classify(self, message: ParsedMessage) -> Classification:
        return decide(
            self.scores(message),
            self.model.thresholds,
            self.keywords.safety_net(message),
            self.calibration,
            self.name,
        )
