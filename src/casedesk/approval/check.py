"""Does approval/permissions.yaml say exactly what the adapters do?

Fails, naming the call site or the manifest line, when
- an adapter calls an endpoint the manifest does not list (or lists under another API),
- a listed endpoint needs a permission the manifest does not request,
- the manifest lists an endpoint nothing calls, or requests a permission no call needs,
- infra/ assigns an Azure role the manifest does not request, or the other way round.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from casedesk.approval.manifest import Manifest, Permission
from casedesk.approval.scan import CallSite

if TYPE_CHECKING:
    from casedesk.approval.addin_permissions import AddinPermission

_ROLE_GUID = re.compile(
    r"roleDefinitions'\s*,\s*'([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'"
)


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    fix: str

    def render(self) -> str:
        return f"{self.where}: {self.message}. Fix: {self.fix}"


def check_manifest(
    manifest: Manifest,
    calls: list[CallSite],
    manifest_name: str = "approval/permissions.yaml",
    bicep_roles: dict[str, list[str]] | None = None,
    addin: list[AddinPermission] | None = None,
) -> list[Problem]:
    """Every disagreement between the manifest, the code's calls and (optionally) the
    Azure role assignments in infra/ (role GUID -> the Bicep files assigning it) and the
    Outlook add-in's manifests (addin_permissions.read_addin_permissions)."""
    problems = _consistency(manifest, manifest_name)
    if addin is not None:
        from casedesk.approval.addin_permissions import check_addin_permissions

        problems += check_addin_permissions(manifest, addin, manifest_name)

    def at(line: int) -> str:
        return f"{manifest_name} line {line}"

    endpoints = {e.call: e for e in manifest.endpoints}
    by_endpoint: dict[str, list[CallSite]] = defaultdict(list)
    for call in calls:
        by_endpoint[call.endpoint].append(call)
        declared = endpoints.get(call.endpoint)
        if declared is None:
            problems.append(
                Problem(
                    call.where,
                    f"{call.api} call `{call.endpoint}` (in {call.function}) is not declared in "
                    f"{manifest_name}",
                    "add it under `endpoints:` with the permission that covers it and the "
                    "Microsoft page that says so",
                )
            )
        elif declared.api != call.api:
            problems.append(
                Problem(
                    call.where,
                    f"`{call.endpoint}` is a {call.api} call but {at(declared.line)} "
                    f"lists it under {declared.api}",
                    f"set its api to {call.api}",
                )
            )
    for endpoint in manifest.endpoints:
        sites = by_endpoint.get(endpoint.call, [])
        if not sites:
            problems.append(
                Problem(
                    at(endpoint.line),
                    f"endpoint `{endpoint.call}` is declared but no adapter calls it",
                    "remove it (and any permission only it needed)",
                )
            )
        for permission_id in endpoint.permissions:
            permission = manifest.permission(permission_id)
            if permission is not None and permission.is_requested:
                continue
            state = "does not declare" if permission is None else "marks as planned, not requested"
            for where in [s.where for s in sites] or [at(endpoint.line)]:
                problems.append(
                    Problem(
                        where,
                        f"`{endpoint.call}` needs permission '{permission_id}', which "
                        f"{manifest_name} {state}",
                        "declare it as requested (with why, alternatives and source), or stop "
                        "making the call",
                    )
                )
    used = {p for e in manifest.endpoints if by_endpoint.get(e.call) for p in e.permissions}
    for permission in manifest.permissions:
        if permission.is_requested and permission.evidence == "code" and permission.id not in used:
            problems.append(
                Problem(
                    at(permission.line),
                    f"permission {permission.name} ('{permission.id}') is requested but no "
                    "adapter call needs it",
                    "remove it, or mark it `status: planned` until the feature that needs it "
                    "is built",
                )
            )
    if bicep_roles is not None:
        problems += _roles(manifest, bicep_roles, manifest_name)
    return problems


