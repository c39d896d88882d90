"""The approval check reads the Outlook add-in's manifests: what they ask Outlook for must be
what approval/permissions.yaml requests, and the other way round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from casedesk.approval.addin_permissions import check_addin_permissions, read_addin_permissions
from casedesk.approval.check import check_manifest
from casedesk.approval.manifest import load_manifest
from casedesk.approval.scan import adapter_files, scan
from casedesk.entrypoints.cli import main

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "approval" / "permissions.yaml"
NAME = "approval/permissions.yaml"
XML = """<?xml version="1.0" encoding="UTF-8"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="MailApp">
  <Id>5f0c3b0e-8a52-4a4e-9d61-1f8c1e0a7b21</Id>
  <Permissions>{permission}</Permissions>
</OfficeApp>
"""


def addin_copy(tmp_path: Path, permission: str = "MailboxItem.ReadWrite.User") -> Path:
    """A root whose addin_manifest/ is the real one, asking for `permission`."""
    folder = tmp_path / "addin_manifest"
    folder.mkdir()
    data = json.loads((ROOT / "addin_manifest" / "manifest.json").read_text(encoding="utf-8"))
    data["authorization"]["permissions"]["resourceSpecific"][0]["name"] = permission
    (folder / "manifest.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    return tmp_path


def yaml_status(tmp_path: Path, status: str) -> Path:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    for permission in data["permissions"]:
        if permission["type"] == "add-in":
            permission["status"] = status
    path = tmp_path / "permissions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_shipped_add_in_manifest_and_permissions_yaml_agree() -> None:
    asked = read_addin_permissions(ROOT)
    assert [p.name for p in asked] == ["MailboxItem.ReadWrite.User"]
    assert asked[0].where.startswith("addin_manifest/manifest.json:")
    calls = scan(adapter_files(ROOT), ROOT)
    assert check_manifest(load_manifest(MANIFEST), calls, NAME, None, asked) == []


def test_a_permission_the_add_in_asks_for_but_the_yaml_only_plans_fails_at_the_manifest_line(
    tmp_path: Path,
) -> None:
    root = addin_copy(tmp_path)
    planned = load_manifest(yaml_status(tmp_path, "planned"))
    [problem] = check_addin_permissions(planned, read_addin_permissions(root), NAME)
    text = (root / "addin_manifest" / "manifest.json").read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(text, 1) if '"MailboxItem.ReadWrite.User"' in t)
    assert problem.where == f"addin_manifest/manifest.json:{line}"
    assert "planned, not requested" in problem.message and "Fix:" in problem.render()


def test_raising_the_add_in_to_the_whole_mailbox_is_drift_on_both_sides(tmp_path: Path) -> None:
    root = addin_copy(tmp_path, "Mailbox.ReadWrite.User")
    problems = check_addin_permissions(load_manifest(MANIFEST), read_addin_permissions(root), NAME)
    assert sorted(p.message for p in problems) == [
        "add-in permission MailboxItem.ReadWrite.User is requested but no add-in manifest in "
        "addin_manifest/ asks for it",
        f"the Outlook add-in asks for Mailbox.ReadWrite.User, which {NAME} does not declare",
    ]


def test_a_name_outlook_does_not_know_is_refused(tmp_path: Path) -> None:
    root = addin_copy(tmp_path, "MailboxItem.ReadWrite.Users")
    problems = check_addin_permissions(load_manifest(MANIFEST), read_addin_permissions(root), NAME)
    assert any("is not an Outlook add-in permission" in p.message for p in problems)


def test_an_xml_manifest_is_read_too_under_its_unified_name(tmp_path: Path) -> None:
    root = addin_copy(tmp_path)
    (root / "addin_manifest" / "outlook.xml").write_text(XML.format(permission="ReadWriteItem"))
    asked = read_addin_permissions(root)
    assert [(p.name, p.where) for p in asked][1] == (
        "MailboxItem.ReadWrite.User", "addin_manifest/outlook.xml:5"
    )
    assert check_addin_permissions(load_manifest(MANIFEST), asked, NAME) == []
    (root / "addin_manifest" / "outlook.xml").write_text(XML.format(permission="ReadWriteMailbox"))
    [problem] = check_addin_permissions(load_manifest(MANIFEST), read_addin_permissions(root), NAME)
    assert problem.where == "addin_manifest/outlook.xml:5" and "Mailbox.ReadWrite.User" in problem.message


def test_the_cli_check_reads_the_add_in_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = yaml_status(tmp_path, "planned")
    with pytest.raises(SystemExit) as exited:
        main(["approval-manifest", "--check", "--root", str(ROOT), "--manifest", str(path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "addin_manifest/manifest.json:" in err and "MailboxItem.ReadWrite.User" in err
