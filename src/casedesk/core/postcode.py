"""UK postcodes: find one in free text and normalise it ("cb12ad" -> "CB1 2AD")."""

from __future__ import annotations

import re

# Royal Mail's format rules: outward code (area + district) then inward code (sector + unit).
# Inward unit letters never include C, I, K, M, O or V.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def normalise_postcode(raw: str) -> str | None:
    """Upper-case with a single space before the inward code, or None if not a postcode."""
    compact = re.sub(r"\s+", "", raw).upper()
    if not _POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def find_postcode(text: str) -> str | None:
    """The last postcode in the text (signatures come last), normalised."""
    matches = _POSTCODE.findall(text)
    return normalise_postcode(matches[-1]) if matches else None
