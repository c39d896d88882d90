"""The demo inbox end to end: what `make demo` promises, checked against samples/inbox_labels.json.

Classification accuracy is measured by `casedesk eval` (issue 5), not asserted here; this
checks the pipeline's promises: nothing lost, campaigns found, replies threaded, idempotent.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from casedesk.adapters.embedded.eml_folder import EmlFolderMailbox
from casedesk.bootstrap import App
from casedesk.core.models import CaseQuery, Category
from casedesk.core.triage import Outcome, TriageResult

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
LABELS: dict[str, dict[str, object]] = json.loads((SAMPLES / "inbox_labels.json").read_text())


def test_sample_inbox_is_triaged_as_make_demo_promises(app: App) -> None:
    results: list[TriageResult] = []
    report = app.triage.run(
        EmlFolderMailbox([SAMPLES / "inbox"]).messages(), on_result=results.append
    )
    by_file = {Path(r.source).name: r for r in results}
    assert report.balances and report.seen == len(LABELS) >= 60

    malformed = [f for f, label in LABELS.items() if label.get("malformed")]
    assert [by_file[f].outcome for f in malformed] == [Outcome.QUARANTINED] * len(malformed)

    for name, label in LABELS.items():
        reply_to = label.get("reply_to_file")
        if reply_to:
            assert by_file[name].outcome is Outcome.FILED_EXISTING
            assert by_file[name].case_ref == by_file[str(reply_to)].case_ref

    expected = Counter(str(label["campaign"]) for label in LABELS.values() if label.get("campaign"))
    campaigns = [c for c in app.repo.campaigns() if c.is_campaign]
    assert sorted(c.size for c in campaigns) == sorted(expected.values())
    for campaign in campaigns:
        members = {
            str(LABELS[Path(r.source).name]["campaign"])
            for r in results
            if r.case_ref and app.repo.get_case(r.case_ref).campaign_id == campaign.id
        }
        assert len(members) == 1  # one campaign per cluster, no mixing

    threat = next(
        f for f, label in LABELS.items() if label["category"] == "abuse" and label["urgent"]
    )
    case = app.repo.get_case(by_file[threat].case_ref or "")
    assert case.category is Category.ABUSE and case.is_urgent and case.assignee == "sam.safety"

    cases = app.repo.query_cases(CaseQuery(limit=1000))
    rerun = app.triage.run(EmlFolderMailbox([SAMPLES / "inbox"]).messages())
    assert rerun.filed == 0 and rerun.duplicates == report.filed and rerun.balances
    assert len(app.repo.query_cases(CaseQuery(limit=1000))) == len(cases)


def test_classifying_in_worker_processes_files_exactly_what_the_serial_run_files(
    app: App, tmp_path: Path
) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from casedesk.adapters.embedded.clock import FixedClock
    from casedesk.bootstrap import build_app
    from casedesk.settings import load_settings

    def snapshot(target: App) -> list[tuple[str, str, str, bool, str | None]]:
        return [
            (c.ref, c.category.value, c.topic.value, c.is_urgent, c.campaign_id)
            for c in target.repo.query_cases(CaseQuery(limit=1000))
        ]

    app.triage.run(EmlFolderMailbox([SAMPLES / "inbox"]).messages())
    settings = load_settings(
        {"data_dir": tmp_path / "parallel", "safety_lead": "sam.safety"}, environ={}
    )
    parallel = build_app(settings, FixedClock(app.clock.now()))
    with ProcessPoolExecutor(max_workers=2) as pool:
        report = parallel.triage.run(
            EmlFolderMailbox([SAMPLES / "inbox"]).messages(),
            mapper=lambda fn, items: pool.map(fn, items, chunksize=8),
        )
    assert report.balances
    assert snapshot(parallel) == snapshot(app)
    parallel.close()
