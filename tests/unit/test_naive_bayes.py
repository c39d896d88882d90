from __future__ import annotations

from pathlib import Path

import numpy as np

from casedesk.adapters.embedded.naive_bayes import NaiveBayesModel, features

DOCS = [
    ("Damp flat", "my landlord will not fix the damp and mould"),
    ("Mould again", "black mould in the bedroom and the landlord ignores me"),
    ("Win a prize", "click here to claim your prize now, limited offer"),
    ("Claim now", "you have won, claim your prize with this link"),
]
LABELS = ["casework", "casework", "spam", "spam"]


def test_saved_model_predicts_exactly_like_the_trained_one(tmp_path: Path) -> None:
    docs = [features(s, t) for s, t in DOCS]
    targets = {"category": LABELS}
    trained = NaiveBayesModel.train(docs, targets)
    path = tmp_path / "m.npz"
    trained.save(path, docs, targets)
    loaded = NaiveBayesModel.load(path)
    probe = features("Landlord", "the damp is getting worse")
    a = trained.heads["category"].probabilities(probe)
    b = loaded.heads["category"].probabilities(probe)
    assert np.allclose(a, b) and loaded.heads["category"].labels[int(b.argmax())] == "casework"
    spam = loaded.heads["category"].probabilities(features("Prize", "claim your prize"))
    assert loaded.heads["category"].labels[int(spam.argmax())] == "spam"


def test_features_are_stable_across_processes() -> None:
    # crc32, not Python's salted hash: a saved model must mean the same thing tomorrow.
    assert features("a", "b c").tolist() == features("a", "b c").tolist()
    assert len(features("", "one two three")) == 3 + 2
