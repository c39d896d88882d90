"""Cut samples/geo/ (postcodes.csv and wards.csv) from published postcode data.

    python scripts/build_geo_sample.py \\
        --onspd SRC/onspd_cambridge.parquet \\
        --codepoint SRC/cb.csv --codepoint SRC/sg.csv --codepoint SRC/pe.csv --codepoint SRC/ls.csv \\
        --ward-names SRC/wards.json --ward-names SRC/wards-2023-06.json \\
        --constituency-names SRC/constituencies.json --district-names SRC/districts.json \\
        --inbox samples/inbox --out samples/geo

samples/geo/README.md says where each input comes from. `--onspd` also takes the published
ONSPD/NSPL CSV itself (columns found by header name): with a release that has the 2024
constituency column, its `pcon`/`pcon24cd` and `doterm` are carried into the extract and the
ward table below is only used for names.

Which postcodes: every postcode the sample inbox mentions, every other postcode in the same
postcode sectors (e.g. "CB4 2"), and the first few of each ward in WARD_CONSTITUENCY, so the
demo constituency's ward list is complete. A postcode is kept only when its ward is in that
table and both sources agree on its ward, unless the inbox names it: an inbox postcode whose
ward's constituency we could not source is kept with its ward and no constituency (the
"unknown" case).
"""

from __future__ import annotations

import argparse
import csv
import email
import email.policy
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from casedesk.core.postcode import find_postcode, normalise_postcode

# Ward (as in the postcode data) -> Westminster constituency in force since the 2024 general
# election. Membership: The Parliamentary Constituencies Order 2023, as set out in the
# Boundary Commission for England's 2023 Review final report (Eastern; Yorkshire and the
# Humber), which builds every English constituency from whole wards as at 1 December 2020.
# Codes and names: ONS names-and-codes files (see README). Nothing here is guessed: a ward
# whose constituency we could not source is simply left out of the sample.
WARD_CONSTITUENCY = {
    # City of Cambridge (E07000008): twelve wards make the Cambridge constituency ...
    "E05013050": "E14001149",  # Abbey
    "E05013051": "E14001149",  # Arbury
    "E05013052": "E14001149",  # Castle
    "E05013054": "E14001149",  # Coleridge
    "E05013055": "E14001149",  # East Chesterton
    "E05013056": "E14001149",  # King's Hedges
    "E05013057": "E14001149",  # Market
    "E05013058": "E14001149",  # Newnham
    "E05013059": "E14001149",  # Petersfield
    "E05013061": "E14001149",  # Romsey
    "E05013062": "E14001149",  # Trumpington
    "E05013063": "E14001149",  # West Chesterton
    # ... and two are in South Cambridgeshire (E14001481).
    "E05013053": "E14001481",  # Cherry Hinton
    "E05013060": "E14001481",  # Queen Edith's
    # South Cambridgeshire district (E07000012): north of the city, in Ely and East Cambs.
    "E05011301": "E14001224",  # Milton & Waterbeach
    # Outside Cambridgeshire's city: the inbox's out-of-area senders.
    "E05011270": "E14001298",  # St Ives South (Huntingdonshire) -> Huntingdon
    "E05011403": "E14001319",  # Little London & Woodhouse (Leeds) -> Leeds Central and Headingley
    "E05004783": "E14001393",  # Royston Palace (North Herts, to May 2024) -> North East Hertfordshire
}

# Code-Point Open's CSVs have no header; OS documents this column order.
CODEPOINT_COLUMNS = (
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
)
PER_WARD = 25


def _pick(header: list[str], pattern: str) -> str | None:
    matches = sorted(h for h in header if re.fullmatch(pattern, h))
    return matches[-1] if matches else None


def read_onspd(path: Path) -> tuple[dict[str, dict[str, str]], bool]:
    """pcds -> {ward, pcon, la, doterm} from the ONSPD CSV or a parquet extract of it, and
    whether the source says which postcodes are terminated (has a doterm column)."""
    if path.suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            sys.exit("reading a .parquet extract needs pyarrow: pip install pyarrow")
        rows = [{k.lower(): v or "" for k, v in r.items()} for r in pq.read_table(path).to_pylist()]
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [{k.lower(): v for k, v in r.items()} for r in csv.DictReader(handle)]
    header = list(rows[0]) if rows else []
    postcode = next(c for c in ("pcds", "pcd", "pcd7", "pcd8", "pcd2") if c in header)
    columns = {
        "ward": _pick(header, r"osward|ward|wd\d\dcd"),
        "pcon": _pick(header, r"pcon|pcon\d\dcd"),
        "la": _pick(header, r"oslaua|laua|lad\d\dcd"),
        "doterm": "doterm" if "doterm" in header else None,
    }
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        pcds = normalise_postcode(str(row[postcode]))
        if pcds:
            found[pcds] = {k: str(row[c] or "") if c else "" for k, c in columns.items()}
    return found, columns["doterm"] is not None


