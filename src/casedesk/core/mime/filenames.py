"""Attachment names from strangers made safe to use as a file name inside a case folder."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
_MAX_LEN = 120
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def safe_filename(raw: str | None, content_type: str, index: int) -> str:
    """A basename with no directory parts, control characters or leading dots; never empty."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.lower() in _RESERVED:
        stem = f"_{stem}"
    if not stem:
        guessed = mimetypes.guess_extension(content_type) or ".bin"
        return f"attachment-{index}{guessed}"
    ext = ext[:16]
    stem = stem[: _MAX_LEN - len(ext) - 1]
    return f"{stem}.{ext}" if ext else stem
