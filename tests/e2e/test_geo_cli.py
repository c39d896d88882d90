"""`casedesk geo` as a user runs it: the shipped sample, bad rows, re-imports, a big file.

The sample is samples/geo/ (real rows; samples/geo/README.md gives their sources). The
hand-written CSVs below use the ONSPD's published header (2025 on) with rows copied from the
sample, except where a test needs a bad row; the 50,000-row file is generated in the test
only, is synthetic and is never shipped as data.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.adapters.embedded.sqlite_geo import SqliteGazetteer
from casedesk.entrypoints.geo_import import NameLookup, import_onspd, read_names

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "geo"
POSTCODES, WARDS = SAMPLES / "postcodes.csv", SAMPLES / "wards.csv"

# The ONSPD header since the 2025 releases (35 columns); pcon24cd is the 2024 constituency.
ONSPD_HEADER_LINE = (
    "pcd7,pcd8,pcds,dointr,doterm,usrtypind,east1m,north1m,gridind,oa21cd,cty25cd,ced25cd,"
    "lad25cd,wd25cd,nhser24cd,ctry25cd,rgn25cd,pcon24cd,ttwa15cd,itl25cd,npark16cd,lsoa21cd,"
    "msoa21cd,wz11cd,sicbl24cd,bua24cd,ruc21ind,oac11ind,lat,long,lep21cd1,lep21cd2,pfa23cd,"
    "imd20ind,icb23cd"
)
ONSPD_HEADER = ONSPD_HEADER_LINE.split(",")


def onspd_row(pcds: str, ward: str, pcon: str = "", doterm: str = "", lad: str = "") -> str:
    cells = dict.fromkeys(ONSPD_HEADER, "")
    cells |= {"pcd7": pcds, "pcds": pcds, "dointr": "198001", "doterm": doterm}
    cells |= {"wd25cd": ward, "pcon24cd": pcon, "lad25cd": lad}
    return ",".join(f'"{v}"' for v in cells.values())


def write_onspd(path: Path, rows: list[str]) -> Path:
    path.write_text(ONSPD_HEADER_LINE + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "casedesk", "--data-dir", str(data_dir), "geo", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )


def import_sample(data: Path) -> dict[str, object]:
    done = run(data, "import", str(POSTCODES), "--names", str(WARDS), "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def lookup(data: Path, postcode: str) -> dict[str, object]:
    done = run(data, "lookup", postcode, "--json")
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_sample_imports_whole_and_places_constituents_inside_or_outside(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    rows = sum(1 for _ in csv.DictReader(POSTCODES.open(encoding="utf-8")))
    result = import_sample(data)
    [report] = result["imports"]  # type: ignore[misc]
    assert report["rows_read"] == report["imported"] == rows
    assert report["bad_rows"] == 0 and report["balances"] is True
    assert result["postcodes_held"] == rows

    home = lookup(data, "cb12ad")
    assert home["place"]["ward"] == {"code": "E05013059", "name": "Petersfield"}  # type: ignore[index]
    assert home["place"]["constituency"] == {"code": "E14001149", "name": "Cambridge"}  # type: ignore[index]
    assert home["office_constituency"] == {"code": "E14001149", "name": "Cambridge"}
    assert home["in_constituency"] is True

    for postcode, seat in [
        ("CB1 9HZ", "South Cambridgeshire"),  # Cherry Hinton: a city ward outside since 2024
        ("CB4 2PG", "Ely and East Cambridgeshire"),  # Milton & Waterbeach
        ("PE27 5RF", "Huntingdon"),
        ("LS6 1AN", "Leeds Central and Headingley"),
        ("SG8 5AA", "North East Hertfordshire"),
    ]:
        found = lookup(data, postcode)
        assert found["place"]["constituency"]["name"] == seat, postcode  # type: ignore[index]
        assert found["in_constituency"] is False, postcode

    unsourced = lookup(data, "CB5 8QY")  # ward known, its constituency not in the sample
    assert unsourced["place"]["ward"]["name"] == "Fen Ditton & Fulbourn"  # type: ignore[index]
    assert unsourced["in_constituency"] is None

    human = run(data, "lookup", "CB1 9HZ")
    assert "outside Cambridge" in human.stdout and "their own MP" in human.stdout


def test_the_office_constituency_lists_the_twelve_wards_of_the_2023_order(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_sample(data)
    done = run(data, "wards", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["constituency"] == {"code": "E14001149", "name": "Cambridge"}
    assert [w["name"] for w in result["wards"]] == [
        "Abbey",
        "Arbury",
        "Castle",
        "Coleridge",
        "East Chesterton",
        "King's Hedges",
        "Market",
        "Newnham",
        "Petersfield",
        "Romsey",
        "Trumpington",
        "West Chesterton",
    ]
    other = json.loads(
        run(data, "wards", "--constituency", "South Cambridgeshire", "--json").stdout
    )
    assert [w["name"] for w in other["wards"]] == ["Cherry Hinton", "Queen Edith's"]


def test_bad_rows_are_reported_by_line_and_the_good_ones_still_imported(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = write_onspd(
        tmp_path / "onspd.csv",
        [
            onspd_row("CB1 2AD", "E05013059", "E14001149"),  # line 2
            onspd_row("CB1 2X", "E05013059", "E14001149"),  # line 3: not a postcode
            '"CB1 2PF","CB1 2PF","CB1 2PF"',  # line 4: cut short
            onspd_row("CB1 3AS", "Romsey", "E14001149"),  # line 5: a name where a code goes
            onspd_row("CB4 2PQ", "E05013050", "E14001149", doterm="202303"),  # line 6: terminated
            onspd_row("CB4 2LD", "E05013056", "E14001149"),  # line 7
            onspd_row("JE2 4WD", "L99999999", "L99999999"),  # line 8: Jersey, pseudo codes
        ],
    )
    done = run(data, "import", str(path), "--names", str(WARDS), "--json")
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["imports"]
    assert [b["line"] for b in report["bad_examples"]] == [3, 4, 5]
    assert "'CB1 2X' is not a postcode" in report["bad_examples"][0]["reason"]
    assert "3 fields where the header has 35" in report["bad_examples"][1]["reason"]
    assert "'ROMSEY' is not a GSS code" in report["bad_examples"][2]["reason"]
    assert (report["imported"], report["terminated_skipped"], report["bad_rows"]) == (3, 1, 3)
    assert report["without_constituency"] == 1
    assert report["columns"] == {
        "postcode": "pcds",
        "ward": "wd25cd",
        "constituency": "pcon24cd",
        "local_authority": "lad25cd",
        "terminated": "doterm",
    }

    human = run(data, "import", str(path))
    assert "line 3: 'CB1 2X' is not a postcode" in human.stdout
    assert "--include-terminated" in human.stdout

    kept = run(data, "import", str(path), "--include-terminated", "--json")
    assert json.loads(kept.stdout)["imports"][0]["imported"] == 4
    assert lookup(data, "CB4 2PQ")["place"]["terminated"] is True  # type: ignore[index]
    jersey = lookup(data, "JE2 4WD")
    assert jersey["place"]["ward"]["code"] is None and jersey["in_constituency"] is None  # type: ignore[index]


def test_reimporting_is_idempotent_and_a_newer_row_replaces_the_old(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = import_sample(data)
    again = import_sample(data)
    assert again["postcodes_held"] == first["postcodes_held"]
    assert lookup(data, "CB1 2AD")["place"]["ward"]["name"] == "Petersfield"  # type: ignore[index]

    path = write_onspd(tmp_path / "newer.csv", [onspd_row("CB1 2AD", "E05013061", "E14001149")])
    assert run(data, "import", str(path), "--json").returncode == 0
    moved = lookup(data, "CB1 2AD")
    assert moved["place"]["ward"] == {"code": "E05013061", "name": "Romsey"}  # type: ignore[index]
    assert (
        json.loads(run(data, "import", str(path), "--json").stdout)["postcodes_held"]
        == (first["postcodes_held"])
    )

    replaced = run(data, "import", str(path), "--replace", "--json")
    assert json.loads(replaced.stdout)["postcodes_held"] == 1


def test_pre_2024_constituencies_are_dropped_and_the_ward_lookup_used(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # E14000617 is the 2010-era Cambridge seat: comparing it with 2024 codes would misfile.
    path = write_onspd(tmp_path / "old.csv", [onspd_row("CB1 2AD", "E05013059", "E14000617")])
    done = run(data, "import", str(path), "--names", str(WARDS), "--json")
    [report] = json.loads(done.stdout)["imports"]
    assert report["old_constituency_codes"] == 1 and report["constituency_from_ward"] == 1
    place = lookup(data, "CB1 2AD")["place"]
    assert place["constituency"]["code"] == "E14001149"  # type: ignore[index]
    assert place["constituency_from_ward"] is True  # type: ignore[index]


def test_a_file_that_is_not_the_onspd_is_refused_with_the_fix(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = tmp_path / "people.csv"
    path.write_text("name,email\nSam,sam@example.org\n", encoding="utf-8")
    done = run(data, "import", str(path))
    assert done.returncode == 1
    assert f"{path} line 1: no postcode column" in done.stderr
    missing = run(data, "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    unknown = run(data, "lookup", "CB1 2AD")
    assert unknown.returncode == 1 and "run casedesk geo import" in unknown.stderr


def _synthetic_onspd(path: Path, rows: int) -> Path:
    """Valid-format postcodes in districts that do not exist (ZE50 on) with made-up codes:
    for volume only, never shipped as data."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(ONSPD_HEADER_LINE + "\n")
        for i in range(rows):
            district, rest = divmod(i, 4000)
            sector, unit = divmod(rest, 400)
            pcds = f"ZE{district + 50} {sector}{letters[unit // 20]}{letters[unit % 20]}"
            ward = f"E05{900000 + i % 500:06d}"
            handle.write(onspd_row(pcds, ward, f"E14{1063 + i % 500:06d}") + "\n")
    return path


