from __future__ import annotations

from pathlib import Path

import pytest

from casedesk.errors import SettingsError
from casedesk.settings import load_settings


def test_defaults_need_nothing() -> None:
    s = load_settings(environ={})
    assert s.adapters == "embedded" and s.data_dir == Path("casedesk-data")


def test_environment_overrides_and_options_override_environment(tmp_path: Path) -> None:
    env = {"CASEDESK_DATA_DIR": str(tmp_path / "env"), "CASEDESK_CAMPAIGN_MIN_SIZE": "5"}
    assert load_settings(environ=env).campaign_min_size == 5
    s = load_settings({"data_dir": tmp_path / "opt"}, environ=env)
    assert s.data_dir == tmp_path / "opt"


def test_unknown_environment_key_names_it_and_suggests_fix() -> None:
    with pytest.raises(
        SettingsError, match=r"CASEDESK_SAFTY_LEAD.*did you mean CASEDESK_SAFETY_LEAD"
    ):
        load_settings(environ={"CASEDESK_SAFTY_LEAD": "x"})


def test_bad_value_names_the_variable_and_rule() -> None:
    with pytest.raises(SettingsError, match=r"CASEDESK_CAMPAIGN_MIN_SIZE='one'.*integer"):
        load_settings(environ={"CASEDESK_CAMPAIGN_MIN_SIZE": "one"})


def test_settings_file_errors_name_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "casedesk.toml"
    path.write_text('office_adress = "x@example.org"\n')
    with pytest.raises(
        SettingsError,
        match=r"casedesk.toml: unknown key 'office_adress' \(did you mean 'office_address'\?\)",
    ):
        load_settings(environ={}, settings_file=path)
    path.write_text("campaign_threshold = 2.0\n")
    with pytest.raises(SettingsError, match=r"casedesk.toml: 'campaign_threshold'=2.0"):
        load_settings(environ={}, settings_file=path)


def test_m365_adapters_refuse_clearly_until_built(tmp_path: Path) -> None:
    from casedesk.bootstrap import build_app

    with pytest.raises(SettingsError, match="m365 is not available"):
        build_app(load_settings({"data_dir": tmp_path, "adapters": "m365"}, environ={}))
