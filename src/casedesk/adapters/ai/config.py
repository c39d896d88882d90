"""Where the model is and how to reach it, from validated settings; no secrets in repr."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import SecretStr

from casedesk.adapters.ai.retry import RetryPolicy
from casedesk.adapters.ai.usage import Prices
from casedesk.settings import Settings

MAX_COMPLETION_TOKENS = 400  # the answer is ~100 tokens; a runaway answer is cut, then rejected


@dataclass(frozen=True)
class AIConfig:
    model: str  # the Azure deployment name, or the model name at base_url
    azure_endpoint: str | None = None
    base_url: str | None = None
    api_version: str = "2024-10-21"
    api_key: SecretStr | None = field(default=None, repr=False)
    use_managed_identity: bool = False
    timeout_seconds: float = 20.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    prices: Prices = field(default_factory=Prices)
    cache_threshold: float = 0.5

    @property
    def is_azure(self) -> bool:
        return self.azure_endpoint is not None

    @property
    def where(self) -> str:
        """The endpoint, for logs and reports (never a key)."""
        if self.azure_endpoint:
            return f"{self.azure_endpoint.rstrip('/')} (deployment {self.model})"
        return f"{(self.base_url or '').rstrip('/')} (model {self.model})"

    @property
    def longest_wait_seconds(self) -> float:
        """How long one message can take with the model, retries included."""
        attempts = self.retry.attempts
        return attempts * self.timeout_seconds + (attempts - 1) * self.retry.max_wait_seconds * 1.25

    @classmethod
    def from_settings(cls, settings: Settings) -> AIConfig:
        return cls(
            model=(settings.ai_deployment if settings.ai_endpoint else settings.ai_model) or "",
            azure_endpoint=settings.ai_endpoint,
            base_url=settings.ai_base_url,
            api_version=settings.ai_api_version,
            api_key=settings.ai_api_key,
            use_managed_identity=settings.ai_use_managed_identity,
            timeout_seconds=settings.ai_timeout_seconds,
            retry=RetryPolicy(attempts=settings.ai_max_attempts),
            prices=Prices(settings.ai_price_prompt_per_1k, settings.ai_price_completion_per_1k),
            cache_threshold=settings.campaign_threshold,
        )
