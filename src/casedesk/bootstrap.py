"""The one place that picks adapters: build an App from validated settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from casedesk.core.rules import RuleSet
from casedesk.core.triage import Triage, TriagePolicy
from casedesk.errors import SettingsError
from casedesk.ports import (
    CaseFiles,
    CaseRepository,
    Classifier,
    Clock,
    Gazetteer,
    OpsState,
    WorkQueue,
)
from casedesk.settings import Settings

log = logging.getLogger("casedesk.bootstrap")


@dataclass
class App:
    settings: Settings
    repo: CaseRepository
    files: CaseFiles
    ops: OpsState
    classifier: Classifier
    triage: Triage
    queue: WorkQueue
    clock: Clock
    close_store: object  # callable releasing the store; typed loosely to keep ports tidy

    def close(self) -> None:
        if callable(self.close_store):
            self.close_store()


def default_classifier(settings: Settings | None = None) -> Classifier:
    """The trained model shipped in the package, or the keyword baseline if there is none;
    with classifier = "ai", a model endpoint in front of it as the fallback (docs/ai-use.md)."""
    from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
    from casedesk.adapters.embedded.trained_classifier import MODEL_PATH, TrainedClassifier

    embedded: Classifier = (
        TrainedClassifier.from_file() if MODEL_PATH.exists() else KeywordClassifier()
    )
    if settings is None or settings.classifier != "ai":
        return embedded
    from casedesk.adapters.ai.openai_classifier import AzureOpenAIClassifier

    return AzureOpenAIClassifier.from_settings(settings, fallback=embedded)


def triage_policy(settings: Settings) -> TriagePolicy:
    return TriagePolicy(
        office_address=settings.office_address,
        office_name=settings.office_name,
        safety_lead=settings.safety_lead,
        campaign_min_size=settings.campaign_min_size,
        campaign_threshold=settings.campaign_threshold,
        thread_window=timedelta(days=settings.thread_window_days),
        review_below=settings.review_below,
    )


def routing_rules(
    settings: Settings, repo: CaseRepository, ops: OpsState, clock: Clock
) -> RuleSet | None:
    """The office's rules, refused (with every error named) if `casedesk rules check` fails.
    A version not seen before is written to the audit log (core/rules_history.py)."""
    if settings.rules_file is None:
        return None
    from casedesk.core import rules_history
    from casedesk.rules_file import live_rules

    rules = live_rules(settings.rules_file)
    text = settings.rules_file.read_text(encoding="utf-8")
    rules_history.record(repo, ops, clock, text, str(settings.rules_file), rules_history.UNRECORDED)
    return rules


def office_seat(gazetteer: Gazetteer, constituency: str) -> tuple[Gazetteer | None, str | None]:
    """The gazetteer if any postcodes are loaded, and the office's constituency code in it.

    Mail is never held up over geography: with no postcodes, or a `constituency` setting the
    loaded names do not know, triage carries on and every place is simply unknown."""
    if gazetteer.count() == 0:
        return None, None
    found = gazetteer.find_constituency(constituency)
    if found is None:
        log.warning(
            "constituency setting not found in the imported postcode names; outside-the-"
            "constituency checks are off (set it to the exact name or GSS code, E14...)",
            extra={"event": "geo.seat_unknown"},
        )
        return gazetteer, None
    return gazetteer, found[0]


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    if settings.adapters != "embedded":
        raise SettingsError(
            "CASEDESK_ADAPTERS=m365 is not available in this build yet; use 'embedded' "
            "(the Microsoft 365 adapters arrive with the Graph intake work)"
        )
    # Embedded imports stay here so the M365 set never loads SQLite code and vice versa.
    from casedesk.adapters.embedded.clock import SystemClock
    from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter
    from casedesk.adapters.embedded.local_files import LocalCaseFiles
    from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
    from casedesk.adapters.embedded.sqlite_db import Database
    from casedesk.adapters.embedded.sqlite_geo import SqliteGazetteer
    from casedesk.adapters.embedded.sqlite_ops import SqliteOpsState, SqliteWorkQueue

    clock = clock or SystemClock()
    db = Database(settings.data_dir / "casedesk.sqlite3")
    repo = SqliteCaseRepository(db)
    files = LocalCaseFiles(settings.data_dir)
    ops = SqliteOpsState(db)
    classifier = default_classifier(settings)
    drafter = JinjaDrafter(
        settings.office_name, settings.mp_name, settings.constituency, clock, settings.templates_dir
    )
    gazetteer, seat = office_seat(SqliteGazetteer(db), settings.constituency)
    triage = Triage(
        repo, files, classifier, drafter, ops, clock, triage_policy(settings),
        rules=routing_rules(settings, repo, ops, clock), gazetteer=gazetteer, constituency_code=seat,
    )  # fmt: skip
    from casedesk.bootstrap_teams import filing_notifier

    triage.notifier = filing_notifier(settings, repo, ops, clock, triage.rules)  # Teams alerts
    return App(settings, repo, files, ops, classifier, triage, SqliteWorkQueue(db), clock, db.close)
