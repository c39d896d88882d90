"""Build the Microsoft 365 app package for the Outlook add-in: manifest.json + the two icons.

addin_manifest/manifest.json is written for an example host (casedesk.example.org) and an
example app registration. This script renders it for a real deployment, checks the result
against Microsoft's manifest JSON schema (from the @microsoft/app-manifest npm package, so
no network is needed), and zips it the way Teams admin centre and the Microsoft 365 admin
centre's Integrated apps expect: manifest.json, color.png and outline.png at the zip's root.

The Teams bot (issue 8) joins the same package with --bot-id: `bots` is optional in the
schema, so it is only added when there is a real bot registration to point at.

Usage:
  python scripts/package_addin.py --pane-url https://casedesk-func.azurewebsites.net/api/addin/pane/ \\
      --client-id <add-in app registration id> [--app-id-uri api://host/<id>] [--bot-id <id>]
  python scripts/package_addin.py          # the example values: a valid package, not deployable
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_icons import icon_files  # noqa: E402 - a sibling script

MANIFEST = ROOT / "addin_manifest" / "manifest.json"
SCHEMAS = ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas" / "teams"
EXAMPLE_PANE_URL = "https://casedesk.example.org/addin/"
EXAMPLE_CLIENT_ID = "2c1a9f0e-7d3b-4e5f-8a6b-1c2d3e4f5a6b"


class ManifestError(Exception):
    """The manifest does not match Microsoft's schema, or an argument is unusable."""


def schema_for(manifest: dict[str, Any]) -> dict[str, Any]:
    """Microsoft's JSON schema for the manifest's own manifestVersion, from node_modules."""
    path = SCHEMAS / f"v{manifest['manifestVersion']}" / "MicrosoftTeams.schema.json"
    if not path.is_file():
        raise ManifestError(f"{path} is missing: run `make node` (npm ci) first")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    """Every way the manifest breaks the schema, as `path: message` lines (empty: valid)."""
    schema = schema_for(manifest)
    expected = f"https://developer.microsoft.com/json-schemas/teams/v{manifest['manifestVersion']}/MicrosoftTeams.schema.json"
    problems = [] if manifest.get("$schema") == expected else [f"$schema: should be {expected}"]
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        problems.append(f"{where}: {error.message}")
    return problems


def _replace_strings(node: Any, old: str, new: str) -> Any:
    if isinstance(node, str):
        return node.replace(old, new)
    if isinstance(node, list):
        return [_replace_strings(item, old, new) for item in node]
    if isinstance(node, dict):
        return {key: _replace_strings(value, old, new) for key, value in node.items()}
    return node


def render(
    pane_url: str = EXAMPLE_PANE_URL,
    client_id: str = EXAMPLE_CLIENT_ID,
    app_id_uri: str | None = None,
    bot_id: str | None = None,
    app_id: str | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """The manifest for one deployment: where the pane is served and which app registration."""
    parts = urlsplit(pane_url)
    if parts.scheme != "https" or not parts.hostname or not pane_url.endswith("/"):
        raise ManifestError(f"--pane-url must be an https URL ending in / (got {pane_url!r})")
    for name, value in (("--client-id", client_id), ("--bot-id", bot_id), ("--app-id", app_id)):
        if value is not None:
            try:
                uuid.UUID(value)
            except ValueError as exc:
                raise ManifestError(f"{name} must be a GUID (got {value!r})") from exc
    manifest: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    manifest = _replace_strings(manifest, EXAMPLE_PANE_URL, pane_url)
    manifest["validDomains"] = [parts.netloc]
    manifest["webApplicationInfo"] = {
        "id": client_id,
        "resource": app_id_uri or f"api://{parts.netloc}/{client_id}",
    }
    if app_id:
        manifest["id"] = app_id
    if version:
        manifest["version"] = version
    if bot_id:
        from casedesk.teams.cards import MANIFEST_COMMANDS  # the commands the bot parses

        commands = [{"title": title, "description": text} for title, _, text in MANIFEST_COMMANDS]
        manifest["bots"] = [
            {
                "botId": bot_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": ["personal", "team"], "commands": commands}],
            }
        ]
    return manifest


def build(manifest: dict[str, Any], out: Path) -> None:
    problems = schema_errors(manifest)
    if problems:
        raise ManifestError("the manifest breaks Microsoft's schema:\n  " + "\n  ".join(problems))
    icons = icon_files()
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (
            ("manifest.json", (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()),
            (manifest["icons"]["color"], icons["color.png"]),
            (manifest["icons"]["outline"], icons["outline.png"]),
        ):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pane-url", default=EXAMPLE_PANE_URL, help="https URL of the pane's folder")
    parser.add_argument("--client-id", default=EXAMPLE_CLIENT_ID, help="the add-in's app registration id")
    parser.add_argument("--app-id-uri", help="its Application ID URI (default api://<host>/<client id>)")
    parser.add_argument("--bot-id", help="the Teams bot's app id, to ship the bot in the same package")
    parser.add_argument("--app-id", help="this app's id in the catalogue (default: the manifest's)")
    parser.add_argument("--version", help="the app version, n.n.n")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "casedesk-outlook-addin.zip")
    args = parser.parse_args()
    try:
        manifest = render(args.pane_url, args.client_id, args.app_id_uri, args.bot_id, args.app_id, args.version)
        build(manifest, args.out)
    except ManifestError as exc:
        sys.exit(f"error: {exc}")
    print(f"wrote {args.out} (manifest {manifest['manifestVersion']} valid against Microsoft's schema)")
    if args.pane_url == EXAMPLE_PANE_URL:
        print("note: built for the example host casedesk.example.org; pass --pane-url and --client-id "
              "for a real deployment (docs/outlook-addin.md)")  # fmt: skip


if __name__ == "__main__":
    main()
