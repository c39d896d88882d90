"""docs/configuration.md is generated from the settings model and must not go stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from casedesk.settings import Settings
from casedesk.settings_reference import render, sections

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "configuration.md"


def test_the_committed_configuration_reference_matches_the_settings_model() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is stale: run `python scripts/settings_reference.py` and commit it"
    )


def test_every_setting_has_a_description_and_a_row() -> None:
    text = render()
    undescribed = [name for name, info in Settings.model_fields.items() if not info.description]
    assert undescribed == []
    for name in Settings.model_fields:
        assert f"`{name}`" in text or f"`[{name}]" in text, name
    assert "| `[features] send_mail` | true/false | `false` | `CASEDESK_FEATURES=send_mail` |" in text


def test_sections_follow_the_comments_in_the_model_and_cover_every_field() -> None:
    titles = [title for title, _ in sections()]
    assert titles[0] == "General" and any(t.startswith("Microsoft 365") for t in titles)
    listed = [name for _, names in sections() for name in names]
    assert sorted(listed) == sorted(Settings.model_fields)


def test_the_script_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "settings_reference.py"

    def check(path: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(script), "--check", "--file", str(path)]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    assert check(REFERENCE).returncode == 0
    stale = tmp_path / "configuration.md"
    stale.write_text(REFERENCE.read_text(encoding="utf-8").replace("`data_dir`", "`datadir`"))
    failed = check(stale)
    assert failed.returncode == 1 and "is stale" in failed.stderr
