"""infra/ offline: every Bicep file parses (pycep-parser), modules exist, parameters are
documented and hold no secrets, and the settings the approval pack promises are in place.

This is not the Bicep CLI (not installable here): nothing is compiled or deployed."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pycep import BicepParser

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
FILES = sorted(INFRA.rglob("*.bicep"))
SECRET_NAMES = re.compile(r"secret|password|key$|connectionstring|token", re.IGNORECASE)
# Passed between modules, not filled in by an office. Microsoft does not treat the Application
# Insights connection string as a secret, and with local auth disabled it cannot ingest alone.
NOT_SECRETS = {"insightsConnectionString"}


@cache
def parsed(path: Path) -> dict[str, Any]:
    return dict(BicepParser().parse(file_path=path))


def text(name: str) -> str:
    return (INFRA / name).read_text(encoding="utf-8")


def test_there_is_a_main_template_and_modules() -> None:
    assert INFRA / "main.bicep" in FILES and len(FILES) >= 8


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bicep_file_parses(path: Path) -> None:
    assert parsed(path)


def test_every_module_main_uses_exists() -> None:
    modules = parsed(INFRA / "main.bicep")["modules"]
    for name, module in modules.items():
        assert (INFRA / module["detail"]["path"]).is_file(), name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_parameter_is_described_and_none_is_a_secret(path: Path) -> None:
    for name, param in parsed(path).get("parameters", {}).items():
        kinds = {d["type"] for d in param.get("decorators", [])}
        assert "description" in kinds, f"{path.name}: param {name} has no @description"
        assert "secure" not in kinds, f"{path.name}: param {name} is a secret"
        if name not in NOT_SECRETS:
            assert not SECRET_NAMES.search(name), f"{path.name}: param {name} looks like a secret"


def test_no_template_reads_keys_or_builds_key_connection_strings() -> None:
    for path in FILES:
        body = path.read_text(encoding="utf-8")
        assert "listKeys(" not in body and "AccountKey=" not in body, path.name


def test_example_parameters_name_only_real_parameters_and_no_secret() -> None:
    declared = set(parsed(INFRA / "main.bicep")["parameters"])
    used = re.findall(r"^param (\w+)", text("office.example.bicepparam"), re.MULTILINE)
    assert used and set(used) <= declared
    assert not any(SECRET_NAMES.search(name) for name in used)


def test_storage_allows_identity_only() -> None:
    storage = text("modules/storage.bicep")
    assert "allowSharedKeyAccess: false" in storage and "allowBlobPublicAccess: false" in storage
    assert "minimumTlsVersion: 'TLS1_2'" in storage


def test_application_insights_masks_ips_and_needs_entra() -> None:
    monitoring = text("modules/monitoring.bicep")
    assert "DisableIpMasking: false" in monitoring and "DisableLocalAuth: true" in monitoring
    assert "APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'" in text(
        "modules/appsettings.bicep"
    )


def test_ai_stays_in_uk_south_on_a_standard_regional_deployment_without_keys() -> None:
    openai = text("modules/openai.bicep")
    assert re.search(r"@allowed\(\[\s*'uksouth'\s*\]\)\s*param location", openai)
    assert re.search(r"sku: \{\s*name: 'Standard'", openai)
    assert "Global" not in re.sub(r"//.*", "", openai) and "DataZone" not in re.sub(r"//.*", "", openai)
    assert "disableLocalAuth: true" in openai
    assert re.search(r"@allowed\(\[\s*'uksouth'\s*\]\)\s*param location", text("main.bicep"))


def test_function_app_uses_flex_consumption_and_its_own_identity() -> None:
    app = text("modules/functionapp.bicep")
    assert "tier: 'FlexConsumption'" in app and "type: 'SystemAssigned'" in app
    assert "type: 'SystemAssignedIdentity'" in app and "httpsOnly: true" in app


def test_key_vault_uses_rbac_and_purge_protection() -> None:
    vault = text("modules/keyvault.bicep")
    assert "enableRbacAuthorization: true" in vault and "enablePurgeProtection: true" in vault
