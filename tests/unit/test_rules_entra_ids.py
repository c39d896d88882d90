"""People's Entra object ids in rules.yaml: how the Outlook add-in (and the Teams bot) know
who is calling. A typo or a shared id would let the wrong person act, so both are errors."""

from __future__ import annotations

from casedesk.rules_file import parse_rules

RULES = """
version: 1
people:
{people}
rules:
  - name: everything
    default: true
    then: {{assign: {{person: jo.price}}}}
"""
JO = "6F1A0C2E-3B4D-4E5F-9A8B-7C6D5E4F3A2B"


def parsed(people: str) -> tuple[dict[str, object], list[str]]:
    loaded = parse_rules(RULES.format(people=people), "rules.yaml")
    ids = {pid: person.entra_id for pid, person in loaded.rules.people.items()}
    return ids, [f"{p.line}: {p.message}" for p in loaded.errors]


def test_entra_ids_are_kept_lower_case_and_optional() -> None:
    ids, errors = parsed(
        f"  - {{id: jo.price, name: Jo Price, role: office_manager, entra_id: {JO}}}\n"
        "  - {id: tom.reid, name: Tom Reid}"
    )
    assert errors == []
    assert ids == {"jo.price": JO.lower(), "tom.reid": None}


def test_an_entra_id_that_is_not_a_guid_is_an_error_naming_the_line() -> None:
    _, errors = parsed("  - {id: jo.price, name: Jo Price, entra_id: jo.price@parliament.uk}")
    assert errors == ["4: 'jo.price@parliament.uk' is not an Entra object id"]


def test_two_people_with_one_entra_id_is_an_error() -> None:
    _, errors = parsed(
        f"  - {{id: jo.price, name: Jo Price, entra_id: {JO}}}\n"
        f"  - {{id: tom.reid, name: Tom Reid, entra_id: {JO.lower()}}}"
    )
    assert errors == [f"5: {JO.lower()} is already jo.price's"]
