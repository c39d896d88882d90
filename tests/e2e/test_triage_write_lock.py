"""A model call never holds the office's store. On the embedded store a triage transaction
holds SQLite's write lock, which the Teams bot, the add-in and the CLI also need; so the
classifier (which may be a model taking seconds) runs before the transaction opens, and an
AI drafter drafts after it commits. Each test tries to take the write lock from a second
connection while the model works, as another process would.

Drafting after the commit leaves a gap: an attempt that dies in it has filed the case
without its draft. The next attempt at the same message finds a duplicate and writes the
draft, once, from the template the routing rules chose."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from casedesk.adapters.ai.drafter import AIDrafter
from casedesk.bootstrap import App, build_app
from casedesk.core.models import (
    Case,
    CaseQuery,
    Classification,
    Draft,
    ParsedMessage,
    RawMessage,
    StoredMessage,
)
from casedesk.ports import Classifier, Drafter
from casedesk.settings import load_settings
from mailmaker import mail
from openaifake import OpenAIFake

RULES = """\
version: 1
people:
  - {id: priya.shah, name: Priya Shah, role: caseworker}
rules:
  - name: the-policy-letter-for-everyone
    default: true
    then: {assign: {person: priya.shah}, template: policy}
"""


def try_write_lock(store: Path) -> str:
    """'free', or SQLite's reason: another connection holds the write lock."""
    other = sqlite3.connect(store, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return "free"
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        other.close()


class LockProbe:
    """Classifies with the inner classifier; first tries the store's write lock, no waiting."""

    def __init__(self, inner: Classifier, store: Path) -> None:
        self.inner, self.store, self.name = inner, store, inner.name
        self.seen: list[str] = []

    def classify(self, message: ParsedMessage) -> Classification:
        self.seen.append(try_write_lock(self.store))
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


# --- AI drafting ------------------------------------------------------------------------------


class WorkerKilledError(Exception):
    """What the host's kill looks like from inside: the attempt stops where it is."""


class DiesOnce:
    """The shipped drafter, except that its first draft dies as a killed worker would."""

    def __init__(self, inner: Drafter) -> None:
        self.inner, self.calls_a_model, self.died = inner, inner.calls_a_model, False

    def draft(
        self,
        case: Case,
        message: ParsedMessage | StoredMessage,
        template: str | None = None,
        chosen_by_staff: bool = False,
    ) -> Draft | None:
        if not self.died:
            self.died = True
            raise WorkerKilledError
        return self.inner.draft(case, message, template, chosen_by_staff)


@dataclass
class AIOffice:
    app: App
    fake: OpenAIFake
    store: Path

    def cases(self) -> list[str]:
        return [c.ref for c in self.app.repo.query_cases(CaseQuery(limit=100))]

    def actions(self, ref: str, action: str) -> int:
        return sum(e.action == action for e in self.app.repo.audit_entries(ref))


@pytest.fixture
def ai_office(tmp_path: Path, openai_fake: OpenAIFake) -> Iterator[AIOffice]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    settings = load_settings(
        {
            "data_dir": tmp_path / "data",
            "rules_file": rules,
            "ai_drafting": True,
            "ai_endpoint": openai_fake.url,
            "ai_deployment": openai_fake.deployments[0],
            "ai_api_key": openai_fake.api_key,
            "ai_max_attempts": 1,
        },
        environ={},
    )
    app = build_app(settings)
    assert isinstance(app.triage.drafter, AIDrafter)
    yield AIOffice(app, openai_fake, tmp_path / "data" / "casedesk.sqlite3")
    app.close()


def test_the_store_is_free_for_other_writers_while_the_model_drafts_a_reply(
    ai_office: AIOffice,
) -> None:
    seen: list[str] = []
    ai_office.fake.on_request = lambda: seen.append(try_write_lock(ai_office.store))
    result = ai_office.app.triage.triage_one(RawMessage("a.eml", mail()))
    assert result.outcome == "filed_new" and result.case_ref
    assert seen == ["free"]  # the model was asked once, with the store free
    draft = ai_office.app.repo.get_draft(result.case_ref)
    assert draft is not None and draft.template.startswith("ai:")
    assert result.draft_body == draft.body


def test_a_worker_killed_while_the_model_drafts_leaves_the_draft_to_its_retry(
    ai_office: AIOffice,
) -> None:
    triage = ai_office.app.triage
    triage.drafter = DiesOnce(triage.drafter)
    raw = RawMessage("graph:mailbox:AAMk1", mail())
    with pytest.raises(WorkerKilledError):  # the queue worker's path: errors go back to the queue
        triage.triage_or_raise(raw)
    [ref] = ai_office.cases()  # filed and committed before the model was asked...
    assert ai_office.app.repo.get_draft(ref) is None  # ...and no draft yet
    retried = triage.triage_or_raise(raw)
    assert (retried.outcome, retried.case_ref) == ("duplicate", ref)
    draft = ai_office.app.repo.get_draft(ref)
    assert draft is not None and retried.draft_body == draft.body
    assert draft.sources[0] == "template:policy.txt.j2"  # the model wrote from the rule's choice
    [created] = [e for e in ai_office.app.repo.audit_entries(ref) if e.action == "draft.created"]
    assert created.detail["asked_for"] == "policy"  # the rule's choice, kept with case.opened
    again = triage.triage_or_raise(raw)  # a third delivery finds the draft written
    assert again.outcome == "duplicate" and ai_office.actions(ref, "draft.created") == 1
    assert len(ai_office.fake.requests) == 1
    assert ai_office.app.repo.quarantined() == []


def test_a_draft_that_dies_in_a_batch_leaves_the_letter_filed_not_quarantined(
    ai_office: AIOffice, caplog: pytest.LogCaptureFixture
) -> None:
    triage = ai_office.app.triage
    triage.drafter = DiesOnce(triage.drafter)
    raw = RawMessage("inbox/a.eml", mail())
    with caplog.at_level(logging.ERROR, logger="casedesk.triage"):
        first = triage.triage_one(raw)  # the CLI's path: the batch carries on
    assert first.outcome == "filed_new" and first.case_ref and first.draft_body is None
    [failed] = [r for r in caplog.records if getattr(r, "event", "") == "triage.draft_failed"]
    assert (
        failed.__dict__["case"] == first.case_ref
        and failed.__dict__["error"] == "WorkerKilledError"
    )
    assert ai_office.app.repo.quarantined() == []
    assert triage.triage_one(raw).outcome == "duplicate"  # triage it again: the draft is written
    assert ai_office.actions(first.case_ref, "draft.created") == 1


def test_a_template_drafter_drafts_inside_the_filing_so_a_failure_files_nothing(
    tmp_path: Path,
) -> None:
    app = build_app(load_settings({"data_dir": tmp_path / "data"}, environ={}))
    try:
        assert app.triage.drafter.calls_a_model is False
        app.triage.drafter = DiesOnce(app.triage.drafter)
        result = app.triage.triage_one(RawMessage("a.eml", mail()))
        assert result.outcome == "quarantined" and "WorkerKilledError" in (result.reason or "")
        assert app.repo.query_cases(CaseQuery(limit=10)) == []  # rolled back with the draft
        retried = app.triage.triage_one(RawMessage("a.eml", mail()))
        assert retried.outcome == "filed_new" and retried.draft_body
    finally:
        app.close()
