"""Feature switches: optional features needing extra permissions are off until switched on,
and asking for one that is off is refused with the setting that turns it on."""

from __future__ import annotations

from pathlib import Path

import pytest

from casedesk import features
from casedesk.errors import CaseDeskError, SettingsError
from casedesk.features import FeatureOffError
from casedesk.settings import load_settings


def test_every_switch_is_off_in_default_settings() -> None:
    assert features.switched_on(load_settings(environ={})) == frozenset()


def test_require_refuses_naming_the_setting_and_passes_once_switched_on(tmp_path: Path) -> None:
    with pytest.raises(FeatureOffError, match=r"send_mail = true.*\[features\]"):
        features.require(load_settings(environ={}), "send_mail")
    toml = tmp_path / "casedesk.toml"
    toml.write_text("[features]\nsend_mail = true\n")
    features.require(load_settings(settings_file=toml, environ={}), "send_mail")


def test_the_environment_switches_features_on_by_name() -> None:
    settings = load_settings(environ={"CASEDESK_FEATURES": "send_mail"})
    assert features.enabled(settings, "send_mail")


def test_a_misspelt_switch_in_the_settings_file_is_named_with_the_fix(tmp_path: Path) -> None:
    toml = tmp_path / "casedesk.toml"
    toml.write_text("[features]\nsend_mial = true\n")
    with pytest.raises(SettingsError, match=r"unknown feature switch 'send_mial'.*'send_mail'"):
        load_settings(settings_file=toml, environ={})


def test_switches_on_other_settings_follow_them() -> None:
    settings = load_settings(
        {"classifier": "ai", "ai_base_url": "http://127.0.0.1:9/v1", "ai_model": "m"}, environ={}
    )
    assert features.switched_on(settings) == {"ai"}


def test_switch_lists_are_checked() -> None:
    assert features.parse_switches("send_mail, ai") == {"send_mail", "ai"}
    assert features.parse_switches("") == frozenset()
    assert features.parse_switches("all") == set(features.names())
    with pytest.raises(CaseDeskError, match="did you mean 'send_mail'"):
        features.parse_switches("sendmail")
