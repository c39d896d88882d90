"""An office retrains on its own corrections: `casedesk train --with-corrections` learns from
the store's corrections, shows dev before and after, refuses a model that is worse unless told
to, and once kept, the office's model (in its data dir) is the one `casedesk` uses.

A small corpus and a quick budget (two folds, 5% of the steps) keep this to seconds; the
model it makes is poor on purpose, which is what the refusal needs."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import run

from casedesk.entrypoints.evaluate import LABELS
from mailmaker import mail

ROOT = Path(__file__).resolve().parents[2]
QUICK = ("--folds", "2", "--iterations", "0.05")


def flat(text: str) -> str:
    """Output as one line: the console wraps long lines at the terminal's width."""
    return " ".join(text.split())


def small_corpus(tmp_path: Path) -> Path:
    """Six training and three dev items of each category, from the real corpus."""
    rows = [json.loads(line) for line in (ROOT / "corpus" / "triage.jsonl").open()]
    keep = [
        row
        for split, n in (("train", 6), ("dev", 3))
        for label in LABELS
        for row in [r for r in rows if r["split"] == split and r["label"] == label][:n]
    ]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in keep))
    return path


def corrected_store(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.eml").write_bytes(mail())
    data = tmp_path / "data"
    assert run(data, "triage", str(inbox), "--json").returncode == 0
    done = run(data, "correct", "CD-2026-000001", "--category", "policy", "--by", "sam")
    assert done.returncode == 0, done.stderr
    return data


def test_corrections_train_an_office_model_that_casedesk_then_uses(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path)
    data = corrected_store(tmp_path)
    office_model = data / "models" / "triage-lr.v3.npz"

    refused = run(data, "train", str(corpus), "--with-corrections", *QUICK, "--json")
    assert refused.returncode == 1
    answer = json.loads(refused.stdout)
    assert answer["corrections"] == 1 and answer["trained_on"] == 6 * len(LABELS) + 1
    assert answer["replaced"] is False and answer["after"]["model"] is None
    assert answer["before"]["classifier"] == "embedded-lr-v3"
    assert answer["after"]["macro_f1"] < answer["before"]["macro_f1"] - 0.02
    why = flat(refused.stderr)
    assert "not replaced: dev macro-F1" in why and "more than the allowed 0.020" in why
    assert "Still in use: embedded-lr-v3 (model" in why and "--force" in why
    assert not office_model.exists() and list((data / "models").iterdir()) == []

    kept = run(data, "train", str(corpus), "--with-corrections", "--force", *QUICK)
    assert kept.returncode == 0, kept.stderr
    assert "before and after" in kept.stdout and "macro-F1" in kept.stdout
    assert "kept because of --force" in flat(kept.stdout) and office_model.exists()

    scored = json.loads(run(data, "eval", str(corpus), "--split", "dev", "--json").stdout)
    assert scored["classifier"] == "embedded-lr-v3-office"
    assert scored["model"] == str(office_model)

    inbox = tmp_path / "more"
    inbox.mkdir()
    (inbox / "b.eml").write_bytes(mail(message_id="<later@example.org>", subject="Damp again"))
    triaged = run(data, "triage", str(inbox))
    assert f"Classifier: embedded-lr-v3-office (model {office_model})" in flat(triaged.stdout)
    [message] = json.loads(run(data, "case", "CD-2026-000002", "--json").stdout)["messages"]
    assert message["classification"]["classifier"] == "embedded-lr-v3-office"


def test_training_with_corrections_needs_some(tmp_path: Path) -> None:
    empty = run(
        tmp_path / "data", "train", str(small_corpus(tmp_path)), "--with-corrections", *QUICK
    )
    assert empty.returncode == 1
    assert "no corrections" in flat(empty.stderr) and "casedesk correct" in flat(empty.stderr)
    assert not (tmp_path / "data" / "models").exists()


def test_plain_training_reports_the_calibration_and_the_review_threshold(tmp_path: Path) -> None:
    out = tmp_path / "m.npz"
    done = run(tmp_path / "data", "train", str(small_corpus(tmp_path)), *QUICK, "--out", str(out))
    assert done.returncode == 0, done.stderr
    said = flat(done.stdout)
    assert f"Trained on {6 * len(LABELS)} messages; model written to {out}" in said
    assert "confidence calibrated (ECE" in said and "review_below 0." in said
    assert out.exists() and not (tmp_path / "data" / "models").exists()
