"""Bytes to text when the declared charset is missing, wrong or unknown."""

from __future__ import annotations

import codecs

# Mail clients label windows-1252 text as latin-1 or ascii all the time; cp1252 is a superset
# for every printable latin-1 character, so decoding with it is never worse.
_SUPERSETS = {"iso8859-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


def _codec_name(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip('"').lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Error handler: bytes that are not UTF-8 are read as cp1252 (mixed-encoding mail)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error("casedesk-cp1252", _cp1252_fallback)


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Decode with the declared charset when it works, else UTF-8 with stray bytes read as
    cp1252 (a UTF-8 body with one pasted latin-1 '£' keeps its other characters); never raise."""
    name = _codec_name(declared)
    if name is not None and name != "utf-8":
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", errors="casedesk-cp1252")


def fix_8bit_header(value: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes; decode them as UTF-8 (else cp1252)."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="casedesk-cp1252")
