"""Does a draft reply say anything about the case that its sources do not?

A model-written draft is checked before anyone sees it. Every checkable fact in it is
extracted: case references (CD-2026-000042), other reference numbers, dates, UK postcodes,
phone numbers, email addresses, sums of money, name-like words and phrases, and commitments
the office could be held to ("the MP will attend", "you will be offered", "I promise"). Each
must appear in the sources the draft was written from: the case record, its messages, notes
and timeline, the template draft, the office's policy notes. A commitment is grounded only by
office-owned text (the template or a policy note): a constituent's letter asking for a
promise never grounds one.

Names are found by their shape: capitalised words that do not start a sentence, and runs of
two or more capitalised words anywhere. A one-word name opening a sentence ("Jones will call
you.") is not recognised: that is the checker's known gap (docs/ai-use.md).

Pure: plain strings in, a report out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from casedesk.core.personal_data import EMAIL, PHONE, POSTCODE, find_personal_data


class ClaimKind(StrEnum):
    CASE_REF = "case reference"
    REFERENCE = "reference number"
    DATE = "date"
    POSTCODE = "postcode"
    PHONE = "phone number"
    EMAIL = "email address"
    MONEY = "sum of money"
    NAME = "name"
    COMMITMENT = "commitment"


@dataclass(frozen=True)
class Source:
    """One text the draft may draw on. `office_owned`: the office wrote it (a template, a
    policy note), so it may ground a commitment; constituent text never does."""

    id: str
    text: str
    office_owned: bool = False


@dataclass(frozen=True, order=True)
class Claim:
    kind: ClaimKind
    value: str  # normalised: what is compared
    text: str = field(compare=False)  # as written in the draft


@dataclass(frozen=True)
class GroundingReport:
    claims: tuple[Claim, ...]
    ungrounded: tuple[Claim, ...]

    @property
    def is_grounded(self) -> bool:
        return not self.ungrounded

    def summary(self) -> str:
        """What was not found, by kind and count only ('2 names, 1 date'): safe to audit and
        log, because it repeats none of the draft's words."""
        counts: dict[ClaimKind, int] = {}
        for claim in self.ungrounded:
            counts[claim.kind] = counts.get(claim.kind, 0) + 1
        return ", ".join(
            f"{n} {kind.value}{'' if n == 1 else 's'}" for kind, n in sorted(counts.items())
        )


CASE_REF = re.compile(r"\bCD-\d{4}-\d{6}\b", re.IGNORECASE)
# Another body's reference: 5+ digits, or letters and 3+ digits mixed (B1234567, GWF012345678).
_REFERENCE = re.compile(
    r"(?<![\w-])(?=[A-Z0-9-]*\d{3})(?:\d{5,}|[A-Z]{1,4}\d[A-Z0-9]{2,})(?![\w-])"
)
_PERSONAL = (
    (ClaimKind.EMAIL, EMAIL), (ClaimKind.POSTCODE, POSTCODE), (ClaimKind.PHONE, PHONE)
)  # fmt: skip
_MONEY = re.compile(r"£\s?\d[\d,]*(?:\.\d{2})?(?:\s?(?:k|m|bn|million|billion)\b)?", re.IGNORECASE)