def _consistency(manifest: Manifest, manifest_name: str) -> list[Problem]:
    """References inside the manifest point at things it declares."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for permission in manifest.permissions:
        where = f"{manifest_name} line {permission.line}"
        if permission.id in seen:
            problems.append(
                Problem(where, f"permission id '{permission.id}' is used twice", "rename one")
            )
        seen.add(permission.id)
        for feature in permission.features:
            if manifest.feature(feature) is None:
                problems.append(
                    Problem(where, f"unknown feature '{feature}'", "add it under `features:`")
                )
        if permission.evidence == "narrows" and (
            permission.narrows is None or manifest.permission(permission.narrows) is None
        ):
            problems.append(
                Problem(
                    where,
                    f"'{permission.id}' narrows an unknown permission",
                    "name its id in `narrows:`",
                )
            )
        if permission.evidence == "platform" and not permission.platform_use:
            problems.append(
                Problem(where, f"'{permission.id}' has no platform_use", "say what uses it")
            )
        problems += _switch_problems(manifest, permission, where)
        if permission.type == "azure-rbac" and not permission.role_id:
            problems.append(
                Problem(where, f"'{permission.id}' has no role_id", "add the built-in role's GUID")
            )
    for item in manifest.features:
        if item.switch is None:
            if not item.switch_off:
                problems.append(
                    Problem(
                        f"{manifest_name} line {item.line}",
                        f"feature '{item.id}' says neither how to switch it off nor its switch",
                        "add `switch_off:` text, or `switch:` naming its feature switch",
                    )
                )
            continue
        problems += _unknown_switch(item.switch, f"{manifest_name} line {item.line}")
        if item.default != "off":
            problems.append(
                Problem(
                    f"{manifest_name} line {item.line}",
                    f"feature '{item.id}' has switch '{item.switch}' but default 'on'",
                    "switched features are off until an office turns them on: set `default: off`",
                )
            )
    calls: set[str] = set()
    for endpoint in manifest.endpoints:
        where = f"{manifest_name} line {endpoint.line}"
        if endpoint.call in calls:
            problems.append(
                Problem(where, f"endpoint `{endpoint.call}` is listed twice", "merge them")
            )
        calls.add(endpoint.call)
        if manifest.feature(endpoint.feature) is None:
            problems.append(
                Problem(where, f"unknown feature '{endpoint.feature}'", "add it under `features:`")
            )
        owner = manifest.feature(endpoint.feature)
        for permission_id in endpoint.permissions:
            needed = manifest.permission(permission_id)
            if needed is None or needed.feature is None or owner is None:
                continue
            if _unknown_switch(needed.feature, where):
                continue  # reported once, at the permission
            if owner.switch != needed.feature:
                problems.append(
                    Problem(
                        where,
                        f"`{endpoint.call}` is part of '{owner.id}', which switch "
                        f"'{needed.feature}' does not control, yet needs {needed.name}, which is "
                        f"only requested when '{needed.feature}' is on",
                        f"move the call under a feature with `switch: {needed.feature}`, or "
                        f"remove `feature:` from '{needed.id}'",
                    )
                )
        if not endpoint.permissions and not endpoint.no_permission_because:
            problems.append(
                Problem(
                    where,
                    f"`{endpoint.call}` names no permission",
                    "name one, or say why none is needed in `no_permission_because`",
                )
            )
    return problems


def _roles(
    manifest: Manifest, bicep_roles: dict[str, list[str]], manifest_name: str
) -> list[Problem]:
    problems: list[Problem] = []
    requested = {
        p.role_id: p
        for p in manifest.permissions
        if p.type == "azure-rbac" and p.is_requested and p.role_id
    }
    for role_id, files in sorted(bicep_roles.items()):
        if role_id not in requested:
            problems.append(
                Problem(
                    files[0],
                    f"assigns Azure role {role_id}, which {manifest_name} does not request",
                    "add it as an azure-rbac permission with its reason, or remove the assignment",
                )
            )
    for role_id, permission in requested.items():
        if role_id not in bicep_roles:
            problems.append(
                Problem(
                    f"{manifest_name} line {permission.line}",
                    f"Azure role {permission.name} is requested but infra/ never assigns it",
                    "assign it in infra/ (least scope), or remove it from the manifest",
                )
            )
    return problems


def bicep_role_ids(infra: Path, base: Path) -> dict[str, list[str]]:
    """Role definition GUIDs assigned in infra/*.bicep (`roleDefinitions', '<guid>'`)."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(infra.rglob("*.bicep")):
        text = path.read_text(encoding="utf-8")
        for match in _ROLE_GUID.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found[match.group(1)].append(f"{path.relative_to(base).as_posix()}:{line}")
    return dict(found)


def _unknown_switch(name: str, where: str) -> list[Problem]:
    from casedesk.features import names

    if name in names():
        return []
    return [
        Problem(
            where,
            f"unknown feature switch '{name}'",
            f"use one of {', '.join(names())} (src/casedesk/features.py), or add the switch there",
        )
    ]


def _switch_problems(manifest: Manifest, permission: Permission, where: str) -> list[Problem]:
    """A permission's `feature:` names a real switch, one of its features is turned on by that
    switch, and a permission narrowing another is tied to the same switch."""
    if permission.evidence == "narrows" and permission.narrows:
        narrowed = manifest.permission(permission.narrows)
        if narrowed is not None and narrowed.feature != permission.feature:
            return [
                Problem(
                    where,
                    f"'{permission.id}' narrows '{narrowed.id}' but has feature "
                    f"{permission.feature!r} where it has {narrowed.feature!r}",
                    f"set `feature: {narrowed.feature}`"
                    if narrowed.feature
                    else "remove `feature:`",
                )
            ]
    if permission.feature is None:
        return []
    unknown = _unknown_switch(permission.feature, where)
    if unknown:
        return unknown
    switched = [
        f
        for f in permission.features
        if (m := manifest.feature(f)) and m.switch == permission.feature
    ]
    if not switched:
        return [
            Problem(
                where,
                f"'{permission.id}' is tied to switch '{permission.feature}' but none of its "
                f"features ({', '.join(permission.features)}) is turned on by it",
                f"give the feature that needs it `switch: {permission.feature}`",
            )
        ]
    return []
