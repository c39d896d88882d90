"""`casedesk approval-manifest`: check the PDS permission manifest against the code, and
render the approval pack. Example: casedesk approval-manifest --check"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError


def approval_manifest(
    check: Annotated[
        bool, typer.Option("--check", help="Fail if the manifest and the code disagree.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the HTML pack and the SBOM here.")
    ] = None,
    tests: Annotated[
        Path | None,
        typer.Option("--tests", help="JUnit XML of the security tests to show in the pack."),
    ] = None,
    features: Annotated[
        str,
        typer.Option(
            "--features",
            help="Feature switches to render as on, comma-separated (send_mail,ai,...), or "
            "all; default none: the least-privileged permission set.",
        ),
    ] = "",
    root: Annotated[Path, typer.Option(help="The repository root.")] = Path(),
    manifest: Annotated[
        Path, typer.Option(help="The manifest, relative to the root.")
    ] = Path("approval/permissions.yaml"),
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check approval/permissions.yaml against every Graph and Azure call in the adapters
    (--check), and render the approval pack (--out DIR).

    Example: casedesk approval-manifest --check; casedesk approval-manifest --out build/pack
    --features send_mail"""
    from casedesk.approval.addin_permissions import read_addin_permissions
    from casedesk.approval.check import bicep_role_ids, check_manifest
    from casedesk.approval.manifest import load_manifest
    from casedesk.approval.scan import adapter_files, scan
    from casedesk.features import parse_switches

    if not check and out is None:
        raise typer.BadParameter("give --check, --out DIR, or both")
    switches_on = parse_switches(features)
    loaded = load_manifest(root / manifest)
    calls = scan(adapter_files(root), root)
    infra = root / "infra"
    roles = bicep_role_ids(infra, root) if infra.is_dir() else None
    problems = check_manifest(
        loaded, calls, manifest.as_posix(), roles, read_addin_permissions(root)
    )
    if as_json:
        render.print_json(
            {
                "calls": [c.__dict__ for c in calls],
                "problems": [p.__dict__ for p in problems],
            }
        )
    else:
        for problem in problems:
            render.err_console.print(problem.render(), highlight=False, soft_wrap=True)
    if problems:
        raise CaseDeskError(
            f"{manifest} and the code disagree ({len(problems)} problem(s) above); "
            "the approval pack is only rendered when they agree"
        )
    if not as_json:
        requested = len(loaded.in_effect(switches_on))
        on = ", ".join(sorted(switches_on)) or "none"
        render.console.print(
            f"{manifest}: matches the code ({len(calls)} call sites, "
            f"{len(loaded.endpoints)} endpoints, {requested} permissions requested with "
            f"feature switches on: {on})"
        )
    if out is not None:
        from casedesk.approval.pack import build_pack, security_results

        results = security_results(root / "approval" / "security-tests.yaml", tests)
        html, sbom = build_pack(
            loaded, calls, root / "approval" / "pack.yaml", results, out, switches_on=switches_on
        )
        if not as_json:
            render.console.print(f"wrote {html} and {sbom}")
