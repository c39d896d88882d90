"""`casedesk teams people`: which office members the bot knows, and which it can reach."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

from casedesk.bootstrap import build_app
from casedesk.settings import load_settings
from casedesk.teams.references import ConversationRef, ConversationReferences

SAM = "976e4d1e-2108-43ee-a092-46a9507c5606"


def test_people_shows_roles_entra_ids_and_who_has_a_chat(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "people:\n"
        f"  - {{id: sam.okafor, name: Sam Okafor, role: safety_lead, entra_id: {SAM}}}\n"
        "  - {id: tom.reid, name: Tom Reid, role: caseworker}\n"
        "rules:\n  - {name: all, default: true, then: {priority: low}}\n",
        encoding="utf-8",
    )
    settings_file = tmp_path / "casedesk.toml"
    settings_file.write_text(f'rules_file = "{rules}"\n', encoding="utf-8")
    data = tmp_path / "data"
    app = build_app(load_settings({"data_dir": data, "rules_file": rules}, environ={}))
    try:
        ConversationReferences(app.ops).save_personal(
            "sam.okafor",
            ConversationRef(
                "https://smba.trafficmanager.net/teams/", "a:1", None, "28:b", "personal"
            ),
        )
    finally:
        app.close()
    done = run(data, "--settings", str(settings_file), "teams", "people", "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["office_channels"] == 0
    by_id = {p["id"]: p for p in answer["people"]}
    assert by_id["sam.okafor"]["has_chat"] is True and by_id["sam.okafor"]["threat_alerts"] is True
    assert by_id["tom.reid"] == {
        "id": "tom.reid", "name": "Tom Reid", "role": "caseworker", "entra_id": None,
        "has_chat": False, "threat_alerts": False,
    }  # fmt: skip
    table = run(data, "--settings", str(settings_file), "teams", "people")
    assert "missing: refused by the bot" in table.stdout
