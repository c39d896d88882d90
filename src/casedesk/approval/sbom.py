"""A CycloneDX 1.5 SBOM of what CaseDesk runs with, and the licences.

The components are casedesk's runtime dependency closure as installed in this environment
(importlib.metadata; extras and dev tools excluded, environment markers evaluated). There is no
Python lock file in the repository, so this is the set pip resolved from pyproject.toml here;
`make package` resolves again when it builds the Functions zip, and could differ.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageNotFoundError, distribution
from typing import Any

ROOT = "casedesk"
_LICENSE_CLASSIFIER = re.compile(r"^License :: (?:OSI Approved :: )?(.+)$")


@dataclass(frozen=True)
class Component:
    name: str
    version: str
    licence: str
    requires: tuple[str, ...]

    @property
    def purl(self) -> str:
        return f"pkg:pypi/{_normal(self.name)}@{self.version}"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _licence(dist: Distribution) -> str:
    meta: Any = dist.metadata  # an email.message.Message underneath; PackageMetadata lacks .get
    expression = meta.get("License-Expression")
    if expression:
        return str(expression)
    classifiers = [
        m.group(1)
        for c in meta.get_all("Classifier") or []
        if (m := _LICENSE_CLASSIFIER.match(c)) and m.group(1) != "OSI Approved"
    ]
    if classifiers:
        return "; ".join(sorted(set(classifiers)))
    text = (meta.get("License") or "").strip()
    return text if text and len(text) <= 80 and "\n" not in text else "see package metadata"


def runtime_closure(root: str = ROOT) -> list[Component]:
    """root and everything it needs at run time, sorted by name."""
    from packaging.requirements import Requirement

    found: dict[str, Component] = {}
    todo = [root]
    while todo:
        name = _normal(todo.pop())
        if name in found:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        needs = []
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            needs.append(_normal(req.name))
        found[name] = Component(dist.metadata["Name"], dist.version, _licence(dist), tuple(needs))
        todo.extend(needs)
    return sorted(found.values(), key=lambda c: _normal(c.name))


def cyclonedx(components: list[Component], timestamp: str) -> dict[str, Any]:
    """The BOM as CycloneDX 1.5 JSON data (root component in metadata, the rest as libraries)."""
    root = next(c for c in components if _normal(c.name) == ROOT)
    others = [c for c in components if c is not root]
    known = {_normal(c.name): c.purl for c in components}
    identity = ",".join(c.purl for c in components)

    def entry(c: Component, kind: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": kind,
            "bom-ref": c.purl,
            "name": c.name,
            "version": c.version,
            "purl": c.purl,
        }
        if c.licence != "see package metadata":
            data["licenses"] = [{"license": {"name": c.licence}}]
        return data

    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, identity)}",
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {"components": [{"type": "application", "name": "casedesk approval-manifest"}]},
            "component": entry(root, "application"),
        },
        "components": [entry(c, "library") for c in others],
        "dependencies": [
            {"ref": c.purl, "dependsOn": sorted({known[r] for r in c.requires if r in known})}
            for c in components
        ],
    }
