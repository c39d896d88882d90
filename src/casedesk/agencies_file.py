"""The agencies table: the shipped src/casedesk/agencies.toml, with an office's own file
(the `agencies_file` setting) over it. Errors name the file, the agency and the fix."""

from __future__ import annotations

import difflib
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from casedesk.core.agencies import OFFICE_DEFAULT, Agency
from casedesk.errors import CaseDeskError

FIELDS = ("name", "response_days", "source")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _problems(key: str, table: Any) -> list[str]:
    if not KEY.match(key):
        return [f"[{key}]: use lower-case letters, digits and hyphens, e.g. [my-council]"]
    if not isinstance(table, dict):
        return [f"{key}: expected a table [{key}] with {', '.join(FIELDS)}"]
    problems = []
    for unknown in sorted(set(table) - set(FIELDS)):
        close = difflib.get_close_matches(unknown, FIELDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"[{key}] {unknown}: unknown key{hint}; allowed: {', '.join(FIELDS)}")
    if not isinstance(table.get("name"), str) or not table["name"].strip():
        problems.append(f'[{key}] name: missing; e.g. name = "Cambridge City Council"')
    days = table.get("response_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        problems.append(f"[{key}] response_days: expected whole working days, 1 to 365")
    source = table.get("source")
    if not isinstance(source, str) or not (
        source == OFFICE_DEFAULT or source.startswith("https://")
    ):
        problems.append(
            f'[{key}] source: the published standard\'s https:// address, or "{OFFICE_DEFAULT}"'
        )
    return problems


def parse_agencies(text: str, source: str) -> dict[str, Agency]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseDeskError(f"{source}: not valid TOML: {exc}") from exc
    problems = [p for key, table in data.items() for p in _problems(key, table)]
    if problems:
        raise CaseDeskError(f"{source}: " + "; ".join(problems))
    return {
        key: Agency(key, t["name"].strip(), t["response_days"], t["source"])
        for key, t in data.items()
    }


def shipped_agencies() -> dict[str, Agency]:
    text = (resources.files("casedesk") / "agencies.toml").read_text(encoding="utf-8")
    return parse_agencies(text, "casedesk/agencies.toml")


def load_agencies(office_file: Path | None = None) -> dict[str, Agency]:
    """The shipped table, with the office's file (if any) replacing or adding agencies."""
    agencies = shipped_agencies()
    if office_file is not None:
        if not office_file.is_file():
            raise CaseDeskError(
                f"{office_file}: no such agencies file (setting agencies_file); "
                "copy src/casedesk/agencies.toml to start"
            )
        agencies |= parse_agencies(office_file.read_text(encoding="utf-8"), str(office_file))
    return agencies
