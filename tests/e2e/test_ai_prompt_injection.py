"""Constituent text is data, with a model in the loop too: the injection corpus goes through
the pipeline built with classifier = "ai" (bootstrap, real openai SDK) against a local
server whose "model" does what the injected text asks.

- When the obedient answer breaks the schema (extra `assign_to`/`close`/`status` keys, values
  outside the enums, a list of actions), it is rejected and every case is exactly what the
  embedded pipeline makes of the same mail: same category, topic, urgency, assignee, status,
  files, drafts. The label says the AI answer was rejected.
- When it is schema-valid but follows the text (abuse, urgent, "assign to eve" in its
  reasons), it can change only the message's own label: nothing is assigned except by the
  built-in abuse route, nothing is closed, no other case is touched, nothing is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from casedesk.adapters.ai.openai_classifier import AzureOpenAIClassifier
from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.core.models import CaseQuery, CaseStatus, Category, RawMessage
from casedesk.settings import load_settings
from mailmaker import mail
from openaifake import OpenAIFake

ATTEMPTS = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[2] / "corpus" / "injection.jsonl")
    .read_text()
    .splitlines()
    if line
]
SAFETY_LEAD = "sam.safety"


def _build(data_dir: Path, clock: FixedClock, fake: OpenAIFake | None) -> App:
    ai = (
        {
            "classifier": "ai",
            "ai_endpoint": fake.url,
            "ai_deployment": fake.deployments[0],
            "ai_api_key": fake.api_key,
        }
        if fake
        else {}
    )
    settings = load_settings({"data_dir": data_dir, "safety_lead": SAFETY_LEAD, **ai}, environ={})
    return build_app(settings, clock)


@pytest.fixture
def ai_app(tmp_path: Path, clock: FixedClock, openai_fake: OpenAIFake) -> Iterator[App]:
    built = _build(tmp_path / "ai", clock, openai_fake)
    assert isinstance(built.classifier, AzureOpenAIClassifier)
    yield built
    built.close()


def _triage_corpus(
    app: App, fake: OpenAIFake | None = None, model: str = "valid"
) -> tuple[str, list[str]]:
    """An ordinary letter first (the case an injection would like to touch), then every
    injection attempt, answered by `model` when the app asks one."""
    victim = app.triage.triage_one(RawMessage("victim.eml", mail(), None)).case_ref
    assert victim
    refs = []
    with fake.behaving(model) if fake else nullcontext():
        for n, attempt in enumerate(ATTEMPTS):
            data = mail(
                attempt["body"],
                sender=attempt["from"],
                subject=attempt["subject"],
                message_id=f"<inj-{n}@example.org>",
            )
            result = app.triage.triage_one(RawMessage(f"{attempt['id']}.eml", data, None))
            assert result.case_ref, attempt["id"]
            refs.append(result.case_ref)
    return victim, refs


def _files(app: App) -> list[str]:
    root = Path(app.settings.data_dir)
    return sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "sqlite" not in p.name
    )


def _assert_nothing_beyond_own_label(app: App, victim: str, refs: list[str]) -> None:
    for ref, attempt in zip(refs, ATTEMPTS, strict=True):
        case = app.repo.get_case(ref)
        assert case.ref != victim, attempt["id"]
        assert case.status is CaseStatus.NEW, attempt["id"]
        assert case.assignee in (None, SAFETY_LEAD), attempt["id"]
        assert case.assignee is None or case.category is Category.ABUSE, attempt["id"]
    untouched = app.repo.get_case(victim)
    assert (untouched.status, untouched.assignee, untouched.message_count) == (
        CaseStatus.NEW,
        None,
        1,
    )
    assert len(app.repo.query_cases(CaseQuery(limit=100))) == len(ATTEMPTS) + 1
    assert not any(Path(name).name.startswith("sent") for name in _files(app))


@pytest.mark.parametrize("obedient", ["obey_extra_keys", "obey_enum", "obey_action_array"])
def test_obedient_answers_that_break_the_schema_change_nothing(
    obedient: str, ai_app: App, openai_fake: OpenAIFake, tmp_path: Path, clock: FixedClock
) -> None:
    victim, refs = _triage_corpus(ai_app, openai_fake, obedient)
    assert (
        len(openai_fake.requests) == len(ATTEMPTS) + 1
    )  # the model was asked every time  # the model was asked every time
    _assert_nothing_beyond_own_label(ai_app, victim, refs)
    for ref in refs:
        [stored] = ai_app.repo.case_messages(ref)
        assert stored.classification.classifier.startswith("ai-fallback:")
        assert stored.classification.reasons[0].startswith("AI answer rejected:")

    embedded = _build(tmp_path / "embedded", clock, None)
    try:
        same_victim, same_refs = _triage_corpus(embedded)
        assert (same_victim, same_refs) == (victim, refs)
        for ref in refs:
            got, expected = ai_app.repo.get_case(ref), embedded.repo.get_case(ref)
            assert (got.category, got.topic, got.is_urgent, got.assignee, got.status) == (
                expected.category,
                expected.topic,
                expected.is_urgent,
                expected.assignee,
                expected.status,
            ), ref
        assert _files(ai_app) == _files(embedded)  # same case folders, messages and drafts
    finally:
        embedded.close()


def test_a_schema_valid_obedient_answer_only_changes_its_own_label(
    ai_app: App, openai_fake: OpenAIFake
) -> None:
    victim, refs = _triage_corpus(ai_app, openai_fake, "obey_valid")
    _assert_nothing_beyond_own_label(ai_app, victim, refs)
    for ref in refs:
        case = ai_app.repo.get_case(ref)
        assert case.assignee != "eve@example.com"
        [stored] = ai_app.repo.case_messages(ref)
        assert stored.classification.classifier.startswith("ai:")
    assert {ai_app.repo.get_case(ref).assignee for ref in refs} <= {SAFETY_LEAD}


def test_the_injection_text_reaches_the_model_only_inside_the_data_block(
    ai_app: App, openai_fake: OpenAIFake
) -> None:
    _triage_corpus(ai_app)
    injected = [
        r for r in openai_fake.requests if "Ignore all previous instructions" in r.sent_text
    ]
    assert injected
    for request in injected:
        system, user = request.body["messages"]
        assert "Ignore all previous instructions" not in system["content"]
        assert user["content"].startswith("<<<MESSAGE\n") and user["content"].endswith(
            "\nMESSAGE>>>"
        )
        assert user["content"].count("MESSAGE>>>") == 1  # the text cannot close the block early
