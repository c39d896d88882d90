"""Choosing the classifier: embedded and offline by default; with classifier = "ai", the model
in front and the embedded classifier behind it, and no SDK import until a message needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from casedesk.adapters.ai.openai_classifier import AzureOpenAIClassifier
from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.trained_classifier import TrainedClassifier
from casedesk.bootstrap import App, build_app
from casedesk.core.models import RawMessage
from casedesk.settings import load_settings
from mailmaker import mail
from openaifake import OpenAIFake

ROOT = Path(__file__).resolve().parents[2]


def _ai_settings(tmp_path: Path, fake: OpenAIFake, key: str) -> dict[str, object]:
    return {
        "data_dir": tmp_path / "data",
        "classifier": "ai",
        "ai_endpoint": fake.url,
        "ai_deployment": fake.deployments[0],
        "ai_api_key": key,
    }


def test_the_default_app_classifies_offline_with_the_embedded_model(app: App) -> None:
    assert isinstance(app.classifier, TrainedClassifier)
    assert app.settings.classifier == "embedded"


def test_building_an_ai_app_imports_no_sdk(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from casedesk.bootstrap import build_app\n"
        "from casedesk.settings import load_settings\n"
        f"s = load_settings({{'data_dir': {str(tmp_path)!r}, 'classifier': 'ai', "
        "'ai_endpoint': 'https://office.openai.azure.com', 'ai_deployment': 'd', "
        "'ai_api_key': 'k'}, environ={})\n"
        "app = build_app(s)\n"
        "print(type(app.classifier).__name__, type(app.classifier.fallback).__name__)\n"
        "print('openai' in sys.modules, 'azure.identity' in sys.modules)\n"
        "app.close()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split("\n")
    assert out[0] == "AzureOpenAIClassifier TrainedClassifier"
    assert out[1] == "False False"


def test_an_ai_app_files_cases_labelled_by_the_model(
    tmp_path: Path, clock: FixedClock, openai_fake: OpenAIFake
) -> None:
    app = build_app(
        load_settings(_ai_settings(tmp_path, openai_fake, openai_fake.api_key), environ={}), clock
    )
    try:
        assert isinstance(app.classifier, AzureOpenAIClassifier)
        ref = app.triage.triage_one(RawMessage("a.eml", mail(), None)).case_ref
        [stored] = app.repo.case_messages(ref or "")
        assert stored.classification.classifier == "ai:casedesk-gpt:classify.v2"
        assert app.classifier.usage.answers == 1
    finally:
        app.close()


def test_an_ai_app_still_files_every_message_when_the_model_refuses_it(
    tmp_path: Path, clock: FixedClock, openai_fake: OpenAIFake
) -> None:
    app = build_app(
        load_settings(_ai_settings(tmp_path, openai_fake, "revoked-key"), environ={}), clock
    )
    try:
        ref = app.triage.triage_one(RawMessage("a.eml", mail(), None)).case_ref
        [stored] = app.repo.case_messages(ref or "")
        assert stored.classification.classifier.startswith("ai-fallback:")
        assert stored.classification.reasons[0] == "AI unavailable: HTTP 401"
        assert len(openai_fake.requests) == 1  # a refused key is not retried
    finally:
        app.close()
