"""The bot's cards through Microsoft's Adaptive Cards renderer in headless Chromium.

Each card is the bot's real answer to a Teams activity over HTTP (the office of
test_teams_signoff_handover.py). tests/teams_cards/render.mjs parses and renders them with
the npm `adaptivecards` package (the JavaScript renderer Microsoft publishes) and reports
parse and validation errors, the visible text and the buttons. With
`CASEDESK_SCREENSHOTS=docs/images/teams` it also saves the PNGs in docs/teams-bot.md.
Needs `make node` and Debian's chromium (`make test` installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_teams_bot import ALEX, DAMP, DAMP_AGAIN, JO, PRIYA, SAM, THREAT, actions_of, team_added
from test_teams_signoff_handover import SignoffOffice, button, handover_text, office

__all__ = ["office"]  # the fixture, imported for pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CASEDESK_CHROMIUM", "/usr/bin/chromium")


def _missing() -> str:
    if not (ROOT / "node_modules" / "adaptivecards").is_dir():
        return "node_modules is missing: run `make node`"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node is not installed"
    return ""


def render(cards: dict[str, dict[str, Any]], tmp_path: Path) -> dict[str, dict[str, Any]]:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)  # CI must run the browser tests, never skip them
        pytest.skip(missing)
    source = tmp_path / "cards.json"
    source.write_text(json.dumps(cards), encoding="utf-8")
    env = {**os.environ, "CASEDESK_CARDS": str(source), "CHROMIUM": CHROMIUM}
    shots = os.environ.get("CASEDESK_SCREENSHOTS")
    if shots:
        env["CASEDESK_SCREENSHOTS"] = str((ROOT / shots).resolve())
    done = subprocess.run(
        ["node", "tests/teams_cards/render.mjs"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def every_card(office: SignoffOffice) -> dict[str, dict[str, Any]]:
    """Each kind of card the bot sends, as it sent it."""
    cards: dict[str, dict[str, Any]] = {}
    office.say("help", ALEX)
    cards["help"] = {"card": office.say("help", PRIYA)}
    office.say("help", SAM)
    first = office.triage(DAMP, "damp.eml")  # the MP is asked at once: an approval request
    cards["approval-request"] = {"card": office.fake.posted[-1].card}
    cards["approval-request-changes"] = {
        "card": office.fake.posted[-1].card,
        "open": "Request changes…",
    }
    second = office.triage(DAMP_AGAIN, "again.eml")
    cards["approvals"] = {"card": office.say("approvals", ALEX)}
    cards["queue"] = {"card": office.say("my queue", PRIYA)}
    cards["case-card-mp"] = {"card": office.say(f"case {first}", ALEX)}
    old = button(cards["approval-request"]["card"], "approve")["data"]
    office.desk.edit(
        first,
        "Dear Ann,\n\nThank you for writing to me about the damp in your flat. I have written to "
        "the council's private housing team and asked them to inspect it this week.\n\n"
        "Yours sincerely,\n\nAlex Morgan MP\n",
        "priya.shah",
    )
    changed = office.press(ALEX, "approve", old)["value"]
    cards["approval-draft-changed"] = {"card": changed}
    cards["approval-approved"] = {
        "card": office.press(ALEX, "approve", button(changed, "approve")["data"])["value"]
    }
    handover = office.say(handover_text("Priya Shah", "Sam Okafor"), JO)
    cards["handover"] = {"card": handover}
    click = next(
        a
        for a in actions_of(handover)
        if a.get("verb") == "reassign" and a["data"].get("ref") == second
        and "assignee" in a["data"]
    )  # fmt: skip
    cards["handover-reassigned"] = {"card": office.press(JO, "reassign", click["data"])["value"]}
    threat = office.triage(THREAT, "threat.eml", received=office.clock.now())
    cards["threat-alert"] = {"card": office.fake.posted[-1].card}
    cards["case-card-abusive"] = {"card": office.say(f"case {threat}", SAM)}
    cards["refusal"] = {"card": office.say("approvals", PRIYA)}
    office.post(team_added(office.fake.service_url, JO))
    office.service.notifier.send_digests(force=True)
    cards["digest"] = {"card": office.fake.posted[-1].card}
    return cards


def test_every_card_renders_in_the_adaptive_cards_renderer_without_errors(
    office: SignoffOffice, tmp_path: Path
) -> None:
    cards = every_card(office)
    results = render(cards, tmp_path)
    assert set(results) == set(cards)
    for name, result in results.items():
        assert result["errors"] == [], (name, result["errors"])
        assert result["text"].strip(), name

    request = results["approval-request"]
    assert {"Approve version 1", "Request changes…", "Open case"} <= set(request["buttons"])
    assert "What should change?" not in request["text"]  # the show-card is closed...
    opened = results["approval-request-changes"]
    assert "What should change?" in opened["text"] and opened["inputs"] >= 1  # ...until pressed
    assert "Nothing was approved: the draft changed" in results["approval-draft-changed"]["text"]
    assert "Approve version 2" in results["approval-draft-changed"]["buttons"]
    assert "Reply approved" in results["approval-approved"]["text"]
    assert "Reassign to Sam Okafor" in results["handover"]["buttons"]
    assert "reassigned to Sam Okafor" in results["handover-reassigned"]["text"]
    # Threatening text is in the card but hidden: the renderer does not show it unasked.
    for name in ("threat-alert", "case-card-abusive"):
        assert "hurt you" in json.dumps(cards[name]["card"])
        assert "hurt you" not in results[name]["text"], name
        assert "Show / hide the text" in results[name]["buttons"]
