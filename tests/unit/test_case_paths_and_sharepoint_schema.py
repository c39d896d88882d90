"""Case folder naming shared by the CaseFiles adapters, and the SharePoint list schema."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casedesk.adapters.embedded.local_files import LocalCaseFiles
from casedesk.adapters.m365.sharepoint_files import sharepoint_name
from casedesk.adapters.m365.sharepoint_lists import search_words
from casedesk.adapters.m365.sharepoint_schema import (
    SCHEMA,
    SPECS,
    CaseDeskLists,
    case,
    case_fields,
    create_list_body,
    message_key,
    odata_string,
)
from casedesk.adapters.m365.sharepoint_unit import PROVISIONAL_BASE, replace_provisional
from casedesk.core import case_paths
from casedesk.core.mime import parse_message
from casedesk.core.models import Case, CaseStatus, Category, Classification, NewCase, Topic
from casedesk.errors import SettingsError
from mailmaker import mail

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_paths_and_summary_match_the_local_store_byte_for_byte(tmp_path: Path) -> None:
    data = mail(
        attachments=[
            ("../evil.sh", "text/x-sh", b"1"),
            ("same.txt", "text/plain", b"2"),
            ("SAME.txt", "text/plain", b"3"),
            ("noext", "application/octet-stream", b"4"),
            ("noext", "application/octet-stream", b"5"),
        ]
    )
    message = parse_message(data)
    local = LocalCaseFiles(tmp_path)
    eml = local.file_message("CD-2026-000001", message)
    files = case_paths.message_files("CD-2026-000001", message)
    written = sorted(
        str(p.relative_to(tmp_path)).replace("\\", "/") for p in tmp_path.rglob("*") if p.is_file()
    )
    assert files.eml == eml
    assert sorted([files.eml, *(path for path, _ in files.attachments)]) == written

    case_ = Case(
        "CD-2026-000001", "p@example.org", "Prïya", "Damp", Category.CASEWORK, Topic.HOUSING,
        True, CaseStatus.NEW, None, None, "s", NOW, NOW, postcode="CB1 2AD",
    )  # fmt: skip
    path = Path(local.write_summary(case_, []))
    assert path.read_bytes() == case_paths.summary_json(case_, [])
    assert case_paths.summary_path("CD-2026-000001") == "cases/CD-2026-000001/case.json"
    assert case_paths.quarantine_path("ab" * 32) == f"quarantine/{'ab' * 32}.eml"


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b", "x\x00y"])
def test_a_segment_that_could_climb_out_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="outside the case folder"):
        case_paths.draft_path("CD-2026-000001", name)


def test_names_sharepoint_refuses_are_prefixed() -> None:
    assert sharepoint_name("~$report.docx") == "_~$report.docx"
    assert sharepoint_name("desktop.ini") == "_desktop.ini"
    assert sharepoint_name("a_vti_b.txt") == "a_vti-b.txt"
    assert sharepoint_name("letter.pdf") == "letter.pdf"


def test_every_case_field_has_a_home_in_the_lists() -> None:
    c = Classification(Category.POLICY, Topic.TAX, True, 0.4, ("r",), "k")
    new = NewCase(7, "Subj", "subj", c, "jo", "cluster-1", "sum", NOW)
    fields = case_fields("CD-2026-000009", new, "p@example.org", "unit")
    person = {"Title": "p@example.org", "FullName": "P", "Postcode": "LS6 1AN"}
    built = case(fields, person, 3)
    assert dataclasses.asdict(built) == dataclasses.asdict(
        Case(
            "CD-2026-000009",
            "p@example.org",
            "P",
            "Subj",
            Category.POLICY,
            Topic.TAX,
            True,
            CaseStatus.NEW,
            "jo",
            "cluster-1",
            "sum",
            NOW,
            NOW,
            3,
            "LS6 1AN",
        )
    )
    cases = SPECS["cases"]
    assert set(fields) == {"Title", *(col.name for col in cases.columns)}


def test_schema_filters_only_on_indexed_columns_and_renders_list_bodies() -> None:
    assert [s.key for s in SCHEMA] == [f.name for f in dataclasses.fields(CaseDeskLists)]
    assert {"ConstituentEmail", "Category", "Status", "Assignee"} <= set(SPECS["cases"].indexed)
    assert {"Sha256", "CaseRef"} <= set(SPECS["messages"].indexed)
    body = create_list_body(SPECS["messages"])
    assert body["list"] == {"template": "genericList"}
    by_name = {c["name"]: c for c in body["columns"]}
    assert by_name["NewText"]["text"]["allowMultipleLines"] is True
    assert by_name["Sha256"]["indexed"] is True


def test_list_ids_missing_from_settings_are_all_named() -> None:
    with pytest.raises(SettingsError, match="audit, quarantine, campaigns, counters"):
        CaseDeskLists.from_mapping({"cases": "a", "constituents": "b", "messages": "c"})


def test_keys_literals_and_search_words() -> None:
    assert message_key("<a@b>") == "<a@b>"
    assert message_key("<" + "x" * 300 + ">").startswith("sha256:")
    assert odata_string("O'Brien") == "'O''Brien'"
    assert search_words('Mould" OR x') == ["mould", "or", "x"]
    assert search_words("Café DAMP") == ["cafe", "damp"]
    stand_in = PROVISIONAL_BASE - 10**6
    assert replace_provisional(
        {"constituent": stand_in, "urgent": True, "n": 1}, {stand_in: 4}
    ) == {
        "constituent": 4,
        "urgent": True,
        "n": 1,
    }


def test_the_schema_doc_lists_every_list_and_column() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "sharepoint-schema.md").read_text()
    for spec in SCHEMA:
        assert f"### {spec.display_name} (settings key `{spec.key}`)" in doc
        for column in spec.columns:
            assert f"| {column.name} |" in doc, (spec.key, column.name)
