"""The Microsoft 365 app manifest for the Outlook add-in, checked offline against Microsoft's
JSON schema (from the @microsoft/app-manifest npm package), and the icons it points at."""

from __future__ import annotations

import copy
import json
import os
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import make_icons  # noqa: E402
import package_addin  # noqa: E402

TENANT_PANE = "https://casedesk-func.azurewebsites.net/api/addin/pane/"
CLIENT = "11111111-2222-4333-8444-555555555555"
BOT = "22222222-3333-4444-8555-666666666666"


@pytest.fixture(scope="module", autouse=True)
def _schemas_installed() -> None:
    if not package_addin.SCHEMAS.is_dir():
        message = "Microsoft's manifest schemas are missing: run `make node`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def committed() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(package_addin.MANIFEST.read_text(encoding="utf-8"))
    return manifest


def test_the_committed_manifest_is_valid_against_microsofts_schema() -> None:
    manifest = committed()
    assert manifest["manifestVersion"] == "1.25"
    assert package_addin.schema_errors(manifest) == []


def test_the_validator_really_validates() -> None:
    broken = committed()
    del broken["icons"]
    broken["extensions"][0]["runtimes"][0]["lifetime"] = "forever"
    broken["authorization"]["permissions"]["resourceSpecific"][0]["type"] = "Sometimes"
    problems = package_addin.schema_errors(broken)
    assert any("'icons' is a required property" in p for p in problems)
    assert any(p.startswith("extensions/0/runtimes/0/lifetime") for p in problems)
    assert any("resourceSpecific/0/type" in p for p in problems)


def test_a_deployment_renders_valid_with_and_without_the_bot() -> None:
    alone = package_addin.render(TENANT_PANE, CLIENT)
    with_bot = package_addin.render(TENANT_PANE, CLIENT, bot_id=BOT)
    assert package_addin.schema_errors(alone) == [] and "bots" not in alone
    assert package_addin.schema_errors(with_bot) == []
    assert with_bot["bots"][0]["botId"] == BOT
    assert alone["webApplicationInfo"] == {
        "id": CLIENT, "resource": f"api://casedesk-func.azurewebsites.net/{CLIENT}"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"pane_url": "http://casedesk.example.org/addin/"}, "https"),
        ({"pane_url": "https://casedesk.example.org/addin"}, "ending in /"),
        ({"client_id": "casedesk"}, "--client-id must be a GUID"),
        ({"bot_id": "bot"}, "--bot-id must be a GUID"),
    ],
)
def test_bad_deployment_values_are_refused(kwargs: dict[str, str], problem: str) -> None:
    with pytest.raises(package_addin.ManifestError, match=problem):
        package_addin.render(**kwargs)


def test_every_url_is_https_on_the_one_valid_domain() -> None:
    manifest = package_addin.render(TENANT_PANE, CLIENT)
    urls: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str) and node.startswith("http"):
            urls.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key != "$schema":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(manifest)
    assert urls and all(u.startswith(TENANT_PANE) for u in urls)
    assert manifest["validDomains"] == [urlsplit(TENANT_PANE).netloc]


def test_read_and_compose_panes_with_the_minimum_permission() -> None:
    manifest = committed()
    [extension] = manifest["extensions"]
    assert extension["requirements"]["scopes"] == ["mail"]
    # Compose mode inserts the draft (body.setSelectedDataAsync): that needs read/write item.
    # Read mode alone would need only MailboxItem.Read.User; read/write mailbox is never asked.
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "MailboxItem.ReadWrite.User", "type": "Delegated"}
    ]
    [runtime] = extension["runtimes"]
    actions = {a["id"]: a for a in runtime["actions"]}
    assert all(a["type"] == "openPage" for a in actions.values())
    contexts = {}
    for ribbon in extension["ribbons"]:
        for tab in ribbon["tabs"]:
            for group in tab["groups"]:
                for control in group["controls"]:
                    assert control["actionId"] in actions
                    assert sorted(i["size"] for i in control["icons"]) == [16, 32, 80]
                    contexts[tuple(ribbon["contexts"])] = control["actionId"]
    assert contexts == {("mailRead",): "ShowCase", ("mailCompose",): "ShowDraft"}
    assert actions["ShowCase"]["pinnable"] is True


def _png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6)  # 8-bit RGBA
    idat = b"".join(
        data[i + 8 : i + 8 + struct.unpack(">I", data[i : i + 4])[0]]
        for i in _chunks(data)
        if data[i + 4 : i + 8] == b"IDAT"
    )
    return width, height, zlib.decompress(idat)


def _chunks(data: bytes) -> list[int]:
    offsets, i = [], 8
    while i < len(data):
        offsets.append(i)
        i += 12 + struct.unpack(">I", data[i : i + 4])[0]
    return offsets


def test_icons_have_the_sizes_microsoft_asks_for_and_are_reproducible() -> None:
    icons = make_icons.icon_files()
    assert icons == make_icons.icon_files()
    expected = {"color.png": 192, "outline.png": 32} | {f"icon-{s}.png": s for s in make_icons.RIBBON_SIZES}
    for name, size in expected.items():
        width, height, _ = _png_size_and_pixels(icons[name])
        assert (width, height) == (size, size), name
    _, _, raw = _png_size_and_pixels(icons["outline.png"])
    rows = [raw[r * (1 + 32 * 4) + 1 : (r + 1) * (1 + 32 * 4)] for r in range(32)]
    pixels = [row[i : i + 4] for row in rows for i in range(0, len(row), 4)]
    assert all(p[:3] == b"\xff\xff\xff" for p in pixels)  # white...
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)  # ...on transparent


def test_the_package_zip_holds_the_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    manifest = package_addin.render(TENANT_PANE, CLIENT, bot_id=BOT)
    package_addin.build(manifest, out)
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json")) == manifest
    again = tmp_path / "again.zip"
    package_addin.build(copy.deepcopy(manifest), again)
    assert again.read_bytes() == out.read_bytes()


def test_an_invalid_manifest_is_never_packaged(tmp_path: Path) -> None:
    manifest = package_addin.render(TENANT_PANE, CLIENT)
    manifest["accentColor"] = "blue"
    with pytest.raises(package_addin.ManifestError, match="accentColor"):
        package_addin.build(manifest, tmp_path / "app.zip")
    assert not (tmp_path / "app.zip").exists()


def test_the_bot_in_the_package_lists_the_commands_it_really_parses() -> None:
    from casedesk.teams.cards import MANIFEST_COMMANDS
    from casedesk.teams.commands import Kind, parse_command

    bot = package_addin.render(TENANT_PANE, CLIENT, bot_id=BOT)["bots"][0]
    [listed] = bot["commandLists"]
    assert set(listed["scopes"]) == set(bot["scopes"]) == {"personal", "team"}
    assert [c["title"] for c in listed["commands"]] == [t for t, _, _ in MANIFEST_COMMANDS]
    kinds = set()
    for title, example, description in MANIFEST_COMMANDS:
        assert len(title) <= 32 and len(description) <= 128  # the schema's limits
        command = parse_command(title + example)
        assert command.kind is not Kind.UNKNOWN, title
        kinds.add(command.kind)
    assert len(kinds) == len(MANIFEST_COMMANDS)  # no two titles name the same command
