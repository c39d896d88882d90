"""Do the Outlook add-in's manifests ask for exactly the add-in permissions
approval/permissions.yaml requests?

The add-in's permission is not a call in the adapters: Outlook grants it from the manifest
when the app is installed. So the check reads the manifests themselves:

- the unified manifest (addin_manifest/manifest.json):
  `authorization.permissions.resourceSpecific[].name`, e.g. `MailboxItem.ReadWrite.User`;
- any add-in-only XML manifest (addin_manifest/*.xml): `<Permissions>` (`ReadItem`, ...),
  under the unified name Microsoft maps it to
  (https://learn.microsoft.com/office/dev/add-ins/develop/json-manifest-overview).

Every permission a manifest asks for must be one of Outlook's and a requested `type: add-in`
permission in permissions.yaml, and every requested add-in permission must be asked for by a
manifest. (Teams resource-specific permissions in the same list belong to the bot.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from casedesk.approval.check import Problem
from casedesk.approval.manifest import Manifest

ADDIN_MANIFEST_DIR = "addin_manifest"
# The XML manifest's <Permissions> values and their unified-manifest names
# (https://learn.microsoft.com/office/dev/add-ins/outlook/understanding-outlook-add-in-permissions).
XML_TO_UNIFIED = {
    "Restricted": "MailboxItem.Restricted.User",
    "ReadItem": "MailboxItem.Read.User",
    "ReadWriteItem": "MailboxItem.ReadWrite.User",
    "ReadWriteMailbox": "Mailbox.ReadWrite.User",
}
_OFFICE_APP = "{http://schemas.microsoft.com/office/appforoffice/1.1}"


@dataclass(frozen=True)
class AddinPermission:
    name: str  # the unified manifest's name
    where: str  # file:line that asks for it


def _line(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def read_addin_permissions(root: Path, folder: str = ADDIN_MANIFEST_DIR) -> list[AddinPermission]:
    """What the add-in's manifests under `root/folder` ask Outlook for."""
    found: list[AddinPermission] = []
    base = root / folder
    unified = base / "manifest.json"
    if unified.is_file():
        text = unified.read_text(encoding="utf-8")
        rel = unified.relative_to(root).as_posix()
        authorization = json.loads(text).get("authorization") or {}
        for entry in (authorization.get("permissions") or {}).get("resourceSpecific") or []:
            name = str(entry.get("name", ""))
            if not name.startswith("Mailbox"):
                continue  # a Teams resource-specific permission (the bot's), not the add-in's
            found.append(AddinPermission(name, f"{rel}:{_line(text, json.dumps(name))}"))
    for xml in sorted(base.glob("*.xml")):
        text = xml.read_text(encoding="utf-8")
        rel = xml.relative_to(root).as_posix()
        element = ElementTree.fromstring(text).find(f"{_OFFICE_APP}Permissions")  # noqa: S314 (our own repository file)
        if element is not None and element.text:
            value = element.text.strip()
            name = XML_TO_UNIFIED.get(value, f"(XML) {value}")
            found.append(AddinPermission(name, f"{rel}:{_line(text, '<Permissions>')}"))
    return found


def check_addin_permissions(
    manifest: Manifest, asked: list[AddinPermission], manifest_name: str
) -> list[Problem]:
    """Drift between the add-in's manifests and permissions.yaml's add-in permissions."""
    declared = {p.name: p for p in manifest.permissions if p.type == "add-in"}
    problems: list[Problem] = []
    for permission in asked:
        entry = declared.get(permission.name)
        if permission.name not in XML_TO_UNIFIED.values():
            problems.append(
                Problem(
                    permission.where,
                    f"{permission.name} is not an Outlook add-in permission",
                    f"use one of {', '.join(XML_TO_UNIFIED.values())}",
                )
            )
        elif entry is None or not entry.is_requested:
            state = "does not declare" if entry is None else "marks as planned, not requested"
            problems.append(
                Problem(
                    permission.where,
                    f"the Outlook add-in asks for {permission.name}, which {manifest_name} {state}",
                    "declare it there as a requested `type: add-in` permission (with why and "
                    "the alternatives), or lower the add-in manifest's permission",
                )
            )
    names = {p.name for p in asked}
    for entry in declared.values():
        if entry.is_requested and entry.name not in names:
            problems.append(
                Problem(
                    f"{manifest_name} line {entry.line}",
                    f"add-in permission {entry.name} is requested but no add-in manifest in "
                    f"{ADDIN_MANIFEST_DIR}/ asks for it",
                    "match the manifest's permission, or mark this one `status: planned`",
                )
            )
    return problems
