"""The openai SDK client for an AIConfig: Azure OpenAI (key or Entra ID) or any
OpenAI-compatible endpoint. Imported only when the AI classifier is built; the SDK's own
retries are off (max_retries=0), so retry.py is the only retry layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casedesk.adapters.ai.config import AIConfig

# Entra ID scope for Azure OpenAI data-plane calls.
AZURE_OPENAI_SCOPE = "https://cognitiveservices.azure.com/.default"
NO_KEY = "no-key"  # an OpenAI-compatible server in the tenant may need none; the SDK wants one


def managed_identity_token_provider() -> Callable[[], str]:
    """Bearer tokens from the Function App's managed identity (AZURE_CLIENT_ID picks a
    user-assigned one), refreshed by azure-identity before they expire."""
    from azure.identity import ManagedIdentityCredential, get_bearer_token_provider

    provider: Callable[[], str] = get_bearer_token_provider(
        ManagedIdentityCredential(), AZURE_OPENAI_SCOPE
    )
    return provider


def make_client(config: AIConfig, token_provider: Callable[[], str] | None = None) -> Any:
    """token_provider stands in for the managed identity (tests give a local one)."""
    import openai

    common: dict[str, Any] = {"timeout": config.timeout_seconds, "max_retries": 0}
    key = config.api_key.get_secret_value() if config.api_key else None
    if config.azure_endpoint:
        auth: dict[str, Any] = (
            {"api_key": key}
            if key
            else {"azure_ad_token_provider": token_provider or managed_identity_token_provider()}
        )
        return openai.AzureOpenAI(
            azure_endpoint=config.azure_endpoint,
            azure_deployment=config.model,
            api_version=config.api_version,
            **auth,
            **common,
        )
    return openai.OpenAI(base_url=config.base_url, api_key=key or NO_KEY, **common)
