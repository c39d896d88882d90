"""Personal data out before text leaves the office: what the model needs is what the letter
is about, not who wrote it or where they live.

Replaced with placeholders: email addresses, UK phone numbers, UK postcodes, street
addresses, National Insurance numbers, long reference numbers, the sender's own name, and
the signature block (the sign-off, the name under it and anything after it). Names of other
people mentioned in the text are not recognised (docs/ai-use.md says so).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from casedesk.core.postcode import normalise_postcode

MAX_BODY_CHARS = 8000  # bounds cost; a letter longer than this is classified by its start

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
POSTCODE = "[POSTCODE]"
ADDRESS = "[ADDRESS]"
NAME = "[NAME]"
SIGNATURE = "[SIGNATURE]"
NI_NUMBER = "[NI_NUMBER]"
NUMBER = "[NUMBER]"
PLACEHOLDERS = (EMAIL, PHONE, POSTCODE, ADDRESS, NAME, SIGNATURE, NI_NUMBER, NUMBER)

_EMAIL = re.compile(r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
# +44 / 0044 / 0, then the rest of a UK number with the usual separators; the digit count is
# checked afterwards, so dates and sums of money are left alone.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)[1-9](?:[\s\-.)]{0,2}\d){7,10}(?!\d)"
)
_POSTCODE_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2}(?![A-Za-z0-9])"
)
# Any two letters, not only the prefixes HMRC issues: over-redacting is the safer mistake.
_NI_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-Da-d](?![A-Za-z0-9])"
)
# NHS numbers (3-3-4), bank accounts, Home Office and benefit references: 8+ digits, or a
# short letter prefix and 6+ digits. Case references (CD-2026-000001) stay: they are ours.
_LONG_NUMBER = re.compile(r"(?<![\w-])(?:\d{3}[ -]\d{3}[ -]\d{4}|\d{8,}|[A-Z]{1,3}\d{6,})(?![\w-])")
_STREET_WORDS = (
    "street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|cres|place|"
    "pl|gardens|gdns|grove|terrace|hill|square|sq|row|walk|mews|parade|park|view|rise|green|"
    "gate|yard|wharf|quay|estate|fields|meadow|meadows|broadway|causeway"
)
# "12 Ross Street", "Flat 3, 45a Mill Road", "7-9 St John's Close". Street-name words must be
# capitalised, so "3 children and the road" is not an address.
_ADDRESS = re.compile(
    r"(?:\b(?i:flat|apartment|apt|unit|room)\s*\d+[A-Za-z]?,?\s*)?"
    r"\b\d{1,4}[A-Za-z]?(?:\s*-\s*\d{1,4}[A-Za-z]?)?,?\s+"
    r"(?:(?:St\.?\s+)?[A-Z][A-Za-z'\-]+\s+){1,3}"
    rf"(?i:{_STREET_WORDS})\b\.?"
)
_FLAT = re.compile(r"\b(?i:flat|apartment)\s+\d+[A-Za-z]?\b")
# A line that is only a sign-off ("Kind regards,", "Thank you very much"), not a sentence
# that starts with one ("Thanks for replying.").
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:yours (?:sincerely|faithfully|truly)|kind(?:est)? regards|best (?:wishes|regards)|"
    r"warm(?:est)? regards|regards|many thanks|thanks|thank you|sincerely|cheers|"
    r"with (?:best|kind) (?:wishes|regards)|best|all the best|yours)"
    r"(?: (?:again|very much|so much|in advance))?[ \t]*[,.!]?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_SIG_DASHES = re.compile(r"^-- ?$", re.MULTILINE)
SIGNATURE_MAX_LINES = 8  # a "Thanks" followed by more than this is a letter, not a sign-off
SIGNATURE_MAX_CHARS = 500
_DELIMITER_RUN = re.compile(r"<{3,}|>{3,}")
_NAME_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "mp", "rev"})


@dataclass(frozen=True)
class Redacted:
    """Subject and body ready to send, and how many of each kind of item were taken out
    (counts only: they are logged)."""

    subject: str
    body: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """What goes inside the prompt's message block."""
        return f"Subject: {self.subject}\n\n{self.body}"


def redact_message(subject: str, body: str, sender_name: str, sender_address: str) -> Redacted:
    """The subject and the message's new text with personal data replaced."""
    counts: Counter[str] = Counter()
    names = sender_name_pattern(sender_name, sender_address)
    clean_subject = " ".join(_redact_text(subject, names, counts).split())
    clean_body = _redact_text(_cut_signature(body, counts), names, counts).strip()
    if len(clean_body) > MAX_BODY_CHARS:
        clean_body = clean_body[:MAX_BODY_CHARS].rstrip() + "\n[…]"
        counts["truncated"] += 1
    return Redacted(clean_subject, clean_body, dict(counts))


