"""Spotting personal data in text: email addresses, UK postcodes and UK phone numbers.

Used to list third-party data in a subject access bundle for redaction review, to keep
personal data out of audit details, and by the test that keeps it out of logs. Detection is
deliberately generous (a staffer reviews every hit); names in free text are not detected.

Also the person key: an HMAC of an email address under the office's secret salt, which lets
the audit log name a person (a SAR export, an erasure) without holding their address.
Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from casedesk.core.postcode import normalise_postcode

EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?![\w-])")
# Royal Mail's format (as core/postcode.py), spaces optional, any case.
POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:GIR ?0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# UK numbers as people write them: 01223 123456, 07700 900123, +44 7700 900123,
# (01223) 123 456, 020 7946 0000. Ten or eleven digits after the 0 or +44.
PHONE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s-]?\)?[\s-]?\d){8,9}(?![\w])")


class Kind(StrEnum):
    EMAIL = "email"
    POSTCODE = "postcode"
    PHONE = "phone"
    NAME = "name"  # a named recipient (To/Cc): names in free text are not detected


@dataclass(frozen=True, order=True)
class Finding:
    kind: Kind
    value: str


def find_personal_data(text: str) -> list[Finding]:
    """Every email address, postcode and phone number in the text, in order, repeats kept."""
    found: list[tuple[int, Finding]] = []
    for match in EMAIL.finditer(text):
        found.append((match.start(), Finding(Kind.EMAIL, match.group(0).lower())))
    for match in POSTCODE.finditer(text):
        postcode = normalise_postcode(match.group(0))
        if postcode:
            found.append((match.start(), Finding(Kind.POSTCODE, postcode)))
    for match in PHONE.finditer(text):
        found.append((match.start(), Finding(Kind.PHONE, _digits(match.group(0)))))
    return [f for _, f in sorted(found, key=lambda item: item[0])]


def has_personal_data(text: str) -> bool:
    return bool(EMAIL.search(text) or POSTCODE.search(text) or PHONE.search(text))


def _digits(raw: str) -> str:
    """A phone number as digits, +44 written as 0, so two spellings of one number match."""
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip().startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def normalise_email(email: str) -> str:
    return email.strip().lower()


def person_key(salt: str, email: str) -> str:
    """HMAC-SHA256 of the normalised address under the office's salt, as hex.

    Salted, so nobody holding only the audit log can test guesses of an address against it;
    keyed with a secret kept apart from the log (ops state), not a bare hash."""
    digest = hmac.new(salt.encode("utf-8"), normalise_email(email).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()


def person_ref(salt: str, email: str) -> str:
    """How the audit log names a person: 'person:' and the first 24 hex of the person key."""
    return "person:" + person_key(salt, email)[:24]
