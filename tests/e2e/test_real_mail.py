"""Real public messages nobody on this project wrote (tests/fixtures/real_mail/SOURCES.md):
every valid one is filed, none is lost, a second run files nothing new."""

from __future__ import annotations

import json
from pathlib import Path

from casedesk.adapters.embedded.eml_folder import EmlFolderMailbox
from casedesk.bootstrap import App
from casedesk.core.models import CaseQuery
from casedesk.core.triage import Outcome, TriageResult

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real_mail"
MANIFEST = json.loads((REAL / "manifest.json").read_text())


def test_every_valid_real_message_is_filed_and_rerun_creates_nothing(app: App) -> None:
    files = [REAL / entry["file"] for entry in MANIFEST]
    results: list[TriageResult] = []
    report = app.triage.run(EmlFolderMailbox(files).messages(), on_result=results.append)
    by_file = {Path(r.source).name: r for r in results}
    assert report.balances and report.seen == len(MANIFEST)

    valid = [e["file"] for e in MANIFEST if e["valid_mime"]]
    not_filed = [
        f for f in valid if by_file[f].outcome not in (Outcome.FILED_NEW, Outcome.FILED_EXISTING)
    ]
    assert not_filed == []
    for entry in MANIFEST:
        if not entry["valid_mime"]:
            outcome = by_file[entry["file"]]
            assert outcome.outcome is Outcome.QUARANTINED or outcome.case_ref, entry["file"]
            if outcome.outcome is Outcome.QUARANTINED:
                assert outcome.reason

    cases_before = len(app.repo.query_cases(CaseQuery(limit=10_000)))
    rerun = app.triage.run(EmlFolderMailbox(files).messages())
    assert (rerun.filed, rerun.duplicates) == (0, report.filed)
    assert len(app.repo.query_cases(CaseQuery(limit=10_000))) == cases_before