def read_codepoint(paths: list[Path]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for values in csv.reader(handle):
                row = dict(zip(CODEPOINT_COLUMNS, values, strict=True))
                pcds = normalise_postcode(row["Postcode"])
                if pcds:
                    found[pcds] = {
                        "ward": row["Admin_ward_code"],
                        "la": row["Admin_district_code"],
                    }
    return found


def read_names(paths: list[Path]) -> dict[str, str]:
    """code -> name; JSON {code: name} (postcodes.io's data/*.json) or an ONS CSV with
    ..CD and ..NM columns. The first file to name a code wins."""
    names: dict[str, str] = {}
    for path in paths:
        if path.suffix == ".json":
            pairs = json.loads(path.read_text(encoding="utf-8")).items()
        else:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.reader(handle))
            code_col = next(i for i, h in enumerate(rows[0]) if h.upper().endswith("CD"))
            pairs = ((r[code_col], r[code_col + 1]) for r in rows[1:])
        for code, name in pairs:
            names.setdefault(code, name.strip())
    return names


def inbox_postcodes(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain", "html"))
        text = body.get_content() if body is not None else ""
        postcode = find_postcode(str(text))
        if postcode:
            found.append(postcode)
    return sorted(set(found))


def sector(postcode: str) -> str:
    return postcode[:-2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--onspd", type=Path, required=True)
    parser.add_argument("--codepoint", type=Path, action="append", default=[])
    parser.add_argument("--ward-names", type=Path, action="append", required=True)
    parser.add_argument("--constituency-names", type=Path, action="append", required=True)
    parser.add_argument("--district-names", type=Path, action="append", required=True)
    parser.add_argument("--inbox", type=Path, default=Path("samples/inbox"))
    parser.add_argument("--out", type=Path, default=Path("samples/geo"))
    args = parser.parse_args()

    onspd, knows_terminated = read_onspd(args.onspd)
    # An extract without doterm mixes live and terminated postcodes: there, a postcode counts
    # as live only when Code-Point Open (live postcodes only) has it too.
    needs_both = bool(args.codepoint) and not knows_terminated
    codepoint = read_codepoint(args.codepoint)
    ward_names = read_names(args.ward_names)
    constituency_names = read_names(args.constituency_names)
    district_names = read_names(args.district_names)
    wanted = inbox_postcodes(args.inbox)
    sectors = {sector(p) for p in wanted}

    rows: dict[str, dict[str, str]] = {}
    per_ward: Counter[str] = Counter()
    disagreements = 0
    for pcds in sorted(onspd.keys() | codepoint.keys()):
        on, cp = onspd.get(pcds), codepoint.get(pcds)
        ward = (on or cp or {}).get("ward", "")
        if ward not in WARD_CONSTITUENCY and pcds not in wanted:
            continue
        if on and cp and on["ward"] != cp["ward"]:
            disagreements += 1
        consistent = not (on and cp and on["ward"] != cp["ward"])
        live = not (on and on.get("doterm")) and (bool(on and cp) or not needs_both)
        chosen = pcds in wanted or (
            consistent and live and (sector(pcds) in sectors or per_ward[ward] < PER_WARD)
        )
        if not chosen:
            continue
        per_ward[ward] += 1
        source = "onspd+codepoint" if on and cp else "onspd" if on else "codepoint"
        rows[pcds] = {
            "pcds": pcds,
            "doterm": on.get("doterm", "") if on else "",
            "oslaua": (on or {}).get("la") or (cp or {}).get("la", ""),
            "osward": ward,
            "pcon": on.get("pcon", "") if on else "",
            "source": source,
        }

    missing = [p for p in wanted if p not in rows]
    unsourced = sorted(p for p, r in rows.items() if r["osward"] not in WARD_CONSTITUENCY)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "postcodes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle, ["pcds", "doterm", "oslaua", "osward", "pcon", "source"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows[p] for p in sorted(rows))

    ward_authority: dict[str, str] = {}
    for row in rows.values():
        ward_authority.setdefault(row["osward"], row["oslaua"])
    with (args.out / "wards.csv").open("w", newline="", encoding="utf-8") as handle:
        table_writer = csv.writer(handle, lineterminator="\n")
        table_writer.writerow(["WD23CD", "WD23NM", "PCON24CD", "PCON24NM", "LAD23CD", "LAD23NM"])
        table = {w: WARD_CONSTITUENCY.get(w, "") for w in ward_authority} | WARD_CONSTITUENCY
        for ward, pcon in sorted(table.items(), key=lambda kv: (kv[1] or "~", kv[0])):
            lad = ward_authority.get(ward, "")
            table_writer.writerow(
                [
                    ward,
                    ward_names.get(ward, ""),
                    pcon,
                    constituency_names[pcon] if pcon else "",
                    lad,
                    district_names.get(lad, ""),
                ]
            )

    print(f"postcodes.csv: {len(rows)} postcodes in {len(per_ward)} wards")
    print(f"  by source: {dict(Counter(r['source'] for r in rows.values()))}")
    print(f"  inbox postcodes: {len(wanted)}; in neither source: {missing}")
    print(f"  kept without a constituency (ward's constituency not sourced): {unsourced}")
    print(f"  ward disagreements between the sources (ONSPD kept): {disagreements}")
    print(f"wards.csv: {len(table)} wards; unnamed: {sorted(set(table) - ward_names.keys())}")


if __name__ == "__main__":
    main()
