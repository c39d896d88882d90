"""The rules' second home: the CaseDesk Rules and People lists on the Graph-speaking server.
The same rules read from the lists and from rules.yaml route alike; a problem names the list
item and column; a new version is audited with the name of the person SharePoint says
edited it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casedesk.adapters.embedded.clock import SystemClock
from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.adapters.embedded.sqlite_ops import SqliteOpsState
from casedesk.adapters.m365.sharepoint_items import ListItems
from casedesk.adapters.m365.sharepoint_rules import list_items_from_yaml, load_list_rules
from casedesk.bootstrap_m365 import list_rules
from casedesk.core import rules_history
from casedesk.core.rules import Rule
from casedesk.errors import SettingsError
from casedesk.rules_file import load_rules
from casedesk.settings import load_settings
from sharepoint_stack import SITE, SharePointStack, start_stack

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "rules.yaml"
JO = {"id": "5e0f1d7c-0000-4000-8000-00000000j0p1", "displayName": "Jo Price",
      "email": "jo.price@parliament.example"}  # fmt: skip
RULES, PEOPLE = "casedesk-rules", "casedesk-people"


@pytest.fixture
def stack() -> Iterator[SharePointStack]:
    s = start_stack()
    s.fake.add_list(SITE, RULES)
    s.fake.add_list(SITE, PEOPLE)
    try:
        yield s
    finally:
        s.close()


def fill_from(stack: SharePointStack, path: Path) -> dict[str, str]:
    people, rules = list_items_from_yaml(path.read_text(encoding="utf-8"))
    ids = {}
    for fields in people:
        stack.fake.edit_item_as(SITE, PEOPLE, fields, JO)
    for fields in rules:
        ids[fields["Title"]] = stack.fake.edit_item_as(SITE, RULES, fields, JO)
    return ids


def shape(rule: Rule) -> tuple[object, ...]:
    return (rule.name, rule.when, rule.then, rule.cont)


def test_the_sample_rules_read_the_same_from_the_lists_as_from_the_file(
    stack: SharePointStack,
) -> None:
    fill_from(stack, SAMPLE)
    loaded, doc = load_list_rules(ListItems(stack.caller, SITE).all_items, RULES, PEOPLE)
    from_file = load_rules(SAMPLE)
    assert loaded.errors == [] and from_file.errors == []
    assert [shape(r) for r in loaded.rules.rules] == [shape(r) for r in from_file.rules.rules]
    assert loaded.rules.people == from_file.rules.people
    assert loaded.rules.teams == from_file.rules.teams
    assert doc.modified_by == "jo.price@parliament.example"


def test_a_problem_names_the_list_item_and_column_and_disabled_rules_are_ignored(
    stack: SharePointStack,
) -> None:
    ids = fill_from(stack, SAMPLE)
    stack.fake.edit_item_as(
        SITE, RULES, {"Title": "draft-rule", "Order": 1, "When": "{topic: nonsense}",
                      "Then": "{assign: {person: nobody}}", "Enabled": False}, JO,
    )  # fmt: skip
    loaded, _ = load_list_rules(ListItems(stack.caller, SITE).all_items, RULES, PEOPLE)
    assert loaded.errors == [] and "draft-rule" not in [r.name for r in loaded.rules.rules]

    stack.fake.edit_item_as(SITE, RULES, {"When": "{topic: housng}"}, JO, item_id=ids["housing"])
    loaded, doc = load_list_rules(ListItems(stack.caller, SITE).all_items, RULES, PEOPLE)
    [problem] = loaded.errors
    said = doc.render(problem)
    assert f"CaseDesk Rules item 'housing' (id {ids['housing']}), column When" in said
    assert "did you mean 'housing'" in said


def test_broken_list_rules_never_go_live_and_a_new_version_is_audited_by_its_editor(
    stack: SharePointStack, tmp_path: Path
) -> None:
    ids = fill_from(stack, SAMPLE)
    settings = load_settings(
        {"data_dir": tmp_path, "rules_home": "sharepoint",
         "sharepoint_lists": f"rules={RULES},people={PEOPLE}"}, environ={},
    )  # fmt: skip
    repo, db = stack.repository(), Database(tmp_path / "ops.sqlite3")
    ops, clock = SqliteOpsState(db), SystemClock()
    try:
        rules = list_rules(settings, repo, ops, clock, stack.caller, SITE)
        assert rules.rules[-1].is_default
        list_rules(settings, repo, ops, clock, stack.caller, SITE)  # same version: not logged
        [entry] = rules_history.history(repo)
        assert (entry.actor, entry.detail["source"]) == (
            "jo.price@parliament.example", "CaseDesk Rules list",
        )  # fmt: skip

        stack.fake.edit_item_as(
            SITE, RULES, {"Then": "{assign: {person: nobdy}}"}, JO, item_id=ids["housing"]
        )
        still = list_rules(settings, repo, ops, clock, stack.caller, SITE)
        assert [shape(r) for r in still.rules] == [shape(r) for r in rules.rules]
        assert len(rules_history.history(repo)) == 1  # a refused version never ran
    finally:
        db.close()


def test_broken_list_rules_with_no_good_version_refuse_to_start(
    stack: SharePointStack, tmp_path: Path
) -> None:
    ids = fill_from(stack, SAMPLE)
    stack.fake.edit_item_as(
        SITE, RULES, {"Then": "{assign: {person: nobdy}}"}, JO, item_id=ids["housing"]
    )
    settings = load_settings(
        {"data_dir": tmp_path, "rules_home": "sharepoint",
         "sharepoint_lists": f"rules={RULES},people={PEOPLE}"}, environ={},
    )  # fmt: skip
    db = Database(tmp_path / "ops.sqlite3")
    try:
        with pytest.raises(SettingsError, match=r"CaseDesk Rules item 'housing'.*column Then"):
            list_rules(settings, stack.repository(), SqliteOpsState(db), SystemClock(),
                       stack.caller, SITE)  # fmt: skip
    finally:
        db.close()


def test_to_lists_prints_graph_item_bodies_for_a_checked_file(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "casedesk", "--data-dir", str(tmp_path), "rules", "to-lists",
             str(path)], capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"},
        )  # fmt: skip

    done = run(SAMPLE)
    assert done.returncode == 0, done.stderr
    bodies = json.loads(done.stdout)
    assert len(bodies["CaseDesk Rules"]) == len(load_rules(SAMPLE).rules.rules)
    assert bodies["CaseDesk Rules"][-1]["fields"]["IsDefault"] is True
    broken = tmp_path / "broken.yaml"
    broken.write_text(SAMPLE.read_text(encoding="utf-8").replace("housing}", "housng}"))
    refused = run(broken)
    assert refused.returncode == 1 and "casedesk rules check" in refused.stderr
