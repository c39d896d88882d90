"""The embedded logistic-regression model: stable features, a faithful save/load, and the
safety flags the trained classifier reports in its reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from casedesk.adapters.embedded.linear_model import (
    LinearHead,
    LinearModel,
    Matrix,
    featurize,
    fit,
    vocabulary,
)
from casedesk.adapters.embedded.trained_classifier import (
    SAFEGUARDING_REASON,
    THREAT_REASON,
    TrainedClassifier,
)
from casedesk.core.mime import parse_message
from casedesk.core.models import Category
from mailmaker import mail

DOCS = [
    ("Damp flat", "my landlord will not fix the damp and mould"),
    ("Mould again", "black mould in the bedroom and the landlord ignores me"),
    ("Win a prize", "click here to claim your prize now, limited offer"),
    ("Claim now", "you have won, claim your prize with this link"),
]


def test_features_are_stable_and_undo_cheap_disguises() -> None:
    ids, vals = featurize("a", "b c")
    again = featurize("a", "b c")
    assert ids.tolist() == again[0].tolist() and np.allclose(vals, again[1])
    plain = set(featurize("", "you idiot")[0].tolist())
    disguised = set(featurize("", "you 1d10t")[0].tolist())
    assert len(plain & disguised) / len(plain) > 0.9  # "1d10t" reads as "idiot"


def test_saved_model_predicts_like_the_trained_one(tmp_path: Path) -> None:
    docs = [featurize(s, t) for s, t in DOCS * 2]
    vocab = vocabulary(docs)
    x = Matrix.build(docs, vocab)
    y = np.array([0, 0, 1, 1] * 2)
    w, b = fit(x, y, 2, iterations=100)
    model = LinearModel(
        vocab, {"category": LinearHead(["casework", "spam"], w, b.astype(np.float64))}, {"t": 0.5}
    )
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = LinearModel.load(path)
    probe = loaded.columns(*featurize("Landlord", "the damp and mould are worse"))
    a = model.probabilities(*model.columns(*featurize("Landlord", "the damp and mould are worse")))
    c = loaded.probabilities(*probe)
    assert np.allclose(a["category"], c["category"], atol=0.02)  # int8 weights
    assert loaded.heads["category"].labels[int(c["category"].argmax())] == "casework"
    assert loaded.thresholds == {"t": 0.5}


def test_shipped_model_flags_threats_and_people_at_risk_in_its_reasons() -> None:
    classifier = TrainedClassifier.from_file()
    threat = classifier.classify(
        parse_message(mail("I know where you live and I will hurt you.", subject="you"))
    )
    assert threat.category is Category.ABUSE and threat.is_urgent
    assert any(r.startswith(THREAT_REASON) for r in threat.reasons) and threat.threat
    at_risk = classifier.classify(
        parse_message(
            mail(
                "The council has ended my support and I feel suicidal. I can't go on like this.",
                subject="Please help - housing",
            )
        )
    )
    assert at_risk.category is not Category.ABUSE and at_risk.is_urgent
    assert any(r.startswith(SAFEGUARDING_REASON) for r in at_risk.reasons) and at_risk.safeguarding
    assert not any(r.startswith(THREAT_REASON) for r in at_risk.reasons)
