"""CaseDesk's AI classifier pointed at a running OpenAIFake, with retries that record their
waits instead of sleeping (so tests are quick and can check the waits)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from casedesk.adapters.ai.config import AIConfig
from casedesk.adapters.ai.drafter import AIDrafter
from casedesk.adapters.ai.openai_classifier import AzureOpenAIClassifier
from casedesk.adapters.ai.retry import RetryPolicy
from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter
from casedesk.adapters.embedded.trained_classifier import TrainedClassifier
from casedesk.ports import CaseRepository, Clock

from .server import OpenAIFake


class RecordedSleeps(list[float]):
    """A RetryPolicy sleep that remembers how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def ai_config(fake: OpenAIFake, mode: str = "azure", **changes: Any) -> AIConfig:
    retry = RetryPolicy(attempts=3, base_seconds=0.5, max_wait_seconds=30, sleep=RecordedSleeps())
    common: dict[str, Any] = {"api_key": SecretStr(fake.api_key), "retry": retry}
    if mode == "azure":
        config = AIConfig(model=fake.deployments[0], azure_endpoint=fake.url, **common)
    else:
        config = AIConfig(model="office-llm", base_url=fake.base_url, **common)
    return replace(config, **changes)


def ai_classifier(
    fake: OpenAIFake,
    mode: str = "azure",
    token_provider: Callable[[], str] | None = None,
    **changes: Any,
) -> AzureOpenAIClassifier:
    """token_provider stands in for the managed identity (Entra ID bearer tokens)."""
    return AzureOpenAIClassifier(
        ai_config(fake, mode, **changes),
        TrainedClassifier.from_file(),
        token_provider=token_provider,
    )


def sleeps_of(classifier: AzureOpenAIClassifier | AIDrafter) -> RecordedSleeps:
    sleep = classifier.config.retry.sleep
    assert isinstance(sleep, RecordedSleeps)
    return sleep


def ai_drafter(
    fake: OpenAIFake,
    templates: JinjaDrafter,
    repo: CaseRepository,
    clock: Clock,
    policy_folder: Path,
    **changes: Any,
) -> AIDrafter:
    """CaseDesk's AI drafter pointed at the fake (Azure shape), retries recording their waits."""
    return AIDrafter(ai_config(fake, **changes), templates, repo, clock, policy_folder)
