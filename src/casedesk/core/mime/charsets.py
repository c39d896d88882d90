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


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Decode with the declared charset when it works, else UTF-8, else cp1252; never raise."""
    candidates = [_codec_name(declared), "utf-8", "cp1252"]
    for name in candidates:
        if name is None:
            continue
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")