def _peak_bytes(tmp_path: Path, rows: int) -> tuple[int, int]:
    path = _synthetic_onspd(tmp_path / f"synthetic-{rows}.csv", rows)
    db = Database(tmp_path / f"s-{rows}.sqlite3")
    gazetteer = SqliteGazetteer(db)
    tracemalloc.start()
    try:
        report = import_onspd(gazetteer, path, NameLookup())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    count = gazetteer.count()
    db.close()
    assert report.imported == count == rows
    return peak, count


def test_fifty_thousand_rows_import_in_constant_memory(tmp_path: Path) -> None:
    small, _ = _peak_bytes(tmp_path, 20_000)
    large, count = _peak_bytes(tmp_path, 50_000)
    assert count == 50_000
    # Memory is bounded by one batch, not by the file: 2.5x the rows, about the same peak.
    assert large < small * 1.3, (small, large)
    assert large < 32 * 1024 * 1024


def test_names_files_with_ons_headers_are_read_by_column_name(tmp_path: Path) -> None:
    ward_names = tmp_path / "Ward names and codes UK as at 05_25.csv"
    ward_names.write_text("\ufeffWD25CD,WD25NM,WD25NMW\nE05013059,Petersfield,\n", encoding="utf-8")
    seats = tmp_path / "Westminster Parliamentary Constituency names and codes UK as at 12_24.csv"
    seats.write_text("PCON24CD,PCON24NM,PCON24NMW\nE14001149,Cambridge,\n", encoding="utf-8")
    names = read_names([ward_names, seats])
    assert names.wards["E05013059"].name == "Petersfield"
    assert names.wards["E05013059"].only_constituency is None  # names only: no relation
    assert names.constituencies == {"E14001149": "Cambridge"}
