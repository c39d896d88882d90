"""`casedesk eval --classifier ai` runs the AI path end to end against a local
OpenAI-compatible server (tests/openaifake): the real SDK, prompt, redaction, schema check,
near-copy reuse and fallback, and the report says which classifier ran.

This measures the plumbing, not model quality: the fake's "model" is a handful of keyword
rules. Run it against the office's real deployment to measure the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openaifake import OpenAIFake

TEMPLATE = (
    "I am writing to you as my MP because I am deeply concerned about the amount of raw sewage "
    "being discharged into our rivers and seas by water companies. I urge you to support legally "
    "binding targets to end sewage dumping and to hold water company bosses to account."
)
NAMES = ["Ann Lee", "Bob Ray", "Cat Moss", "Dev Patel"]


def labelled(tmp_path: Path) -> Path:
    rows = [
        {"id": f"camp-{k}", "from": f"{name} <c{k}@example.org>", "subject": "End sewage dumping",
         "body": f"Dear Alex Morgan,\n\n{TEMPLATE}\n\nYours sincerely,\n{name}",
         "label": "campaign", "cluster": "sewage", "urgent": False}
        for k, name in enumerate(NAMES)
    ] + [
        {"id": "cw", "from": "Priya Shah <priya@example.org>", "subject": "Damp flat",
         "body": "My landlord will not fix the damp and black mould in my daughter's bedroom.",
         "label": "casework", "cluster": None, "urgent": False},
        {"id": "spam", "from": "Promo <win@example.net>", "subject": "You won",
         "body": "Click here to claim your prize today.", "label": "spam", "cluster": None,
         "urgent": False},
    ]  # fmt: skip
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def eval_ai(tmp_path: Path, fake: OpenAIFake) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(tmp_path / "data"), "eval",
         str(labelled(tmp_path)), "--classifier", "ai", "--json"],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "CASEDESK_AI_BASE_URL": fake.base_url,
             "CASEDESK_AI_MODEL": "office-llm", "CASEDESK_AI_API_KEY": fake.api_key},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_eval_runs_the_ai_path_and_says_so(tmp_path: Path, openai_fake: OpenAIFake) -> None:
    report = eval_ai(tmp_path, openai_fake)
    assert report["classifier"] == "ai:office-llm:classify.v2"
    assert str(report["model"]).endswith("triage-lr.v3.npz")  # the fallback behind it
    usage = report["ai_usage"]
    assert isinstance(usage, dict)
    assert usage["messages"] == report["count"] == 6
    # one request per distinct letter: the campaign's copies reuse the first copy's answer
    assert usage["answers"] == len(openai_fake.requests) == 3 and usage["cache_hits"] == 3
    assert usage["fallbacks"] == 0
    assert all("<<<MESSAGE" in r.sent_text for r in openai_fake.requests)
    per_category = report["per_category"]
    assert isinstance(per_category, dict) and per_category["casework"]["recall"] == 1.0
    for key in ("macro_f1", "confusion", "campaign_bcubed", "urgent", "review", "calibration"):
        assert key in report


def test_eval_of_the_ai_path_counts_what_fell_back(tmp_path: Path, openai_fake: OpenAIFake) -> None:
    openai_fake.default = "invalid_json"  # every answer is rejected: the embedded fallback labels
    report = eval_ai(tmp_path, openai_fake)
    assert report["classifier"] == "ai:office-llm:classify.v2"
    usage = report["ai_usage"]
    assert isinstance(usage, dict) and usage["answers"] == 0
    assert usage["fallbacks"] == usage["messages"] == 6
    assert sum(usage["fallback_reasons"].values()) == 6  # and why, by kind
    assert report["count"] == 6 and 0.0 <= float(str(report["macro_f1"])) <= 1.0
