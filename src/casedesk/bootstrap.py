"""The one place that picks adapters: build an App from validated settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from casedesk.core.rules import RuleSet
from casedesk.core.sweep import Sweep
from casedesk.core.triage import Triage, TriagePolicy
from casedesk.errors import SettingsError
from casedesk.ports import (
    CaseFiles,
    CaseRepository,
    Classifier,
    Clock,
    Drafter,
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


def embedded_classifier(settings: Settings | None = None) -> Classifier:
    """The office's retrained model in its data dir (`casedesk train --with-corrections`) if
    there is one, else the model shipped in the package, else the keyword baseline."""
    from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
    from casedesk.adapters.embedded.trained_classifier import (
        MODEL_PATH,
        OFFICE_NAME,
        TrainedClassifier,
        office_model_path,
    )

    office = office_model_path(settings.data_dir) if settings else None
    chosen: Classifier
    if office is not None and office.exists():
        chosen = TrainedClassifier.from_file(office, OFFICE_NAME)
    elif MODEL_PATH.exists():
        chosen = TrainedClassifier.from_file()
    else:
        chosen = KeywordClassifier()
    log.info("classifier: %s", classifier_in_use(chosen))
    return chosen


def model_file(classifier: Classifier) -> str | None:
    """The model file behind a classifier (an AI classifier's: its fallback's), if any."""
    path = getattr(getattr(classifier, "fallback", classifier), "path", None)
    return str(path) if path else None


def classifier_in_use(classifier: Classifier) -> str:
    """Which classifier, and which model file, in words: 'embedded-lr-v3 (model .../x.npz)'."""
    path = model_file(classifier)
    return f"{classifier.name} ({f'model {path}' if path else 'no model file'})"


def default_classifier(settings: Settings | None = None) -> Classifier:
    """The embedded classifier (embedded_classifier); with classifier = "ai", a model
    endpoint in front of it, the embedded one as the fallback (docs/ai-use.md)."""
    embedded = embedded_classifier(settings)
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
        mp_approver=settings.mp_approver,
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


def shared_gazetteer(settings: Settings) -> tuple[Gazetteer | None, str | None]:
    """The M365 deployment's gazetteer: the `gazetteer_file` opened read-only (public ONS
    data, shipped beside the code), or none when it is not set."""
    if settings.gazetteer_file is None:
        return None, None
    from casedesk.adapters.embedded.sqlite_db import Database
    from casedesk.adapters.embedded.sqlite_geo import SqliteGazetteer

    db = Database(settings.gazetteer_file, read_only=True)
    return office_seat(SqliteGazetteer(db), settings.constituency)


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


def live_rules_or_none(settings: Settings) -> RuleSet | None:
    """The rules file as it is, for reading staff names (no audit: nothing routes with it)."""
    if settings.rules_file is None:
        return None
    from casedesk.rules_file import live_rules

    return live_rules(settings.rules_file)


def drafter_for(settings: Settings, clock: Clock, rules: RuleSet | None) -> Drafter:
    """The office's templates (docs/replies.md); staff names and roles from the rules file."""
    from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter
    from casedesk.core.reply_templates import StaffMember

    people = rules.people if rules else {}
    staff = {key: StaffMember(p.name, p.role) for key, p in people.items()}
    return JinjaDrafter(
        settings.office_name, settings.mp_name, settings.constituency, clock,
        settings.templates_dir, settings.office_address, staff,
    )  # fmt: skip


def build_app(settings: Settings, clock: Clock | None = None) -> App:
    if settings.adapters != "embedded":
        raise SettingsError(
            "build_app builds the embedded adapters; with CASEDESK_ADAPTERS=m365 use "
            "casedesk.bootstrap_m365.build_cases (the command line does)"
        )
    # Embedded imports stay here so the M365 set never loads SQLite code and vice versa.
    from casedesk.adapters.embedded.clock import SystemClock
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
    rules = routing_rules(settings, repo, ops, clock)
    drafter = with_ai_drafting(settings, drafter_for(settings, clock, rules), repo, clock)
    gazetteer, seat = office_seat(SqliteGazetteer(db), settings.constituency)
    triage = Triage(
        repo, files, classifier, drafter, ops, clock, triage_policy(settings),
        rules=rules, gazetteer=gazetteer, constituency_code=seat,
    )  # fmt: skip
    from casedesk.bootstrap_teams import filing_notifier

    triage.notifier = filing_notifier(settings, repo, ops, clock, triage.rules)  # Teams alerts
    return App(settings, repo, files, ops, classifier, triage, SqliteWorkQueue(db), clock, db.close)


def build_sweep(app: App) -> Sweep:
    """The SLA and referral sweep over an app's stores, with its live rules and agencies."""
    from casedesk.agencies_file import load_agencies
    from casedesk.core.sla import SlaPolicy

    s = app.settings
    policy = SlaPolicy(app.triage.hours, s.sla_warn_hours)
    agencies = load_agencies(s.agencies_file)
    return Sweep(
        app.repo, app.ops, app.clock, policy, app.triage.rules, agencies, s.chase_every_days,
        files=app.files, empty_grace=timedelta(minutes=s.empty_case_grace_minutes),
    )  # fmt: skip


def with_ai_drafting(
    settings: Settings, drafter: Drafter, repo: CaseRepository, clock: Clock
) -> Drafter:
    """The template drafter as it is; with ai_drafting = true, the AI drafter in front of it,
    grounded on the case in `repo` and the policy notes (docs/ai-use.md, "AI drafting")."""
    if not settings.ai_drafting:
        return drafter
    from casedesk.adapters.ai.config import AIConfig
    from casedesk.adapters.ai.drafter import AIDrafter
    from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter

    assert isinstance(drafter, JinjaDrafter)
    log.info("drafter: AI, grounded, with the templates as the fallback")
    return AIDrafter(AIConfig.from_settings(settings), drafter, repo, clock, settings.policy_folder)
