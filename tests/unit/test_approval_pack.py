"""The approval pack renders every section a PDS reviewer needs, offline, with a valid SBOM."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from casedesk.approval.manifest import load_manifest
from casedesk.approval.pack import build_pack, security_results
from casedesk.approval.sbom import cyclonedx, runtime_closure
from casedesk.approval.scan import adapter_files, scan

ROOT = Path(__file__).resolve().parents[2]
JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="3">
<testcase classname="tests.unit.test_ai_redact" name="test_a"/>
<testcase classname="tests.unit.test_ai_redact" name="test_b"/>
<testcase classname="tests.e2e.test_webhooks_http" name="test_c"><failure message="x"/></testcase>
</testsuite></testsuites>"""


def test_sbom_is_valid_cyclonedx_1_5_with_casedesk_as_the_application() -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    bom = cyclonedx(runtime_closure(), "2026-11-23T09:00:00Z")
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(json.dumps(bom)) is None
    assert bom["metadata"]["component"]["name"] == "casedesk"
    names = {c["name"].lower() for c in bom["components"]}
    assert {"msgraph-sdk", "openai", "azure-storage-queue", "pydantic"} <= names
    assert "pytest" not in names and "ruff" not in names  # dev tools are not shipped


def test_security_results_count_each_listed_file_from_the_junit_report(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT, encoding="utf-8")
    results = {r.path: r for r in security_results(ROOT / "approval/security-tests.yaml", junit)}
    assert results["tests/unit/test_ai_redact.py"].passed == 2
    assert results["tests/unit/test_ai_redact.py"].outcome == "passed"
    assert results["tests/e2e/test_webhooks_http.py"].outcome == "failed"
    assert results["tests/unit/test_settings.py"].outcome == "not run"


def test_pack_is_one_self_contained_html_file_with_every_section(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT, encoding="utf-8")
    manifest = load_manifest(ROOT / "approval/permissions.yaml")
    calls = scan(adapter_files(ROOT), ROOT)
    tests = security_results(ROOT / "approval/security-tests.yaml", junit)
    html_path, sbom_path = build_pack(
        manifest, calls, ROOT / "approval/pack.yaml", tests, tmp_path / "pack",
        now=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )  # fmt: skip
    html = html_path.read_text(encoding="utf-8")
    for anchor in ("purpose", "components", "permissions", "features", "endpoints", "ai",
                   "identities", "logging", "tests", "sbom", "limits"):  # fmt: skip
        assert f'id="{anchor}"' in html
    assert "<svg" in html and "<script" not in html and "<link" not in html
    assert "Mail.ReadWrite" in html and "Sites.Selected" in html and "Mail.Send" in html
    assert "only narrows access once no tenant-wide consent" in html
    assert "src/casedesk/adapters/m365/graph_mailbox.py:" in html
    assert "UK South" in html and "abuse monitoring" in html
    assert json.loads(sbom_path.read_text())["specVersion"] == "1.5"


def _section(html: str, anchor: str) -> str:
    """The text of one <h2 id=anchor> section up to the next <h2>."""
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("<h2", start)]


def render_pack(tmp_path: Path, switches_on: frozenset[str]) -> str:
    manifest = load_manifest(ROOT / "approval/permissions.yaml")
    calls = scan(adapter_files(ROOT), ROOT)
    tests = security_results(ROOT / "approval/security-tests.yaml", None)
    html_path, _ = build_pack(
        manifest, calls, ROOT / "approval/pack.yaml", tests, tmp_path / "pack",
        now=datetime(2026, 11, 23, 9, tzinfo=UTC), switches_on=switches_on,
    )  # fmt: skip
    return html_path.read_text(encoding="utf-8")


def test_the_pack_lists_mail_send_only_when_send_mail_is_switched_on(tmp_path: Path) -> None:
    listed = "<td><strong>{}</strong>"  # a row of the permission table (not an alternative)
    default = render_pack(tmp_path / "off", frozenset())
    asks = default[default.index('id="asks"') : default.index("</ul>", default.index('id="asks"'))]
    assert "<strong>Mail.Send</strong>" not in asks
    assert listed.format("Mail.Send") not in _section(default, "permissions")
    assert listed.format("Mail.ReadWrite") in _section(default, "permissions")
    assert "switch <code>send_mail</code> is off" in _section(default, "endpoints")
    assert listed.format("Cognitive Services OpenAI User") not in default

    on = render_pack(tmp_path / "on", frozenset({"send_mail"}))
    asks = on[on.index('id="asks"') : on.index("</ul>", on.index('id="asks"'))]
    assert "<strong>Mail.Send</strong>" in asks
    assert listed.format("Mail.Send") in _section(on, "permissions")
    assert listed.format("Application Mail.Send") in _section(on, "permissions")
    assert listed.format("Cognitive Services OpenAI User") not in on  # ai is still off


def test_how_to_switch_each_feature_off_comes_from_the_switches(tmp_path: Path) -> None:
    from casedesk.features import SWITCHES

    section = _section(render_pack(tmp_path, frozenset()), "features")
    for switch in SWITCHES:
        assert f"<code>{switch.name}</code>" in section
    assert "<code>send_mail = false</code> under <code>[features]</code>" in section
    assert "`" not in section  # the manifest's `code` is shown as code, not as backticks
    assert "then withdraw Mail.Send, Application Mail.Send" in section
