from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from azurite import azurite  # noqa: F401 - session fixture: Azurite for the storage tests
from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App, build_app
from casedesk.settings import load_settings
from openaifake import OpenAIFake

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def app(tmp_path: Path, clock: FixedClock) -> Iterator[App]:
    settings = load_settings(
        {"data_dir": tmp_path / "data", "safety_lead": "sam.safety"}, environ={}
    )
    built = build_app(settings, clock)
    yield built
    built.close()


@pytest.fixture
def openai_fake() -> Iterator[OpenAIFake]:
    """A local Chat Completions server (Azure and OpenAI-compatible paths); tests/openaifake."""
    with OpenAIFake() as fake:
        yield fake