_MONTH_NAMES = (
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec"),
)  # fmt: skip
_MONTHS = {name: n for n, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_MONTH = r"(?P<{}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{}>(?:19|20)\d{{2}})"
_DATES = [
    re.compile(
        r"\b" + _DAY.format("d") + r"(?:\s+of)?\s+" + _MONTH.format("m")
        + r"(?:,?\s+" + _YEAR.format("y") + r")?\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b" + _MONTH.format("m") + r"\s+" + _DAY.format("d")
        + r"(?:,?\s+" + _YEAR.format("y") + r")?\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>(?:19|20)?\d{2})\b"),
    re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    re.compile(r"\b" + _MONTH.format("m") + r"\s+" + _YEAR.format("y") + r"\b", re.IGNORECASE),
]  # fmt: skip

# Words that look like a promise the office could be held to.
_COMMITMENTS = re.compile(
    r"\b(?:promis\w*|guarantee\w*|assure you"
    r"|will (?:personally )?(?:attend|visit|come to|meet you|be there|speak at|join you)"
    r"|will be (?:given|offered|allocated|rehoused|housed|granted|awarded|paid|compensated)"
    r"|you will (?:get|receive|be given))\b",
    re.IGNORECASE,
)

_WORD = r"[A-Z][A-Za-z'’\-]*[A-Za-z]|[A-Z]"
_CAPITALISED_RUN = re.compile(rf"(?<![\w'’-])(?:{_WORD})(?:[ \t]+(?:{_WORD}))*(?![\w])")
# Capitalised for grammar, not because they name anyone.
_NOT_NAMES = frozenset(
    "i dear yours mr mrs ms miss mx dr prof sir dame rev mp mps re ok ps".split()  # noqa: SIM905
)
# Sentence openers dropped from the front of a run ("The Environment Agency").
_OPENERS = frozenset(
    """the a an this that these those our your my we it its if in on at as for when thank
    thanks dear yours kind best please since after before both many some any each every with
    from by to until following unfortunately however meanwhile also and but so i you""".split()  # noqa: SIM905
)


def extract_claims(text: str, names: bool = True) -> list[Claim]:
    """Every checkable fact in the text, in the order written (a span is claimed once).
    names=False leaves out names and commitments (a source's values are all that is needed)."""
    claims: list[tuple[int, Claim]] = []
    taken: list[tuple[int, int]] = []

    def take(start: int, end: int, claim: Claim) -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        claims.append((start, claim))

    for m in CASE_REF.finditer(text):
        take(m.start(), m.end(), Claim(ClaimKind.CASE_REF, m.group(0).upper(), m.group(0)))
    for kind, pattern in _PERSONAL:
        for m in pattern.finditer(text):
            found = find_personal_data(m.group(0))
            if found:
                take(m.start(), m.end(), Claim(kind, found[0].value, m.group(0)))
    for pattern in _DATES:
        for m in pattern.finditer(text):
            value = _date_value(m)
            if value:
                take(m.start(), m.end(), Claim(ClaimKind.DATE, value, m.group(0)))
    for m in _MONEY.finditer(text):
        take(m.start(), m.end(), Claim(ClaimKind.MONEY, _money(m.group(0)), m.group(0)))
    for m in _REFERENCE.finditer(text):
        take(m.start(), m.end(), Claim(ClaimKind.REFERENCE, m.group(0).upper(), m.group(0)))
    if names:
        for m in _COMMITMENTS.finditer(text):
            claim = Claim(ClaimKind.COMMITMENT, _squash(m.group(0)), m.group(0))
            take(m.start(), m.end(), claim)
        for start, end, phrase in _name_phrases(text, taken):
            take(start, end, Claim(ClaimKind.NAME, _squash(phrase), phrase))
    return [c for _, c in sorted(claims, key=lambda item: item[0])]


def check_grounding(draft: str, sources: Sequence[Source]) -> GroundingReport:
    """Each claim in the draft against the same kind of claim (or words) in the sources."""
    claims = extract_claims(draft)
    every = _Index(sources)
    office = _Index([s for s in sources if s.office_owned])
    ungrounded = [
        c
        for c in claims
        if not (office.has_phrase(c.value) if c.kind is ClaimKind.COMMITMENT else every.grounds(c))
    ]
    return GroundingReport(tuple(claims), tuple(ungrounded))


class _Index:
    """The sources' claims by kind, and their text (lower-case, spaces squashed), for lookups."""

    def __init__(self, sources: Iterable[Source]) -> None:
        texts = [s.text for s in sources]
        self.text = _squash("\n".join(texts))
        self.values: dict[ClaimKind, set[str]] = {}
        for text in texts:
            for claim in extract_claims(text, names=False):
                self.values.setdefault(claim.kind, set()).add(claim.value)

    def has_phrase(self, phrase: str) -> bool:
        """The words, whole (not inside a longer word or number), anywhere in the sources."""
        return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", self.text) is not None

    def grounds(self, claim: Claim) -> bool:
        if claim.kind is ClaimKind.NAME:
            return self.has_phrase(claim.value)
        known = self.values.get(claim.kind, set())
        if claim.kind is ClaimKind.DATE:
            return any(_same_date(claim.value, other) for other in known)
        # A number written in the sources as plain text ("reference 12345") also grounds it.
        return claim.value in known or (
            claim.kind is ClaimKind.REFERENCE and self.has_phrase(claim.value.lower())
        )


def _date_value(m: re.Match[str]) -> str | None:
    """'2026-11-16', '--11-16' without a year, '2026-11-' without a day; None if not a date."""
    groups = m.groupdict()
    month_raw = groups.get("m") or ""
    month = int(month_raw) if month_raw.isdigit() else _MONTHS.get(month_raw.lower().rstrip("."))
    day = int(groups["d"]) if groups.get("d") else None
    year_raw = groups.get("y")
    year = int(year_raw) if year_raw else None
    if year is not None and year < 100:
        year += 2000
    if not month or not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    return f"{year or ''}-{month:02d}-{'' if day is None else f'{day:02d}'}"


def _same_date(a: str, b: str) -> bool:
    """Equal where both say: '--11-24' matches '2026-11-24'; '2026-11-' matches '2026-11-24'."""
    ya, ma, da = a.split("-")
    yb, mb, db = b.split("-")
    if ma != mb:
        return False
    if ya and yb and ya != yb:
        return False
    if da and db:
        return da == db
    return not da and (bool(ya) and ya == yb)  # 'November 2026' needs its year


def _money(raw: str) -> str:
    return re.sub(r"[\s,£]", "", raw).lower().removesuffix(".00")


def _squash(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).lower()


def _name_phrases(text: str, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Runs of capitalised words that may name someone or something, with their spans."""
    found: list[tuple[int, int, str]] = []
    for m in _CAPITALISED_RUN.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        words = list(re.finditer(r"\S+", m.group(0)))
        at_start = _starts_sentence(text, m.start())
        if at_start and _bare(words[0].group(0)) in _OPENERS:
            words, at_start = words[1:], False  # "The Environment Agency": from the second word
        kept = [w for w in words if _bare(w.group(0)) not in _NOT_NAMES]
        if not kept or (at_start and len(kept) == 1 and kept[0] is words[0]):
            continue  # one capitalised word opening a sentence is an ordinary word
        start, end = m.start() + kept[0].start(), m.start() + kept[-1].end()
        phrase = re.sub(r"['’]s$", "", " ".join(w.group(0) for w in kept))
        found.append((start, end, phrase))
    return found


def _starts_sentence(text: str, at: int) -> bool:
    """Whether a word at this offset opens a sentence, a line or a list item."""
    j = at
    while j > 0 and text[j - 1] in " \t\"'“‘([":
        j -= 1
    if j == 0 or text[j - 1] in ".!?:;\n":
        return True
    line = text[text.rfind("\n", 0, j) + 1 : j].strip()
    return line in ("-", "*", "•") or re.fullmatch(r"\d+[.)]", line) is not None


def _bare(word: str) -> str:
    return re.sub(r"['’]s$", "", word).strip(".,").lower()
