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


def test_m365_lists_every_missing_security_setting_at_once(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings({"data_dir": tmp_path}, environ={"CASEDESK_ADAPTERS": "m365"})
    message = str(err.value)
    for key in (
        "CASEDESK_TENANT_ID",
        "CASEDESK_CLIENT_ID",
        "CASEDESK_NOTIFICATION_URL",
        "CASEDESK_MAILBOXES",
        "CASEDESK_CLIENT_SECRET",
        "CASEDESK_STORAGE_CONNECTION_STRING",
        "CASEDESK_SHAREPOINT_SITE_ID",
        "CASEDESK_SHAREPOINT_DRIVE_ID",
    ):
        assert key in message
    assert "docs/m365-setup.md" in message


def test_m365_refuses_plain_http_webhooks_and_never_echoes_secrets(tmp_path: Path) -> None:
    env = {
        "CASEDESK_ADAPTERS": "m365",
        "CASEDESK_TENANT_ID": "t",
        "CASEDESK_CLIENT_ID": "c",
        "CASEDESK_CLIENT_SECRET": "super-secret-value",
        "CASEDESK_MAILBOXES": "a@example.org",
        "CASEDESK_NOTIFICATION_URL": "http://casedesk.example.org/api/notifications",
        "CASEDESK_LIFECYCLE_URL": "https://casedesk.example.org/api/lifecycle",
        "CASEDESK_STORAGE_CONNECTION_STRING": "AccountKey=also-secret",
        "CASEDESK_SHAREPOINT_SITE_ID": "contoso.sharepoint.com,site,web",
        "CASEDESK_SHAREPOINT_DRIVE_ID": "b!library",
    }
    with pytest.raises(SettingsError, match="CASEDESK_NOTIFICATION_URL must be https") as err:
        load_settings({"data_dir": tmp_path}, environ=env)
    assert "super-secret-value" not in str(err.value) and "also-secret" not in str(err.value)
    env["CASEDESK_NOTIFICATION_URL"] = "https://casedesk.example.org/api/notifications"
    settings = load_settings({"data_dir": tmp_path}, environ=env)
    assert settings.mailbox_list == ("a@example.org",)
    assert "super-secret-value" not in repr(settings)
