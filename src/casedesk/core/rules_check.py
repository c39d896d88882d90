"""Static checks on a rule set: what `casedesk rules check` reports beyond the file's syntax.

Errors stop a rule set going live: an unknown person or team, no default rule, a rule that
can never match because an earlier one takes every message it would (shadowed). Warnings
are for a person to judge: two rules that both match some messages (the first wins), when
neither is simply the general case of the other (casework after housing is not warned).
The shadow and overlap checks reason only about plain conjunctions of conditions (a leaf or
`all` of leaves); rules using `any`/`not` are not compared, and say so nowhere, so the
checks never report a false error. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from casedesk.core.rules import Leaf, Rule, RuleSet, leaves

PREFIX_FIELDS = ("postcode_prefix",)


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str
    fix: str
    severity: str = "error"  # or "warning"

    def render(self, source: str) -> str:
        return (
            f"{source}:{self.line}: {self.severity}: {self.field}: {self.message}. Fix: {self.fix}"
        )


def _within(inner: Leaf, outer: Leaf) -> bool:
    """Every value `inner` accepts, `outer` accepts too."""
    if inner.field in PREFIX_FIELDS:
        return all(any(i.startswith(o) for o in outer.values) for i in inner.values)
    return set(inner.values) <= set(outer.values)


def _meet(a: Leaf, b: Leaf) -> bool:
    """Some value satisfies both leaves on the same field."""
    if a.field in PREFIX_FIELDS:
        return any(x.startswith(y) or y.startswith(x) for x in a.values for y in b.values)
    if a.field in ("keywords",):
        return True  # a message can contain both words
    return bool(set(a.values) & set(b.values))


def covers(earlier: Rule, later: Rule) -> bool:
    """Every message `later` matches is matched by `earlier` (conjunctions only)."""
    a, b = leaves(earlier.when), leaves(later.when)
    if a is None or b is None:
        return False
    return all(any(lb.field == la.field and _within(lb, la) for lb in b) for la in a)


def overlap(x: Rule, y: Rule) -> bool:
    a, b = leaves(x.when), leaves(y.when)
    if a is None or b is None or not a or not b:
        return False
    return all(_meet(la, lb) for la in a for lb in b if la.field == lb.field)


def check(rules: RuleSet) -> list[Problem]:
    problems: list[Problem] = []
    for person_team, members in rules.teams.items():
        for m in members:
            if m not in rules.people:
                problems.append(
                    Problem(0, f"teams.{person_team}", f"unknown person {m!r}",
                            f"add {m!r} under people, or remove them from the team")
                )  # fmt: skip
    for rule in rules.rules:
        for key, a, verb in (("assign", rule.then.assign, "assigns"),
                             ("escalate_to", rule.then.escalate_to, "escalates")):  # fmt: skip
            if a and a.person and a.person not in rules.people:
                problems.append(
                    Problem(rule.line, f"then.{key}.person", f"rule {rule.name!r} {verb} to unknown person {a.person!r}",
                            f"use one of {', '.join(sorted(rules.people)) or '(no people defined)'}")
                )  # fmt: skip
            if a and a.team and a.team not in rules.teams:
                problems.append(
                    Problem(rule.line, f"then.{key}.team", f"rule {rule.name!r} {verb} to unknown team {a.team!r}",
                            f"use one of {', '.join(sorted(rules.teams)) or '(no teams defined)'}")
                )  # fmt: skip
    problems += _escalation_problems(rules)
    deciding = [r for r in rules.rules if not r.cont]
    if not any(r.is_default for r in rules.rules):
        problems.append(
            Problem(rules.rules[-1].line if rules.rules else 1, "rules", "no default rule",
                    "end the rules with one that has `default: true`, so every message is routed")
        )  # fmt: skip
    for j, later in enumerate(rules.rules):
        earlier = [r for r in deciding if rules.rules.index(r) < j]
        shadow = next((r for r in earlier if covers(r, later)), None)
        if shadow is not None:
            problems.append(
                Problem(later.line, "when", f"rule {later.name!r} can never match: rule {shadow.name!r} (line {shadow.line}) takes every message it would",
                        f"move {later.name!r} above {shadow.name!r}, or narrow {shadow.name!r}")
            )  # fmt: skip
            continue
        if later.cont:
            continue
        for r in earlier:
            # A general rule after a specific one (casework after housing) is the usual,
            # intended pattern: only rules that neither contains are worth a warning.
            if not r.is_default and overlap(r, later) and not covers(later, r):
                problems.append(
                    Problem(later.line, "when", f"rule {later.name!r} overlaps rule {r.name!r} (line {r.line}): messages matching both go to {r.name!r}",
                            "if that is intended, ignore this; otherwise add a condition that tells them apart", "warning")
                )  # fmt: skip
    return problems


def _escalation_problems(rules: RuleSet) -> list[Problem]:
    """notify_manager needs an office manager to notify; escalate_to and notify_manager only
    act on an overdue case, so a rule using them needs an SLA (its own, or one an earlier
    `continue` rule set) or `escalate: true`."""
    problems: list[Problem] = []
    managers = [p for p in rules.people.values() if p.role == "office_manager"]
    sla_before = False  # an earlier `continue` rule sets an SLA that carries into this one
    for rule in rules.rules:
        a = rule.then
        if a.notify_manager and not managers:
            problems.append(
                Problem(rule.line, "then.notify_manager", f"rule {rule.name!r} notifies the office manager, but nobody has role office_manager",
                        "give someone `role: office_manager` under people")
            )  # fmt: skip
        if (a.escalate_to or a.notify_manager) and not (a.sla_hours or a.escalate or sla_before):
            problems.append(
                Problem(rule.line, "then.escalate_to" if a.escalate_to else "then.notify_manager",
                        f"rule {rule.name!r} says what to do when a case is overdue, but sets no sla_hours, so its cases are never overdue",
                        "add `sla_hours: N`, or `escalate: true` to escalate at once", "warning")
            )  # fmt: skip
        if rule.cont and a.sla_hours:
            sla_before = True
    return problems
