"""The embedded default once a model is trained: logistic-regression heads for category, topic,
urgency, threat and safeguarding (adapters/embedded/linear_model.py), with the keyword lexicon's
threat, safeguarding and urgency phrases kept as a safety net, since threats and people at risk
are the costliest misses (tuned for recall).

Flags the core model has no field for yet travel in `reasons`, always with these prefixes:
  "threat: ..."        -> the message threatens violence; category is forced to abuse and urgent
  "safeguarding: ..."  -> self-harm or suicide risk, or a child or adult at risk; forced urgent
"""

from __future__ import annotations

from pathlib import Path

from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
from casedesk.adapters.embedded.linear_model import LinearModel, featurize
from casedesk.core.models import Category, Classification, ParsedMessage, Topic

MODEL_PATH = Path(__file__).resolve().parent.parent.parent / "models" / "triage-lr.v2.npz"
THREAT_REASON = "threat: "
SAFEGUARDING_REASON = "safeguarding: "
_NEVER_URGENT = (Category.SPAM, Category.CAMPAIGN)


class TrainedClassifier:
    name = "embedded-lr-v2"

    def __init__(self, model: LinearModel, keywords: KeywordClassifier | None = None) -> None:
        self.model = model
        self.keywords = keywords or KeywordClassifier()
        self._yes = {
            name: self.model.heads[name].labels.index("yes")
            for name in ("urgent", "threat", "safeguarding")
        }

    @classmethod
    def from_file(cls, path: Path = MODEL_PATH) -> TrainedClassifier:
        return cls(LinearModel.load(path))

    def classify(self, message: ParsedMessage) -> Classification:
        cols, vals = self.model.columns(*featurize(message.subject, message.new_text))
        probs_of = self.model.probabilities(cols, vals)
        limits = self.model.thresholds
        labels = self.model.heads
        probs = probs_of["category"]
        best = int(probs.argmax())
        category = Category(labels["category"].labels[best])
        confidence = float(probs[best])
        topic = Topic(labels["topic"].labels[int(probs_of["topic"].argmax())])
        p_urgent = float(probs_of["urgent"][self._yes["urgent"]])
        p_threat = float(probs_of["threat"][self._yes["threat"]])
        p_safeguarding = float(probs_of["safeguarding"][self._yes["safeguarding"]])

        lexicon = self.keywords.safety_net(message)
        lexicon_threat = next((r for r in lexicon.reasons if r.startswith(THREAT_REASON)), None)
        lexicon_safeguarding = next(
            (r for r in lexicon.reasons if r.startswith(SAFEGUARDING_REASON)), None
        )
        reasons = [f"model: {category.value} ({confidence:.2f})"]

        threat = p_threat >= limits["threat"] or lexicon_threat is not None
        if threat:
            category = Category.ABUSE
            reasons.append(lexicon_threat or f"{THREAT_REASON}model ({p_threat:.2f})")
        elif lexicon.category is Category.ABUSE and category is not Category.ABUSE:
            # Abuse is a costly miss (staff safety): the lexicon's strong words win.
            category = Category.ABUSE
            reasons.append(f"lexicon: {lexicon.reasons[0]}")

        safeguarding = category not in _NEVER_URGENT and (
            p_safeguarding >= limits["safeguarding"] or lexicon_safeguarding is not None
        )
        if safeguarding:
            reasons.append(
                lexicon_safeguarding or f"{SAFEGUARDING_REASON}model ({p_safeguarding:.2f})"
            )

        is_urgent = (
            threat
            or safeguarding
            or (
                category not in _NEVER_URGENT
                and (p_urgent >= limits["urgent"] or lexicon.is_urgent)
            )
        )
        if is_urgent and not threat:
            reasons.append(f"urgent ({p_urgent:.2f})")
        return Classification(
            category,
            topic,
            is_urgent,
            confidence,
            tuple(reasons),
            self.name,
            threat=threat,
            safeguarding=safeguarding,
        )
