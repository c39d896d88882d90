"""Postcodes reach triage: a case gets its ward, mail from another MP's seat is flagged
outside_constituency (and a rule can act on it), and a postcode nobody knows stays unknown,
never "outside". Uses the shipped Cambridge extract (samples/geo, real ONSPD rows)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mailmaker import mail

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "geo"

RULES = """\
version: 1
people:
  - {id: sam.okafor, name: Sam Okafor, role: safety_lead}
  - {id: priya.shah, name: Priya Shah, role: caseworker}
  - {id: jo.price, name: Jo Price, role: office_manager}
rules:
  - name: not-ours
    when: {outside_constituency: true}
    then: {assign: {person: jo.price}, tags: [not-our-constituent]}
  - name: arbury-patch
    when: {ward: Arbury}
    then: {assign: {person: priya.shah}}
  - name: default
    default: true
    then: {assign: {person: jo.price}}
"""


def casedesk(data: Path, settings: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data), "--settings", str(settings),
         *args],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )  # fmt: skip


def letter(n: int, postcode: str) -> bytes:
    return mail(
        f"Dear Alex,\n\nThe streetlight outside my house has been broken for weeks.\n\n"
        f"Resident {n}\n{postcode}\n",
        sender=f"Resident {n} <resident{n}@example.org>",
        subject=f"Streetlight {n}",
        message_id=f"<geo{n}@example.org>",
    )


def triaged(tmp_path: Path, *, import_geo: bool = True) -> tuple[Path, Path]:
    data, inbox = tmp_path / "data", tmp_path / "inbox"
    inbox.mkdir()
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    settings = tmp_path / "casedesk.toml"
    settings.write_text(
        f'constituency = "Cambridge"\nsafety_lead = "sam.okafor"\nrules_file = "{rules}"\n',
        encoding="utf-8",
    )
    # Arbury (Cambridge), Royston Palace (North East Hertfordshire), and the reserved
    # non-existent area ZX, which no postcode directory holds.
    for n, postcode in enumerate(["CB4 3EP", "SG8 5AA", "ZX1 1AA"], start=1):
        (inbox / f"{n}.eml").write_bytes(letter(n, postcode))
    if import_geo:
        imported = casedesk(
            data, settings, "geo", "import", str(SAMPLES / "postcodes.csv"),
            "--names", str(SAMPLES / "wards.csv"), "--json",
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr
    done = casedesk(data, settings, "triage", str(inbox), "--json")
    assert done.returncode == 0, done.stderr
    return data, settings


def by_postcode(data: Path, settings: Path) -> dict[str, dict[str, object]]:
    listed = casedesk(data, settings, "search", "--json")
    assert listed.returncode == 0, listed.stderr
    cases = json.loads(listed.stdout)["cases"]
    return {c["constituent"]["postcode"]: c for c in cases}


def test_ward_and_outside_constituency_reach_the_case_and_the_rules(tmp_path: Path) -> None:
    data, settings = triaged(tmp_path)
    cases = by_postcode(data, settings)

    arbury = cases["CB4 3EP"]
    assert arbury["constituent"]["ward"] == "Arbury"  # type: ignore[index]
    assert "outside_constituency" not in arbury["flags"]  # type: ignore[operator]
    assert (arbury["assignee"], arbury["routed_by"]) == ("priya.shah", ["arbury-patch"])

    royston = cases["SG8 5AA"]
    assert royston["constituent"]["ward"] == "Royston Palace"  # type: ignore[index]
    assert "outside_constituency" in royston["flags"]  # type: ignore[operator]
    assert (royston["assignee"], royston["tags"]) == ("jo.price", ["not-our-constituent"])

    unknown = cases["ZX1 1AA"]
    assert unknown["constituent"]["ward"] is None  # type: ignore[index]
    assert "outside_constituency" not in unknown["flags"]  # type: ignore[operator]
    assert unknown["routed_by"] == ["default"]

    shown = casedesk(data, settings, "case", royston["ref"], "--json")  # type: ignore[arg-type]
    assert "outside the constituency: postcode in North East Hertfordshire" in shown.stdout

    found = casedesk(data, settings, "search", "--ward", "arbury", "--json")
    assert [c["ref"] for c in json.loads(found.stdout)["cases"]] == [arbury["ref"]]
    outside = casedesk(data, settings, "queue", "--flag", "outside_constituency", "--json")
    assert [c["ref"] for c in json.loads(outside.stdout)["cases"]] == [royston["ref"]]


def test_without_imported_postcodes_nobody_is_outside(tmp_path: Path) -> None:
    data, settings = triaged(tmp_path, import_geo=False)
    for case in by_postcode(data, settings).values():
        assert case["constituent"]["ward"] is None  # type: ignore[index]
        assert "outside_constituency" not in case["flags"]  # type: ignore[operator]
