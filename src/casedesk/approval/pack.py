"""The approval pack: one self-contained HTML file (Jinja2, no network, no scripts) and the
CycloneDX SBOM beside it, from the manifest, approval/pack.yaml, the code scan and the
security tests' JUnit report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from casedesk.approval.manifest import Manifest
from casedesk.approval.sbom import cyclonedx, runtime_closure
from casedesk.approval.scan import CallSite
from casedesk.errors import CaseDeskError

PACK_HTML = "casedesk-approval-pack.html"
SBOM_JSON = "casedesk-sbom.cdx.json"


@dataclass(frozen=True)
class TestFile:
    path: str
    checks: str
    passed: int
    failed: int
    skipped: int

    @property
    def outcome(self) -> str:
        if self.failed:
            return "failed"
        return "passed" if self.passed else ("skipped" if self.skipped else "not run")


def security_results(listing: Path, junit: Path | None) -> list[TestFile]:
    """Each listed test file with its counts from the JUnit report (zeros when not run)."""
    entries = yaml.safe_load(listing.read_text(encoding="utf-8")) or []
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    if junit is not None:
        root = ET.parse(junit).getroot()  # noqa: S314 (our own pytest report)
        for case in root.iter("testcase"):
            module = str(case.get("classname", "")).split(".")
            path = "/".join(p for p in module if not p[:1].isupper()) + ".py"
            outcome = 1 if case.find("failure") is not None or case.find("error") is not None else 0
            outcome = 2 if case.find("skipped") is not None else outcome
            counts[path][outcome] += 1
    return [TestFile(e["path"], e["checks"], *counts.get(e["path"], [0, 0, 0])) for e in entries]


@dataclass(frozen=True)
class SwitchRow:
    """One feature switch as the pack shows it: its state and what it adds."""

    name: str
    title: str
    is_on: bool
    switch_on: str
    switch_off: str
    features: list[str]  # names of the manifest features it turns on
    requested: list[str]  # permissions requested only while it is on
    planned: list[str]  # permissions it would add that are not requested yet


def switch_rows(manifest: Manifest, switches_on: frozenset[str]) -> list[SwitchRow]:
    """Every feature switch with the manifest's features and permissions tied to it."""
    from casedesk.features import SWITCHES

    rows = []
    for switch in SWITCHES:
        tied = [p for p in manifest.permissions if p.feature == switch.name]
        rows.append(
            SwitchRow(
                switch.name,
                switch.title,
                switch.name in switches_on,
                switch.switch_on,
                switch.switch_off,
                [f.name for f in manifest.features if f.switch == switch.name],
                [p.name for p in tied if p.is_requested],
                [p.name for p in tied if not p.is_requested],
            )
        )
    return rows


def _feature_permissions(manifest: Manifest) -> dict[str, list[str]]:
    """Feature id -> names of the permissions it needs (via its endpoints and directly)."""
    needs: dict[str, set[str]] = defaultdict(set)
    for endpoint in manifest.endpoints:
        for permission_id in endpoint.permissions:
            permission = manifest.permission(permission_id)
            if permission is not None:
                needs[endpoint.feature].add(permission.name)
    for permission in manifest.permissions:
        for feature in permission.features:
            needs[feature].add(permission.name)
    return {k: sorted(v) for k, v in needs.items()}


def _code_spans(text: str) -> Markup:
    """`x` in the manifest's plain text becomes <code>x</code>; everything else is escaped."""
    code = Markup("<code>{}</code>")
    parts = text.split("`")
    return Markup("").join(code.format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("casedesk", "templates/approval"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code"] = _code_spans
    return env


def build_pack(
    manifest: Manifest,
    calls: list[CallSite],
    narrative: Path,
    tests: list[TestFile],
    out: Path,
    now: datetime | None = None,
    switches_on: frozenset[str] = frozenset(),
) -> tuple[Path, Path]:
    """Write the HTML pack and the SBOM into `out`; return their paths. The permissions are
    those of an office with `switches_on` on (none: the least-privileged default)."""
    now = now or datetime.now(UTC)
    pack = yaml.safe_load(narrative.read_text(encoding="utf-8"))
    if not isinstance(pack, dict):
        raise CaseDeskError(f"{narrative}: expected a mapping of pack sections")
    components = runtime_closure()
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    sbom = cyclonedx(components, stamp)
    sites: dict[str, list[CallSite]] = defaultdict(list)
    for call in calls:
        sites[call.endpoint].append(call)
    env = _environment()
    requested = manifest.in_effect(switches_on)
    switched_off = {
        p.id: p.feature
        for p in manifest.permissions
        if p.is_requested and p.feature and p.feature not in switches_on
    }
    html = env.get_template("pack.html.j2").render(
        m=manifest,
        pack=pack,
        requested=requested,
        planned=[p for p in manifest.permissions if not p.is_requested],
        sites=sites,
        calls=calls,
        feature_permissions=_feature_permissions(manifest),
        components=components,
        tests=tests,
        tests_run=any(t.outcome != "not run" for t in tests),
        generated=stamp,
        sbom_name=SBOM_JSON,
        switches=switch_rows(manifest, switches_on),
        switches_on=sorted(switches_on),
        switched_off=switched_off,
    )
    out.mkdir(parents=True, exist_ok=True)
    html_path, sbom_path = out / PACK_HTML, out / SBOM_JSON
    html_path.write_text(html, encoding="utf-8")
    sbom_path.write_text(json.dumps(sbom, indent=2) + "\n", encoding="utf-8")
    return html_path, sbom_path


def sbom_data(now: datetime) -> dict[str, Any]:
    return cyclonedx(runtime_closure(), now.strftime("%Y-%m-%dT%H:%M:%SZ"))
