"""Where a constituent lives: postcode -> ward and Westminster constituency.

Pure decisions only. The data comes from the ONS Postcode Directory (ONSPD) through the
Gazetteer port; constituencies are those in force since the 2024 general election.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from casedesk.core.postcode import normalise_postcode

__all__ = [
    "Place",
    "Residency",
    "WardInfo",
    "describe_residency",
    "in_constituency",
    "is_2024_constituency",
    "is_gss_code",
    "normalise_postcode",
    "place_from_row",
    "residency",
]

# GSS codes: a letter for the country, two digits for the entity type, six for the area.
_GSS = re.compile(r"[ENSWLM]\d{8}")


@dataclass(frozen=True)
class Place:
    """One postcode and the areas the ONSPD puts it in."""

    postcode: str  # normalised, "CB1 2AD"
    ward_code: str | None
    ward_name: str | None
    constituency_code: str | None
    constituency_name: str | None
    local_authority_code: str | None = None
    is_terminated: bool = False  # Royal Mail no longer uses it (ONSPD doterm is set)
    constituency_from_ward: bool = False  # inferred from a ward lookup, not given per postcode

    def as_record(self) -> dict[str, object]:
        return {
            "postcode": self.postcode,
            "ward": {"code": self.ward_code, "name": self.ward_name},
            "constituency": {"code": self.constituency_code, "name": self.constituency_name},
            "local_authority_code": self.local_authority_code,
            "terminated": self.is_terminated,
            "constituency_from_ward": self.constituency_from_ward,
        }


class Residency(StrEnum):
    INSIDE = "inside"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"  # no postcode, a postcode we do not know, or no constituency for it


@dataclass(frozen=True)
class WardInfo:
    """What a ward lookup (e.g. ONS Ward to Westminster Parliamentary Constituency) says."""

    code: str
    name: str | None = None
    constituency_codes: frozenset[str] = frozenset()  # more than one when the ward is split
    local_authority_code: str | None = None

    @property
    def only_constituency(self) -> str | None:
        """The constituency when the whole ward lies in one, else None."""
        if len(self.constituency_codes) == 1:
            return next(iter(self.constituency_codes))
        return None


def is_gss_code(value: str) -> bool:
    """A nine-character GSS code such as E05013059 (pseudo codes like E99999999 included)."""
    return bool(_GSS.fullmatch(value))


def is_2024_constituency(code: str) -> bool | None:
    """True for a constituency created by the 2023 boundary review (in force since the 2024
    general election), False for an older one, None when the code is not a constituency."""
    if not is_gss_code(code):
        return None
    prefix, number = code[:3], int(code[3:])
    if prefix == "E14":  # 2010 seats were E14000530-E14001062; 2024 seats start at E14001063
        return number >= 1063
    if prefix == "W07":  # 2010: W07000041-80; 2024: from W07000081
        return number >= 81
    if prefix == "S14":  # 2005: S14000001-59; 2024: from S14000060
        return number >= 60
    if prefix == "N05":  # 2024 Northern Ireland seats
        return True
    if prefix == "N06":  # 2008 Northern Ireland seats
        return False
    return None


def in_constituency(place: Place | None, office_constituency_code: str) -> bool | None:
    """Whether the place is in the office's constituency; None when we cannot tell."""
    if place is None or not place.constituency_code:
        return None
    return place.constituency_code == office_constituency_code


def residency(place: Place | None, office_constituency_code: str) -> Residency:
    answer = in_constituency(place, office_constituency_code)
    if answer is None:
        return Residency.UNKNOWN
    return Residency.INSIDE if answer else Residency.OUTSIDE


def describe_residency(
    place: Place | None, office_constituency_code: str, office_constituency_name: str
) -> str:
    """One line for a case's reasons: where the postcode is and what that means."""
    verdict = residency(place, office_constituency_code)
    if place is None:
        return "no postcode found in the imported data: constituency not checked"
    if verdict is Residency.UNKNOWN:
        return f"{place.postcode}: constituency unknown (not in the imported postcode data)"
    where = f"{place.constituency_name or place.constituency_code}"
    ward = f", {place.ward_name} ward" if place.ward_name else ""
    if verdict is Residency.INSIDE:
        return f"{place.postcode} is in {where}{ward}"
    return (
        f"{place.postcode} is in {where}{ward}, outside {office_constituency_name}: "
        "their own MP is the one to help"
    )


def place_from_row(
    postcode: str,
    ward_code: str | None,
    constituency_code: str | None,
    local_authority_code: str | None,
    is_terminated: bool,
    wards: Mapping[str, WardInfo],
    constituency_names: Mapping[str, str],
) -> Place:
    """Combine one ONSPD row with the ward and constituency names.

    The row's own constituency wins. When the row has none (an extract without the 2024
    constituency column), the ward lookup supplies it, but only for a ward that lies wholly
    in one constituency: a split ward leaves the constituency unknown rather than guessed.
    """
    ward = wards.get(ward_code) if ward_code else None
    from_ward = False
    if not constituency_code and ward is not None and ward.only_constituency:
        constituency_code, from_ward = ward.only_constituency, True
    if not local_authority_code and ward is not None:
        local_authority_code = ward.local_authority_code
    return Place(
        postcode=postcode,
        ward_code=ward_code or None,
        ward_name=ward.name if ward else None,
        constituency_code=constituency_code or None,
        constituency_name=constituency_names.get(constituency_code) if constituency_code else None,
        local_authority_code=local_authority_code or None,
        is_terminated=is_terminated,
        constituency_from_ward=from_ward,
    )
