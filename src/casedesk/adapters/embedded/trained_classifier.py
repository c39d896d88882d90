"""The embedded default once a model is trained: naive Bayes for category, topic and
urgency, with the keyword lexicon's threat and urgency phrases kept as a safety net, since
threats and urgent cases are the costliest misses (tuned for recall)."""

from __future__ import annotations

from pathlib import Path

from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
from casedesk.adapters.embedded.naive_bayes import NaiveBayesModel, features
from casedesk.core.models import Category, Classification, ParsedMessage, Topic

MODEL_PATH = Path(__file__).resolve().parent.parent.parent / "models" / "triage-nb.v1.npz"
URGENT_THRESHOLD = 0.3  # below 0.5 on purpose: a false alarm costs a glance, a miss costs a home


class TrainedClassifier:
    name = "embedded-nb-v1"

    def __init__(self, model: NaiveBayesModel, keywords: KeywordClassifier | None = None) -> None:
        self.model = model
        self.keywords = keywords or KeywordClassifier()

    @classmethod
    def from_file(cls, path: Path = MODEL_PATH) -> TrainedClassifier:
        return cls(NaiveBayesModel.load(path))

    def classify(self, message: ParsedMessage) -> Classification:
        feats = features(message.subject, message.new_text)
        category_head = self.model.heads["category"]
        probs = category_head.probabilities(feats)
        best = int(probs.argmax())
        category = Category(category_head.labels[best])
        confidence = float(probs[best])
        topic_head = self.model.heads["topic"]
        topic = Topic(topic_head.labels[int(topic_head.probabilities(feats).argmax())])
        urgent_head = self.model.heads["urgent"]
        p_urgent = float(urgent_head.probabilities(feats)[urgent_head.labels.index("yes")])
        lexicon = self.keywords.classify(message)
        threat = any(reason.startswith("threat:") for reason in lexicon.reasons)
        reasons = [f"model: {category.value} ({confidence:.2f})"]
        if threat:
            category = Category.ABUSE
            reasons.append(next(r for r in lexicon.reasons if r.startswith("threat:")))
        elif lexicon.category is Category.ABUSE and category is not Category.ABUSE:
            # Abuse is a costly miss (staff safety): the lexicon's strong words win.
            category = Category.ABUSE
            reasons.append(f"lexicon: {lexicon.reasons[0]}")
        is_urgent = (
            threat
            or p_urgent >= URGENT_THRESHOLD
            or (lexicon.is_urgent and category not in (Category.SPAM, Category.CAMPAIGN))
        )
        if is_urgent and not threat:
            reasons.append(f"urgent ({p_urgent:.2f})")
        return Classification(category, topic, is_urgent, confidence, tuple(reasons), self.name)
