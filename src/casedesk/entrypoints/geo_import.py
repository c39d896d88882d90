"""Load the ONS Postcode Directory (or an extract of it) into the Gazetteer.

Columns are found by their published header names, so one reader covers the ONSPD and the
NSPL across releases: `pcds`; the ward in `osward` (older ONSPD), `ward` (older NSPL) or
`wdNNcd` (2025 on); the constituency in `pcon` or `pconNNcd`; the local authority in
`oslaua`, `laua` or `ladNNcd`; `doterm` when the postcode was terminated. Names come from
separate lookups with ONS headers (`WDnnCD`, `WDnnNM`, `PCONnnCD`, `PCONnnNM`, `LADnnCD`):
the ONSPD's own Documents/*names and codes*.csv, or the Ward to Westminster Parliamentary
Constituency to LAD lookup, which also says which constituency each ward is in.

The file is streamed: memory does not grow with its size (the full ONSPD is ~2.7M rows).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from casedesk.core.geo import (
    Place,
    WardInfo,
    is_2024_constituency,
    is_gss_code,
    normalise_postcode,
    place_from_row,
)
from casedesk.errors import CaseDeskError
from casedesk.ports import Gazetteer

MAX_REPORTED_BAD_ROWS = 100
_PROGRESS_EVERY_LINES = 5_000


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What one file gave: every row read is imported, skipped as terminated, or bad."""

    file: str
    rows_read: int = 0
    imported: int = 0
    terminated_skipped: int = 0
    bad_rows: int = 0
    bad_examples: list[BadRow] = field(default_factory=list)
    constituency_from_ward: int = 0
    without_constituency: int = 0
    old_constituency_codes: int = 0  # pre-2024 constituencies, dropped
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def balances(self) -> bool:
        return self.rows_read == self.imported + self.terminated_skipped + self.bad_rows

    def bad(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.bad_examples) < MAX_REPORTED_BAD_ROWS:
            self.bad_examples.append(BadRow(line, reason))

    def as_record(self) -> dict[str, object]:
        return {
            "file": self.file,
            "rows_read": self.rows_read,
            "imported": self.imported,
            "terminated_skipped": self.terminated_skipped,
            "bad_rows": self.bad_rows,
            "bad_examples": [{"line": b.line, "reason": b.reason} for b in self.bad_examples],
            "constituency_from_ward": self.constituency_from_ward,
            "without_constituency": self.without_constituency,
            "old_constituency_codes": self.old_constituency_codes,
            "columns": self.columns,
            "balances": self.balances,
        }


@dataclass(frozen=True)
class NameLookup:
    wards: dict[str, WardInfo] = field(default_factory=dict)
    constituencies: dict[str, str] = field(default_factory=dict)


# --- columns -----------------------------------------------------------------------------

_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode")
_WARD = re.compile(r"osward|ward|wd(\d\d)cd")
_CONSTITUENCY = re.compile(r"pcon|pcon(\d\d)cd")
_LOCAL_AUTHORITY = re.compile(r"oslaua|laua|lad(\d\d)cd")


def _pick(header: Sequence[str], pattern: re.Pattern[str]) -> int | None:
    """Index of the matching column; with several vintages (pcon19cd, pcon24cd) the newest."""
    best: tuple[int, int] | None = None
    for index, name in enumerate(header):
        match = pattern.fullmatch(name)
        if match:
            year = int(match.group(1)) if match.lastindex and match.group(1) else 0
            if best is None or year > best[0]:
                best = (year, index)
    return best[1] if best else None


@dataclass(frozen=True)
class _Columns:
    postcode: int
    ward: int | None
    constituency: int | None
    local_authority: int | None
    doterm: int | None
    width: int

    def described(self, header: Sequence[str]) -> dict[str, str]:
        found = {
            "postcode": self.postcode,
            "ward": self.ward,
            "constituency": self.constituency,
            "local_authority": self.local_authority,
            "terminated": self.doterm,
        }
        return {role: header[i] for role, i in found.items() if i is not None}


def _columns(path: Path, raw_header: Sequence[str]) -> _Columns:
    header = [h.strip().lower() for h in raw_header]
    postcode = next((header.index(c) for c in _POSTCODE_COLUMNS if c in header), None)
    if postcode is None:
        raise CaseDeskError(
            f"{path} line 1: no postcode column (expected the ONSPD's 'pcds'); "
            "is this the ONS Postcode Directory CSV with its header row?"
        )
    ward, constituency = _pick(header, _WARD), _pick(header, _CONSTITUENCY)
    if ward is None and constituency is None:
        raise CaseDeskError(
            f"{path} line 1: no ward ('osward', 'wdNNcd') or constituency ('pcon', 'pconNNcd') "
            "column; export the ONSPD with its area columns"
        )
    return _Columns(
        postcode=postcode,
        ward=ward,
        constituency=constituency,
        local_authority=_pick(header, _LOCAL_AUTHORITY),
        doterm=header.index("doterm") if "doterm" in header else None,
        width=len(header),
    )


# --- reading -----------------------------------------------------------------------------


def _lines(path: Path, on_bytes: Callable[[int], None] | None) -> Iterator[str]:
    """Decoded lines, reporting bytes read now and then (the progress bar counts bytes)."""
    pending, count = 0, 0
    with path.open("rb") as handle:
        for raw in handle:
            pending += len(raw)
            count += 1
            if on_bytes and count % _PROGRESS_EVERY_LINES == 0:
                on_bytes(pending)
                pending = 0
            text = raw.decode("utf-8", errors="replace")
            yield text.removeprefix("\ufeff") if count == 1 else text
    if on_bytes and pending:
        on_bytes(pending)


