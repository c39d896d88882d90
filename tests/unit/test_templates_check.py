"""`casedesk templates check`: file, line and a fix for every problem in an office's templates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from casedesk.adapters.embedded.template_check import check_templates

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def rendered(folder: Path, **rules: object) -> list[str]:
    report = check_templates(folder, NOW, **rules)  # type: ignore[arg-type]
    return [p.render(report.folder) for p in report.problems]


def test_the_built_in_set_is_clean() -> None:
    report = check_templates(None, NOW)
    assert report.problems == []
    assert {"default.txt.j2", "casework/housing.txt.j2", "_signature.txt.j2"} <= set(
        report.templates
    )


def test_an_unknown_field_is_named_with_its_line_and_a_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path, "casework.txt.j2", "{{ salutation }},\n\nYour case is {{ case_rf }}.\n")
    [problem] = rendered(tmp_path)
    assert problem == (
        f"{tmp_path}/casework.txt.j2:3: error: unknown field 'case_rf'. Fix: did you mean "
        "'case_ref'? fields are listed in docs/replies.md (casedesk templates check --json "
        "lists them too)"
    )


def test_fields_set_or_looped_in_the_template_are_not_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        "default.txt.j2",
        "{% set greeting = salutation %}{{ greeting }}\n"
        "{% for line in ['a', 'b'] %}{{ line }} {{ loop.index }}{% endfor %}\n",
    )
    assert rendered(tmp_path) == []


def test_syntax_errors_say_which_block_to_close_or_which_tag_was_meant(tmp_path: Path) -> None:
    write(tmp_path, "casework.txt.j2", "{{ salutation }},\n{% if is_urgent %}\nUrgent.\n")
    write(tmp_path, "policy.txt.j2", "{{ salutation }},\n\n{% endfi %}\n")
    write(tmp_path, "press.txt.j2", "{{ salutation }\n")
    problems = rendered(tmp_path)
    assert any(
        p.startswith(f"{tmp_path}/casework.txt.j2:")
        and "Fix: close the block with {% endif %}" in p
        for p in problems
    ), problems
    assert (
        f"{tmp_path}/policy.txt.j2:3: error: syntax: Encountered unknown tag 'endfi'."
        in (problems[1])
    )
    assert "did you mean 'endif'?" in problems[1]
    assert problems[2].startswith(f"{tmp_path}/press.txt.j2:1: error: syntax:")


def test_unknown_filters_and_missing_includes_are_errors_with_suggestions(tmp_path: Path) -> None:
    write(tmp_path, "casework.txt.j2", "{{ salutation }}\n{{ mp_name|uper }}\n")
    write(tmp_path, "policy.txt.j2", "{{ salutation }}\n\n{% include '_signatur.txt.j2' %}\n")
    casework, policy = rendered(tmp_path)
    assert "casework.txt.j2:2: error: No filter named 'uper'" in casework
    assert "did you mean 'upper'?" in casework
    assert "policy.txt.j2:3: error: includes '_signatur.txt.j2', which does not exist" in policy
    assert "did you mean '_signature.txt.j2'?" in policy


def test_what_the_sandbox_refuses_is_found_by_a_trial_render(tmp_path: Path) -> None:
    write(tmp_path, "default.txt.j2", "{{ salutation }}\n\n{{ subject.__class__.__mro__ }}\n")
    [problem] = rendered(tmp_path)
    assert problem.startswith(f"{tmp_path}/default.txt.j2:3: error: fails when rendered:")


def test_files_the_chain_can_never_choose_are_warned_about(tmp_path: Path) -> None:
    write(tmp_path, "casework.j2", "{{ salutation }}\n")
    write(tmp_path, "casewrk/housing.txt.j2", "{{ salutation }}\n")
    write(tmp_path, "casework/housng.txt.j2", "{{ salutation }}\n")
    write(tmp_path, "abuse.txt.j2", "{{ salutation }}\n")
    report = check_templates(tmp_path, NOW)
    assert report.errors == []
    text = "\n".join(p.render(report.folder) for p in report.problems)
    assert (
        "casework.j2:1: warning: not used: reply templates end in .txt.j2. Fix: rename it to casework.txt.j2"
        in text
    )
    assert "'casewrk' is not a category" in text and "did you mean 'casework'?" in text
    assert "'housng' is not a topic" in text and "did you mean 'housing'?" in text
    assert "abuse mail never gets an automatic draft" in text


def test_a_rule_naming_a_missing_template_is_an_error_at_the_rules_line(tmp_path: Path) -> None:
    write(tmp_path, "handoff.txt.j2", "{{ salutation }}\n")
    problems = rendered(
        tmp_path,
        rule_templates=[("rules.yaml", 40, "handoff"), ("rules.yaml", 52, "handof-own-mp")],
    )
    [problem] = problems
    assert problem.startswith(
        "rules.yaml:52: error: rule names template 'handof-own-mp', which does not exist. "
        "Fix: did you mean 'handoff-own-mp'?"
    )


def test_the_replies_doc_lists_every_merge_field() -> None:
    from casedesk.core.reply_templates import MERGE_FIELDS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "replies.md").read_text()
    for name in MERGE_FIELDS:
        assert f"| {name} |" in doc, name
