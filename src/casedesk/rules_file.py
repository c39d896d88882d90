"""Reading rules.yaml into a core RuleSet, with the line of every problem.

The file is composed (not just loaded) with PyYAML so each node keeps its line; every error
names the file, line, field and a fix, with a did-you-mean for misspelt categories, topics,
fields and people. The schema is in docs/routing-rules.md.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casedesk.core.models import Category, Topic
from casedesk.core.rules import (
    BOOL_FIELDS,
    FIELDS,
    Actions,
    All,
    AnyOf,
    Assign,
    Condition,
    Leaf,
    Not,
    Person,
    Priority,
    Rule,
    RuleSet,
    Strategy,
)
from casedesk.core.rules_check import Problem, check
from casedesk.errors import CaseDeskError

RULE_KEYS = ("name", "when", "then", "continue", "default", "order")
ACTION_KEYS = (
    "assign", "priority", "sla_hours", "tags", "require_signoff", "template", "escalate",
    "escalate_to", "notify_manager",
)  # fmt: skip
ASSIGN_KEYS = ("person", "team", "strategy")
ROLES = ("caseworker", "office_manager", "mp", "safety_lead")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class RulesError(CaseDeskError):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


@dataclass
class Loaded:
    rules: RuleSet
    problems: list[Problem]  # errors and warnings, from parsing and from core checks
    digest: str  # sha256 of the file's bytes: the rules version
    checked: bool = True  # False: the file had errors, so shadowing/overlap were not checked

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, node: Any, field: str, message: str, fix: str) -> None:
        self.problems.append(Problem(_line(node), field, message, fix))

    def mapping(self, node: Any, field: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.error(
                node, field, "expected a mapping (key: value lines)", "see docs/routing-rules.md"
            )
            return {}
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in allowed:
                self.error(key_node, f"{field}.{key}", f"unknown key {key!r}",
                           f"{_suggest(key, list(allowed))}allowed: {', '.join(allowed)}")  # fmt: skip
                continue
            out[key] = value_node
        return out

    def scalars(self, node: Any) -> list[tuple[str, Any]]:
        import yaml

        if isinstance(node, yaml.SequenceNode):
            return [(str(n.value), n) for n in node.value if isinstance(n, yaml.ScalarNode)]
        if isinstance(node, yaml.ScalarNode):
            return [(str(node.value), node)]
        return []

    def text(self, node: Any) -> str:
        return str(node.value) if hasattr(node, "value") and isinstance(node.value, str) else ""

    def flag(self, node: Any, field: str) -> bool:
        value = self.text(node).lower()
        if value not in ("true", "false", "yes", "no"):
            self.error(
                node,
                field,
                f"expected true or false, got {self.text(node)!r}",
                "write true or false",
            )
        return value in ("true", "yes")

    # --- conditions ---------------------------------------------------------------------

    def condition(self, node: Any, field: str) -> Condition | None:
        import yaml

        if isinstance(node, yaml.SequenceNode):  # a list of conditions means all of them
            listed = [self.condition(n, field) for n in node.value]
            return All(tuple(p for p in listed if p is not None))
        entries = self.mapping(node, field, ("all", "any", "not", *FIELDS))
        parts: list[Condition] = []
        for key, value in entries.items():
            if key in ("all", "any"):
                inner = [self.condition(n, f"{field}.{key}") for n in getattr(value, "value", [])]
                items: tuple[Condition, ...] = tuple(p for p in inner if p is not None)
                parts.append(All(items) if key == "all" else AnyOf(items))
            elif key == "not":
                inner_one = self.condition(value, f"{field}.not")
                if inner_one is not None:
                    parts.append(Not(inner_one))
            else:
                leaf = self.leaf(key, value, f"{field}.{key}")
                if leaf is not None:
                    parts.append(leaf)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def leaf(self, key: str, node: Any, field: str) -> Leaf | None:
        if key in BOOL_FIELDS:
            return Leaf(key, (str(self.flag(node, field)).lower(),), _line(node))
        values = self.scalars(node)
        if not values:
            self.error(node, field, "expected a value or a list of values", f"e.g. {key}: [value]")
            return None
        known = {"category": [c.value for c in Category], "topic": [t.value for t in Topic]}
        out: list[str] = []
        for value, vnode in values:
            if key in known and value not in known[key]:
                self.error(vnode, field, f"unknown {key} {value!r}",
                           f"{_suggest(value, known[key])}one of {', '.join(known[key])}")  # fmt: skip
                continue
            if key == "postcode_prefix":
                out.append(value.replace(" ", "").upper())
            elif key in ("campaign", "category", "topic"):
                out.append(value)
            else:
                out.append(value.casefold())
        return Leaf(key, tuple(out), _line(node)) if out else None

    # --- actions and rules --------------------------------------------------------------

    def assign(self, node: Any, field: str, people: dict[str, Person]) -> Assign:
        """`{person: ID}` or `{team: NAME, strategy: ...}`: for `assign` and `escalate_to`."""
        a = self.mapping(node, field, ASSIGN_KEYS)
        person = self.text(a["person"]) if "person" in a else None
        if person and person not in people:
            self.error(a["person"], f"{field}.person", f"unknown person {person!r}",
                       f"{_suggest(person, list(people))}add them under people, or use one of {', '.join(sorted(people))}")  # fmt: skip
        strategy = Strategy.ROUND_ROBIN
        if "strategy" in a:
            try:
                strategy = Strategy(self.text(a["strategy"]))
            except ValueError:
                self.error(a["strategy"], f"{field}.strategy", f"unknown strategy {self.text(a['strategy'])!r}",
                           "round_robin or least_loaded")  # fmt: skip
        team = self.text(a["team"]) if "team" in a else None
        if bool(person) == bool(team):
            self.error(node, field, f"{field.rpartition('.')[2]} needs exactly one of person or team",
                       "write `person: NAME` or `team: NAME`")  # fmt: skip
        return Assign(person or None, team or None, strategy)

    def actions(self, node: Any, field: str, people: dict[str, Person]) -> Actions:
        entries = self.mapping(node, field, ACTION_KEYS)
        assign = (
            self.assign(entries["assign"], f"{field}.assign", people)
            if "assign" in entries
            else None
        )
        priority = None
        if "priority" in entries:
            try:
                priority = Priority(self.text(entries["priority"]))
            except ValueError:
                self.error(entries["priority"], f"{field}.priority", f"unknown priority {self.text(entries['priority'])!r}",
                           "low, normal, high or urgent")  # fmt: skip
        sla = None
        if "sla_hours" in entries:
            try:
                sla = float(self.text(entries["sla_hours"]))
                if sla <= 0:
                    raise ValueError
            except ValueError:
                self.error(entries["sla_hours"], f"{field}.sla_hours", "expected a positive number of working hours",
                           "e.g. sla_hours: 48")  # fmt: skip
        return Actions(
            assign=assign,
            priority=priority,
            sla_hours=sla,
            tags=tuple(v for v, _ in self.scalars(entries["tags"])) if "tags" in entries else (),
            require_signoff=self.flag(entries["require_signoff"], f"{field}.require_signoff") if "require_signoff" in entries else False,
            template=self.text(entries["template"]) if "template" in entries else None,
            escalate=self.flag(entries["escalate"], f"{field}.escalate") if "escalate" in entries else False,
            escalate_to=self.assign(entries["escalate_to"], f"{field}.escalate_to", people) if "escalate_to" in entries else None,
            notify_manager=self.flag(entries["notify_manager"], f"{field}.notify_manager") if "notify_manager" in entries else False,
        )  # fmt: skip

    def rule(self, node: Any, index: int, people: dict[str, Person]) -> tuple[int, Rule] | None:
        entries = self.mapping(node, f"rules[{index}]", RULE_KEYS)
        name = self.text(entries["name"]) if "name" in entries else ""
        if not name:
            self.error(
                node,
                f"rules[{index}].name",
                "every rule needs a name",
                "add `name: something-readable`",
            )
            name = f"rule-{index + 1}"
        field = f"rule {name}"
        is_default = "default" in entries and self.flag(entries["default"], f"{field}.default")
        when = self.condition(entries["when"], f"{field}.when") if "when" in entries else None
        if is_default and "when" in entries:
            self.error(
                entries["when"],
                f"{field}.when",
                "a default rule has no conditions",
                "remove `when`, or `default`",
            )
        if not is_default and when is None:
            if "when" in entries:  # its conditions had errors, reported already
                return None
            self.error(node, f"{field}.when", "no conditions (a rule without any matches everything)",
                       "add `when:`, or mark it `default: true`")  # fmt: skip
            return None
        if "then" not in entries:
            self.error(
                node,
                f"{field}.then",
                "no actions",
                "add `then:` with assign, priority, sla_hours, ...",
            )
        then = (
            self.actions(entries["then"], f"{field}.then", people)
            if "then" in entries
            else Actions()
        )
        order = index
        if "order" in entries:
            try:
                order = int(self.text(entries["order"]))
            except ValueError:
                self.error(
                    entries["order"], f"{field}.order", "expected a whole number", "e.g. order: 10"
                )
        cont = "continue" in entries and self.flag(entries["continue"], f"{field}.continue")
        return order, Rule(name, None if is_default else when, then, cont, _line(node))


def parse_rules(text: str, source: str = "rules.yaml") -> Loaded:
    import yaml

    reader = _Reader()
    digest = hashlib.sha256(text.encode()).hexdigest()
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = int(mark.line) + 1 if mark is not None else 1
        problem = Problem(
            line, "yaml", str(getattr(exc, "problem", exc)), "fix the YAML syntax at that line"
        )
        return Loaded(RuleSet((), source=source), [problem], digest)
    if root is None:
        return Loaded(
            RuleSet((), source=source),
            [Problem(1, "rules", "the file is empty", "see samples/rules.yaml")],
            digest,
        )
    top = reader.mapping(root, "file", ("version", "people", "teams", "rules"))
    people: dict[str, Person] = {}
    entra_owner: dict[str, str] = {}
    if "people" in top:
        for pnode in getattr(top["people"], "value", []):
            p = reader.mapping(pnode, "people[]", ("id", "name", "role", "entra_id", "email"))
            pid = reader.text(p["id"]) if "id" in p else ""
            if not pid:
                reader.error(pnode, "people[].id", "a person needs an id", "add `id: first.last`")
                continue
            role = reader.text(p["role"]) if "role" in p else "caseworker"
            if role not in ROLES:
                reader.error(
                    p["role"],
                    "people[].role",
                    f"unknown role {role!r}",
                    f"{_suggest(role, list(ROLES))}one of {', '.join(ROLES)}",
                )
            entra_id = reader.text(p["entra_id"]).strip().lower() if "entra_id" in p else None
            if entra_id and not _GUID.match(entra_id):
                reader.error(p["entra_id"], "people[].entra_id", f"{entra_id!r} is not an Entra object id",
                             "copy the Object ID (a GUID) from the user's page in the Entra admin centre")  # fmt: skip
            elif entra_id and entra_id in entra_owner:
                reader.error(p["entra_id"], "people[].entra_id", f"{entra_id} is already {entra_owner[entra_id]}'s",
                             "each person needs their own Entra object id")  # fmt: skip
            elif entra_id:
                entra_owner[entra_id] = pid
            people[pid] = Person(
                pid, reader.text(p["name"]) if "name" in p else pid, role, entra_id or None,
                reader.text(p["email"]) or None if "email" in p else None,
            )  # fmt: skip
    teams: dict[str, tuple[str, ...]] = {}
    if "teams" in top:
        for key_node, members in getattr(top["teams"], "value", []):
            names = tuple(v for v, _ in reader.scalars(members))
            for v, vnode in reader.scalars(members):
                if v not in people:
                    reader.error(vnode, f"teams.{key_node.value}", f"unknown person {v!r}",
                                 f"{_suggest(v, list(people))}add them under people")  # fmt: skip
            teams[str(key_node.value)] = names
    rules: list[tuple[int, Rule]] = []
    for index, rnode in enumerate(getattr(top.get("rules"), "value", []) or []):
        parsed = reader.rule(rnode, index, people)
        if parsed is not None:
            rules.append(parsed)
    if "rules" not in top:
        reader.error(root, "rules", "no rules", "add a `rules:` list ending with a default rule")
    ordered = tuple(r for _, r in sorted(rules, key=lambda pair: pair[0]))
    ruleset = RuleSet(ordered, people, teams, source)
    if reader.problems:  # a rule with a bad condition would give misleading shadow reports
        return Loaded(ruleset, reader.problems, digest, checked=False)
    return Loaded(ruleset, check(ruleset), digest)


def load_rules(path: Path) -> Loaded:
    if not path.is_file():
        raise CaseDeskError(f"{path}: no such rules file; copy samples/rules.yaml to start")
    return parse_rules(path.read_text(encoding="utf-8"), str(path))


def live_rules(path: Path) -> RuleSet:
    """Rules to route with: refuses a file with errors, naming each."""
    loaded = load_rules(path)
    if loaded.errors:
        raise RulesError(str(path), loaded.errors)
    return loaded.rules