def _cell(row: Sequence[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _code(value: str) -> str | None:
    """A real GSS code, or None for blanks and the ONSPD's pseudo codes (E99999999...)."""
    value = value.strip().upper()
    if not value or value.endswith("99999999"):
        return None
    return value


def _places(
    path: Path,
    names: NameLookup,
    report: ImportReport,
    include_terminated: bool,
    on_bytes: Callable[[int], None] | None,
) -> Iterator[Place]:
    reader = csv.reader(_lines(path, on_bytes))
    try:
        header = next(reader)
    except StopIteration:
        raise CaseDeskError(f"{path}: the file is empty") from None
    cols = _columns(path, header)
    report.columns = cols.described(header)
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        report.rows_read += 1
        line = reader.line_num
        if len(row) != cols.width:
            report.bad(line, f"{len(row)} fields where the header has {cols.width}")
            continue
        raw_postcode = _cell(row, cols.postcode)
        postcode = normalise_postcode(raw_postcode)
        if postcode is None:
            report.bad(line, f"{raw_postcode!r} is not a postcode")
            continue
        codes = {
            "ward": _code(_cell(row, cols.ward)),
            "constituency": _code(_cell(row, cols.constituency)),
            "local authority": _code(_cell(row, cols.local_authority)),
        }
        wrong = next((k for k, v in codes.items() if v and not is_gss_code(v)), None)
        if wrong:
            report.bad(line, f"{wrong} code {codes[wrong]!r} is not a GSS code")
            continue
        is_terminated = bool(_cell(row, cols.doterm))
        if is_terminated and not include_terminated:
            report.terminated_skipped += 1
            continue
        constituency = codes["constituency"]
        if constituency and is_2024_constituency(constituency) is False:
            report.old_constituency_codes += 1
            constituency = None  # never compare a 2024 office with a pre-2024 seat
        place = place_from_row(
            postcode,
            codes["ward"],
            constituency,
            codes["local authority"],
            is_terminated,
            names.wards,
            names.constituencies,
        )
        report.imported += 1
        report.constituency_from_ward += place.constituency_from_ward
        report.without_constituency += place.constituency_code is None
        yield place


def import_onspd(
    gazetteer: Gazetteer,
    path: Path,
    names: NameLookup,
    *,
    include_terminated: bool = False,
    on_bytes: Callable[[int], None] | None = None,
) -> ImportReport:
    """Stream one ONSPD-shaped CSV into the gazetteer; bad rows are reported, not fatal."""
    if not path.is_file():
        raise CaseDeskError(f"{path}: no such file")
    report = ImportReport(file=str(path))
    gazetteer.import_rows(_places(path, names, report, include_terminated, on_bytes))
    return report


# --- names -------------------------------------------------------------------------------


def _read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    if not path.is_file():
        raise CaseDeskError(f"{path}: no such file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # older ONS names files are Windows-encoded
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise CaseDeskError(f"{path}: the file is empty")
    return [h.strip().lower() for h in rows[0]], rows[1:]


def read_names(paths: Sequence[Path]) -> NameLookup:
    """Ward names, constituency names and which constituency each ward is in, from ONS
    names-and-codes files and ward lookups (small: a few thousand rows each)."""
    ward_names: dict[str, str] = {}
    ward_constituencies: dict[str, set[str]] = {}
    ward_authority: dict[str, str] = {}
    constituencies: dict[str, str] = {}
    for path in paths:
        header, rows = _read_table(path)
        columns = {
            key: _pick(header, re.compile(pattern))
            for key, pattern in {
                "wd": r"wd(\d\d)cd",
                "wdnm": r"wd(\d\d)nm",
                "pcon": r"pcon(\d\d)cd",
                "pconnm": r"pcon(\d\d)nm",
                "lad": r"lad(\d\d)cd",
            }.items()
        }
        if columns["wd"] is None and columns["pcon"] is None:
            raise CaseDeskError(
                f"{path} line 1: no WDnnCD or PCONnnCD column; expected an ONS names-and-codes "
                "file or the Ward to Westminster Parliamentary Constituency lookup"
            )
        for row in rows:
            ward_name = _cell(row, columns["wdnm"])
            constituency_name = _cell(row, columns["pconnm"])
            authority = _code(_cell(row, columns["lad"]))
            ward, pcon = _code(_cell(row, columns["wd"])), _code(_cell(row, columns["pcon"]))
            if pcon and is_2024_constituency(pcon) is False:
                pcon = None  # a pre-2024 lookup can still give ward names
            if ward and ward_name:
                ward_names[ward] = ward_name
            if pcon and constituency_name:
                constituencies[pcon] = constituency_name
            if ward and pcon:
                ward_constituencies.setdefault(ward, set()).add(pcon)
            if ward and authority:
                ward_authority[ward] = authority
    codes = ward_names.keys() | ward_constituencies.keys() | ward_authority.keys()
    wards = {
        code: WardInfo(
            code=code,
            name=ward_names.get(code),
            constituency_codes=frozenset(ward_constituencies.get(code, ())),
            local_authority_code=ward_authority.get(code),
        )
        for code in codes
    }
    return NameLookup(wards=wards, constituencies=constituencies)
