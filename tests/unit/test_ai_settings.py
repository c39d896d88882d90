"""The AI settings: off by default, complete when on, errors that name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.adapters.ai.config import AIConfig
from casedesk.errors import SettingsError
from casedesk.settings import load_settings

AZURE = {
    "CASEDESK_CLASSIFIER": "ai",
    "CASEDESK_AI_ENDPOINT": "https://office.openai.azure.com",
    "CASEDESK_AI_DEPLOYMENT": "gpt-4o-mini",
    "CASEDESK_AI_API_KEY": "key-that-must-never-be-shown",
}


def test_default_is_the_embedded_classifier_and_needs_nothing() -> None:
    s = load_settings(environ={})
    assert s.classifier == "embedded" and s.ai_endpoint is None and s.ai_base_url is None


def test_complete_azure_settings_load() -> None:
    s = load_settings(environ=AZURE)
    config = AIConfig.from_settings(s)
    assert config.is_azure and config.model == "gpt-4o-mini" and config.api_version
    assert config.retry.attempts == 3 and not config.prices.known


def test_ai_without_an_endpoint_names_both_keys_and_the_page() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(environ={"CASEDESK_CLASSIFIER": "ai"})
    message = str(err.value)
    assert "CASEDESK_AI_ENDPOINT" in message and "CASEDESK_AI_BASE_URL" in message
    assert "docs/ai-use.md" in message


def test_both_endpoints_at_once_is_refused() -> None:
    env = {**AZURE, "CASEDESK_AI_BASE_URL": "https://llm.office.example/v1"}
    with pytest.raises(SettingsError, match="exactly one of CASEDESK_AI_ENDPOINT"):
        load_settings(environ=env)


def test_azure_needs_a_deployment_and_one_way_to_authenticate() -> None:
    env = {
        k: v for k, v in AZURE.items() if k not in ("CASEDESK_AI_DEPLOYMENT", "CASEDESK_AI_API_KEY")
    }
    with pytest.raises(SettingsError) as err:
        load_settings(environ=env)
    message = str(err.value)
    assert "CASEDESK_AI_DEPLOYMENT is required" in message
    assert "CASEDESK_AI_API_KEY or CASEDESK_AI_USE_MANAGED_IDENTITY" in message
    with pytest.raises(SettingsError, match="set one of CASEDESK_AI_API_KEY"):
        load_settings(environ={**AZURE, "CASEDESK_AI_USE_MANAGED_IDENTITY": "true"})
    managed = {**env, "CASEDESK_AI_DEPLOYMENT": "d", "CASEDESK_AI_USE_MANAGED_IDENTITY": "true"}
    assert load_settings(environ=managed).ai_use_managed_identity


def test_openai_compatible_endpoint_needs_a_model_and_no_managed_identity() -> None:
    env = {"CASEDESK_CLASSIFIER": "ai", "CASEDESK_AI_BASE_URL": "https://llm.office.example/v1"}
    with pytest.raises(SettingsError, match="CASEDESK_AI_MODEL is required"):
        load_settings(environ=env)
    with pytest.raises(SettingsError, match="CASEDESK_AI_USE_MANAGED_IDENTITY works with"):
        load_settings(
            environ={**env, "CASEDESK_AI_MODEL": "m", "CASEDESK_AI_USE_MANAGED_IDENTITY": "1"}
        )
    s = load_settings(environ={**env, "CASEDESK_AI_MODEL": "llama-3.1-8b"})
    assert not AIConfig.from_settings(s).is_azure


@pytest.mark.parametrize(
    "url",
    [
        "http://office.openai.azure.com",
        "http://localhost.evil.example",
        "http://127.0.0.1.evil.example",
        "ftp://x",
        "office.openai.azure.com",
    ],
)
def test_constituent_text_never_goes_over_plain_http(url: str) -> None:
    with pytest.raises(SettingsError, match="CASEDESK_AI_ENDPOINT must be https"):
        load_settings(environ={**AZURE, "CASEDESK_AI_ENDPOINT": url})


def test_loopback_http_is_allowed_for_a_local_server() -> None:
    s = load_settings(environ={**AZURE, "CASEDESK_AI_ENDPOINT": "http://127.0.0.1:8080"})
    assert s.ai_endpoint == "http://127.0.0.1:8080"


def test_the_key_is_never_shown_in_errors_or_repr(tmp_path: Path) -> None:
    s = load_settings(environ=AZURE)
    assert "key-that-must-never-be-shown" not in repr(s)
    assert "key-that-must-never-be-shown" not in repr(AIConfig.from_settings(s))
    path = tmp_path / "casedesk.toml"
    path.write_text('classifier = "ai"\nai_api_key = 73915\n')  # not in any temp path
    with pytest.raises(SettingsError) as err:
        load_settings(environ={}, settings_file=path)
    assert "'ai_api_key'=***" in str(err.value) and "73915" not in str(err.value)


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("CASEDESK_AI_TIMEOUT_SECONDS", "0", "greater than 0"),
        ("CASEDESK_AI_MAX_ATTEMPTS", "0", "greater than or equal to 1"),
        ("CASEDESK_AI_PRICE_PROMPT_PER_1K", "-1", "greater than or equal to 0"),
    ],
)
def test_bad_numbers_name_the_variable_and_rule(key: str, value: str, rule: str) -> None:
    with pytest.raises(SettingsError, match=rf"{key}='{value}'.*{rule}"):
        load_settings(environ={**AZURE, key: value})


def test_unknown_ai_key_suggests_the_right_one() -> None:
    with pytest.raises(SettingsError, match="did you mean CASEDESK_AI_DEPLOYMENT"):
        load_settings(environ={"CASEDESK_AI_DEPLOYMNT": "x"})
