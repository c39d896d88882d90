"""The corpus build: valid, and batch-2 sources never move a first-corpus item between splits."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _build_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "build_corpus", ROOT / "scripts" / "build_corpus.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_corpus"] = module
    spec.loader.exec_module(module)
    return module


def test_build_is_valid_and_matches_the_committed_corpus() -> None:
    build = _build_module()
    items = build.build()
    assert build.validate(items) == []
    committed = {
        row["id"]: row
        for row in map(json.loads, (ROOT / "corpus" / "triage.jsonl").read_text().splitlines())
    }
    assert {it["id"]: it["split"] for it in items} == {k: v["split"] for k, v in committed.items()}


def test_batch_two_leaves_first_corpus_splits_alone() -> None:
    build = _build_module()
    items = build.build()
    first = [dict(it) for it in items if build.batch(it) == 1]
    build.assign_splits(first)
    by_id = {it["id"]: it["split"] for it in items}
    assert all(by_id[it["id"]] == it["split"] for it in first)
    abuse = [it for it in items if it["label"] == "abuse"]
    assert len(abuse) >= 150 and sum(it["threat"] for it in abuse) >= 60