def redact(text: str, sender_name: str = "", sender_address: str = "") -> str:
    """One text with personal data replaced (signature block included)."""
    counts: Counter[str] = Counter()
    names = sender_name_pattern(sender_name, sender_address)
    return _redact_text(_cut_signature(text, counts), names, counts)


def redact_inline(text: str, sender_name: str = "", sender_address: str = "") -> str:
    """A subject, a summary or a note with personal data replaced; nothing is cut as a
    signature (there is none to cut), and `<<<`/`>>>` cannot close a data block."""
    counts: Counter[str] = Counter()
    return _redact_text(text, sender_name_pattern(sender_name, sender_address), counts)


def defang(text: str) -> str:
    """Office text (a template, a policy note) that cannot close a prompt's data block."""
    return _DELIMITER_RUN.sub(lambda m: "«" if m.group(0)[0] == "<" else "»", text)


def sender_name_pattern(sender_name: str, sender_address: str) -> re.Pattern[str] | None:
    """The sender's full name and each part of it, from the display name or, failing that,
    the address's local part ("priya.shah@" gives Priya, Shah)."""
    words = _NAME_WORD.findall(sender_name)
    if not words and "@" in sender_address:
        local = sender_address.split("@", 1)[0]
        words = [w.title() for w in re.split(r"[._\-+0-9]+", local) if len(w) > 1]
    parts = [w for w in words if w.lower() not in _TITLES and len(w) > 1]
    if not parts:
        return None
    full = r"\s+".join(re.escape(p) for p in parts)
    # Longest first, so the full name becomes one placeholder rather than two.
    alternatives = [f"(?i:{full})", *sorted({re.escape(p) for p in parts}, key=len, reverse=True)]
    return re.compile(r"(?<![\w\[])(?:" + "|".join(alternatives) + r")(?![\w\]])")


def _redact_text(text: str, names: re.Pattern[str] | None, counts: Counter[str]) -> str:
    text = _DELIMITER_RUN.sub(lambda m: "«" if m.group(0)[0] == "<" else "»", text)
    steps: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        ("email", _EMAIL, lambda _: EMAIL),
        ("ni_number", _NI_NUMBER, lambda _: NI_NUMBER),
        ("phone", _PHONE, _phone_or_keep),
        ("postcode", _POSTCODE_CANDIDATE, _postcode_or_keep),
        ("address", _ADDRESS, lambda _: ADDRESS),
        ("address", _FLAT, lambda _: ADDRESS),
        ("number", _LONG_NUMBER, lambda _: NUMBER),
    ]
    if names is not None:
        steps.append(("name", names, lambda _: NAME))
    for kind, pattern, replace in steps:
        text = _count_sub(kind, pattern, replace, text, counts)
    return text


def _count_sub(
    kind: str,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str],
    text: str,
    counts: Counter[str],
) -> str:
    def counted(match: re.Match[str]) -> str:
        out = replace(match)
        if out != match.group(0):
            counts[kind] += 1
        return out

    return pattern.sub(counted, text)


def _phone_or_keep(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and match.group(0).lstrip().startswith("+"):
        digits = digits[2:]
    digits = digits.removeprefix("0")
    # A UK national number is 9 or 10 digits after the trunk 0.
    return PHONE if len(digits) in (9, 10) else match.group(0)


def _postcode_or_keep(match: re.Match[str]) -> str:
    return POSTCODE if normalise_postcode(match.group(0)) else match.group(0)


def _cut_signature(body: str, counts: Counter[str]) -> str:
    """Everything from the last sign-off (or a '-- ' line) on, when what follows is short
    enough to be a signature rather than more of the letter."""
    cut = None
    for pattern in (_SIG_DASHES, _SIGN_OFF):
        for match in pattern.finditer(body):
            rest = body[match.end() :]
            lines = [line for line in rest.splitlines() if line.strip()]
            has_letter_before = bool(body[: match.start()].strip())
            short = len(lines) <= SIGNATURE_MAX_LINES and len(rest) <= SIGNATURE_MAX_CHARS
            if has_letter_before and short:
                cut = match.start() if cut is None else min(cut, match.start())
                break
    if cut is None:
        return body
    counts["signature"] += 1
    return body[:cut].rstrip() + "\n" + SIGNATURE
