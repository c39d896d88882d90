"""approval/permissions.yaml says exactly what the adapters call, and the check proves it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casedesk.approval.check import Problem, bicep_role_ids, check_manifest
from casedesk.approval.manifest import ManifestError, load_manifest
from casedesk.approval.scan import adapter_files, scan
from casedesk.entrypoints.cli import main

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "approval" / "permissions.yaml"
ROGUE = ROOT / "tests" / "fixtures" / "approval" / "rogue_adapter.py"


def problems_for(manifest_path: Path, extra: list[Path] | None = None) -> list[Problem]:
    calls = scan([*adapter_files(ROOT), *(extra or [])], ROOT)
    roles = bicep_role_ids(ROOT / "infra", ROOT)
    return check_manifest(load_manifest(manifest_path), calls, "approval/permissions.yaml", roles)


def edited_copy(tmp_path: Path, edit: object) -> Path:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path = tmp_path / "permissions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_manifest_matches_every_call_in_the_adapters_and_the_infra_roles() -> None:
    assert [p.render() for p in problems_for(MANIFEST)] == []


def test_graph_templates_come_from_the_sdk_builders() -> None:
    endpoints = {c.endpoint for c in scan(adapter_files(ROOT), ROOT)}
    assert "GET /users/{id}/messages/{id}/$value" in endpoints
    assert "POST /subscriptions" in endpoints
    assert "PATCH /sites/{id}/lists/{id}/items/{id}/fields" in endpoints
    assert "PUT /drives/{id}/items/root:/{path}:/content" in endpoints
    assert "QueueClient.send_message" in endpoints and "chat.completions.create" in endpoints


def test_an_undeclared_graph_call_fails_naming_its_file_and_line() -> None:
    line = next(
        n for n, text in enumerate(ROGUE.read_text().splitlines(), 1) if "ROGUE CALL" in text
    )
    problems = problems_for(MANIFEST, [ROGUE])
    [problem] = problems
    assert problem.where == f"tests/fixtures/approval/rogue_adapter.py:{line}"
    assert "POST /users/{id}/sendMail" in problem.message
    assert "not declared" in problem.message


def test_removing_a_used_permission_fails_at_every_call_that_needs_it(tmp_path: Path) -> None:
    def drop_readwrite(data: dict) -> None:  # type: ignore[type-arg]
        data["permissions"] = [p for p in data["permissions"] if p["id"] != "graph-mail-readwrite"]
        data["permissions"] = [
            p for p in data["permissions"] if p.get("narrows") != "graph-mail-readwrite"
        ]

    rendered = [p.render() for p in problems_for(edited_copy(tmp_path, drop_readwrite))]
    assert any(
        r.startswith("src/casedesk/adapters/m365/graph_mailbox.py:")
        and "PATCH /users/{id}/messages/{id}" in r
        and "'graph-mail-readwrite'" in r
        for r in rendered
    ), rendered
    assert any("createReply" in r for r in rendered)


def test_a_requested_permission_nothing_needs_fails(tmp_path: Path) -> None:
    def add_unused(data: dict) -> None:  # type: ignore[type-arg]
        extra = dict(data["permissions"][0], id="graph-mail-send-unused", name="Mail.Send")
        data["permissions"].append(extra)

    [problem] = problems_for(edited_copy(tmp_path, add_unused))
    assert "Mail.Send" in problem.message and "no adapter call needs it" in problem.message
    assert problem.where.startswith("approval/permissions.yaml line ")


def test_an_endpoint_nothing_calls_fails(tmp_path: Path) -> None:
    def add_endpoint(data: dict) -> None:  # type: ignore[type-arg]
        data["endpoints"].append(dict(data["endpoints"][0], call="GET /users/{id}/events"))

    [problem] = problems_for(edited_copy(tmp_path, add_endpoint))
    assert "GET /users/{id}/events" in problem.message and "no adapter calls it" in problem.message


def test_a_planned_permission_cannot_cover_a_call(tmp_path: Path) -> None:
    def plan_mail_read(data: dict) -> None:  # type: ignore[type-arg]
        for p in data["permissions"]:
            if p["id"] == "graph-mail-read":
                p["status"] = "planned"

    rendered = [p.render() for p in problems_for(edited_copy(tmp_path, plan_mail_read))]
    assert any("graph_subscriptions.py" in r and "planned, not requested" in r for r in rendered)


def test_an_azure_role_assigned_in_infra_but_not_requested_fails() -> None:
    calls = scan(adapter_files(ROOT), ROOT)
    roles = bicep_role_ids(ROOT / "infra", ROOT)
    roles["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = ["infra/modules/roles.bicep:1"]  # Owner
    [problem] = check_manifest(load_manifest(MANIFEST), calls, "approval/permissions.yaml", roles)
    assert problem.where == "infra/modules/roles.bicep:1" and "does not request" in problem.message


def test_a_broken_manifest_names_the_line_and_field(tmp_path: Path) -> None:
    def bad_type(data: dict) -> None:  # type: ignore[type-arg]
        data["permissions"][1]["type"] = "tenant-wide"

    with pytest.raises(ManifestError, match=r"line \d+: permissions\.1\.type"):
        load_manifest(edited_copy(tmp_path, bad_type))


def test_permission_sources_must_be_microsoft_pages(tmp_path: Path) -> None:
    def blog(data: dict) -> None:  # type: ignore[type-arg]
        data["permissions"][0]["sources"] = ["https://example.com/blog"]

    with pytest.raises(ManifestError, match="not a Microsoft documentation address"):
        load_manifest(edited_copy(tmp_path, blog))


def test_cli_check_passes_on_the_repository(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as exited:
        main(["approval-manifest", "--check"])
    assert exited.value.code == 0
    assert "matches the code" in capsys.readouterr().out


def test_cli_check_fails_on_a_bad_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def drop_sites(data: dict) -> None:  # type: ignore[type-arg]
        data["permissions"] = [p for p in data["permissions"] if p["id"] != "graph-sites-selected"]
        data["permissions"] = [p for p in data["permissions"] if p["id"] != "spo-site-write"]

    path = edited_copy(tmp_path, drop_sites)
    with pytest.raises(SystemExit) as exited:
        main(["approval-manifest", "--check", "--root", str(ROOT), "--manifest", str(path)])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "sharepoint_items.py:" in err and "graph-sites-selected" in err


def test_a_permission_tied_to_an_unknown_feature_switch_fails(tmp_path: Path) -> None:
    def misspell(data: dict) -> None:  # type: ignore[type-arg]
        for p in data["permissions"]:
            if p["id"] in ("graph-mail-send", "exo-application-mail-send"):
                p["feature"] = "sendmail"

    rendered = [p.render() for p in problems_for(edited_copy(tmp_path, misspell))]
    assert rendered and all("unknown feature switch 'sendmail'" in r for r in rendered)
    assert "send_mail" in rendered[0]  # the fix names the real switches


def test_tying_an_always_on_call_s_permission_to_a_switch_fails(tmp_path: Path) -> None:
    def switch_mail_read(data: dict) -> None:  # type: ignore[type-arg]
        for p in data["permissions"]:
            if p["id"] in ("graph-mail-read", "exo-application-mail-read"):
                p["feature"] = "send_mail"

    rendered = [p.render() for p in problems_for(edited_copy(tmp_path, switch_mail_read))]
    # intake calls need Mail.Read whatever the switch says: the smaller pack would be a lie
    assert any("GET /users/{id}/messages/{id}/$value" in r and "part of 'intake'" in r
               for r in rendered), rendered  # fmt: skip
    assert any("none of its features (intake) is turned on by it" in r for r in rendered)


def test_a_switched_feature_must_be_off_by_default(tmp_path: Path) -> None:
    def default_on(data: dict) -> None:  # type: ignore[type-arg]
        for f in data["features"]:
            if f["id"] == "sending":
                f["default"] = "on"

    [problem] = problems_for(edited_copy(tmp_path, default_on))
    assert "switch 'send_mail' but default 'on'" in problem.message
