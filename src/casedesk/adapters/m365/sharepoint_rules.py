"""The routing rules' second home: two SharePoint lists an office manager edits in the browser.

Same schema as rules.yaml (docs/routing-rules.md), one list item per rule and per person:

- CaseDesk Rules: Title = rule name; Order (number); When and Then (the rule's `when` and
  `then` written exactly as in rules.yaml, e.g. `{topic: housing}`); Continue, IsDefault and
  Enabled (Yes/No). Disabled rules are left out.
- CaseDesk People: Title = person id (jo.price); FullName; Role (caseworker, office_manager,
  mp, safety_lead); Teams (space-separated team names); EntraId; Email.

The items are turned into a rules.yaml document and parsed by the very same reader, so the
two homes cannot drift apart; every problem is reported against the list item and column it
came from instead of a line number. Who changed the rules is the editor SharePoint records on
the most recently modified item (its lastModifiedBy), which `rules_history` writes to the
audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casedesk.adapters.m365.sharepoint_schema import Column, ListSpec
from casedesk.core.rules_check import Problem
from casedesk.rules_file import Loaded, parse_rules

RULE_LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        "rules",
        "CaseDesk Rules",
        "rule name, e.g. urgent-housing",
        (
            Column("Order", "number", "rules run in ascending order", indexed=True),
            Column("When", "note", "conditions, as in rules.yaml, e.g. {topic: housing}"),
            Column("Then", "note", "actions, as in rules.yaml, e.g. {assign: {team: housing}}"),
            Column("Continue", "boolean", "go on to later rules after this one matches"),
            Column("IsDefault", "boolean", "the rule that catches everything else"),
            Column("Enabled", "boolean", "unticked: the rule is ignored"),
        ),
    ),
    ListSpec(
        "people",
        "CaseDesk People",
        "person id, e.g. jo.price",
        (
            Column("FullName", "text", "display name"),
            Column("Role", "text", "caseworker, office_manager, mp or safety_lead"),
            Column("Teams", "text", "space-separated team names, e.g. housing casework"),
            Column("EntraId", "text", "Microsoft Entra object id (Teams and the add-in)"),
            Column("Email", "text", "work address"),
        ),
    ),
)


@dataclass(frozen=True)
class ListItem:
    """One list item as Graph returns it: its fields, and who last changed it and when."""

    id: str
    fields: dict[str, Any]
    modified_by: str | None = None
    modified_at: str | None = None

    @classmethod
    def from_graph(cls, item: dict[str, Any]) -> ListItem:
        who = (item.get("lastModifiedBy") or {}).get("user") or {}
        values = {k: v for k, v in (item.get("fields") or {}).items() if not k.startswith("@")}
        return cls(
            str(item["id"]),
            values,
            who.get("email") or who.get("displayName"),
            item.get("lastModifiedDateTime"),
        )


@dataclass
class RulesDocument:
    """The lists as a rules.yaml text, with where each line came from."""

    text: str
    origins: list[tuple[int, str]] = field(default_factory=list)  # (first line, origin)
    modified_by: str | None = None

    def origin(self, line: int) -> str:
        found = "CaseDesk lists"
        for first, where in self.origins:
            if first > line:
                break
            found = where
        return found

    def render(self, problem: Problem) -> str:
        return (
            f"{self.origin(problem.line)}: {problem.severity}: {problem.field}: "
            f"{problem.message}. Fix: {problem.fix}"
        )


def _flow(value: Any) -> str:
    """A cell as a YAML scalar that cannot break the document (JSON is valid YAML)."""
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _block(text: str, indent: str) -> list[str]:
    """A When/Then cell, indented under its key; empty means an empty mapping."""
    lines = [ln.rstrip() for ln in str(text or "").replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if ln.strip()]
    return [indent + ln for ln in lines] if lines else [indent + "{}"]


def rules_document(people: list[ListItem], rules: list[ListItem]) -> RulesDocument:
    out = ["version: 1", "people:"]
    doc = RulesDocument("")

    def mark(where: str) -> None:
        doc.origins.append((len(out) + 1, where))

    teams: dict[str, list[str]] = {}
    for person in people:
        f = person.fields
        pid = str(f.get("Title") or "")
        mark(f"CaseDesk People item '{pid}' (id {person.id})")
        parts = [f"id: {_flow(pid)}", f"name: {_flow(f.get('FullName') or pid)}"]
        if f.get("Role"):
            parts.append(f"role: {_flow(f['Role'])}")
        for key, column in (("entra_id", "EntraId"), ("email", "Email")):
            if f.get(column):
                parts.append(f"{key}: {_flow(f[column])}")
        out.append("  - {" + ", ".join(parts) + "}")
        for team in str(f.get("Teams") or "").split():
            teams.setdefault(team, []).append(pid)
    if not people:
        out[-1] = "people: []"
    mark("CaseDesk People (Teams column)")
    out.append("teams:" if teams else "teams: {}")
    for team, members in sorted(teams.items()):
        out.append(f"  {_flow(team)}: [{', '.join(_flow(m) for m in members)}]")
    out.append("rules:")
    enabled = [r for r in rules if r.fields.get("Enabled", True) is not False]
    for rule in sorted(enabled, key=lambda r: (_order(r), r.id)):
        f = rule.fields
        name = str(f.get("Title") or "")
        mark(f"CaseDesk Rules item '{name}' (id {rule.id})")
        out.append(f"  - name: {_flow(name)}")
        out.append(f"    order: {_order(rule)}")
        if f.get("IsDefault"):
            out.append("    default: true")
        else:
            mark(f"CaseDesk Rules item '{name}' (id {rule.id}), column When")
            out.append("    when:")
            out.extend(_block(f.get("When") or "", "      "))
        mark(f"CaseDesk Rules item '{name}' (id {rule.id}), column Then")
        out.append("    then:")
        out.extend(_block(f.get("Then") or "", "      "))
        if f.get("Continue"):
            mark(f"CaseDesk Rules item '{name}' (id {rule.id}), column Continue")
            out.append("    continue: true")
    if not enabled:
        out[-1] = "rules: []"
    doc.text = "\n".join(out) + "\n"
    latest = max(
        (i for i in [*people, *rules] if i.modified_at), key=lambda i: str(i.modified_at),
        default=None,
    )  # fmt: skip
    doc.modified_by = latest.modified_by if latest else None
    return doc


def _order(item: ListItem) -> int:
    try:
        return int(float(item.fields.get("Order") or 0))
    except (TypeError, ValueError):
        return 0


def load_list_rules(
    fetch: Callable[[str], list[dict[str, Any]]], rules_list: str, people_list: str
) -> tuple[Loaded, RulesDocument]:
    """Read both lists (fetch: list id -> Graph listItem JSON, fields expanded) and parse."""
    people = [ListItem.from_graph(i) for i in fetch(people_list)]
    rules = [ListItem.from_graph(i) for i in fetch(rules_list)]
    doc = rules_document(people, rules)
    return parse_rules(doc.text, "CaseDesk Rules list"), doc


def list_items_from_yaml(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A rules.yaml as the fields of CaseDesk People and CaseDesk Rules items (to fill the
    lists once, from a file that `casedesk rules check` passes). Order goes up in tens, so
    a rule can be slotted in between later without renumbering."""
    import yaml

    doc = yaml.safe_load(text) or {}
    teams_of: dict[str, list[str]] = {}
    for team, members in (doc.get("teams") or {}).items():
        for member in members or []:
            teams_of.setdefault(str(member), []).append(str(team))
    people = []
    for p in doc.get("people") or []:
        pid = str(p["id"])
        people.append(
            {
                "Title": pid,
                "FullName": str(p.get("name") or pid),
                "Role": str(p.get("role") or "caseworker"),
                "Teams": " ".join(teams_of.get(pid, [])),
                "EntraId": str(p.get("entra_id") or ""),
                "Email": str(p.get("email") or ""),
            }
        )
    rules = []
    for n, r in enumerate(doc.get("rules") or [], start=1):

        def flow(value: Any) -> str:
            dumped = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000)
            return str(dumped).strip()

        rules.append(
            {
                "Title": str(r["name"]),
                "Order": int(r.get("order", n * 10)),
                "When": "" if r.get("default") else flow(r.get("when") or {}),
                "Then": flow(r.get("then") or {}),
                "Continue": bool(r.get("continue", False)),
                "IsDefault": bool(r.get("default", False)),
                "Enabled": True,
            }
        )
    return people, rules
