"""A model call never holds the office's store. On the embedded store a triage transaction
holds SQLite's write lock, which the Teams bot, the add-in and the CLI also need; so the
classifier (which may be a model taking seconds) runs before the transaction opens. The
classifier here is a port wrapper around the shipped one that tries to take the write lock
from a second connection while it classifies, as another process would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casedesk.bootstrap import build_app
from casedesk.core.models import Classification, ParsedMessage, RawMessage
from casedesk.ports import Classifier
from casedesk.settings import load_settings
from mailmaker import mail


class LockProbe:
    """Classifies with the inner classifier; first tries the store's write lock, no waiting."""

    def __init__(self, inner: Classifier, store: Path) -> None:
        self.inner, self.store, self.name = inner, store, inner.name
        self.seen: list[str] = []

    def classify(self, message: ParsedMessage) -> Classification:
        other = sqlite3.connect(self.store, isolation_level=None, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            self.seen.append("free")
        except sqlite3.OperationalError as exc:
            self.seen.append(str(exc))
        finally:
            other.close()
        return self.inner.classify(message)


def test_the_store_is_free_for_other_writers_while_a_message_is_classified(
    tmp_path: Path,
) -> None:
    app = build_app(load_settings({"data_dir": tmp_path / "data"}, environ={}))
    try:
        probe = LockProbe(app.triage.classifier, tmp_path / "data" / "casedesk.sqlite3")
        app.triage.classifier = probe
        data = mail(message_id="<lock-1@example.org>")
        first = app.triage.triage_one(RawMessage("a.eml", data))
        again = app.triage.triage_one(RawMessage("a-again.eml", data))
    finally:
        app.close()
    assert first.outcome == "filed_new" and again.outcome == "duplicate"
    assert probe.seen == ["free", "free"]
