"""A small bar chart as a PNG data URI, drawn with the standard library (zlib) only.

Adaptive Cards show PNG, JPEG or GIF images and take data URIs from schema 1.2; Teams
does not render SVG there, so the chart is a palette PNG of plain bars (a few hundred
bytes). The labels and numbers sit beside it in the card as text, which also serves
screen readers and clients that do not load images.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Sequence

# Fluent-ish palette: background, then one colour per bar (cycled).
_PALETTE = [
    (255, 255, 255),
    (98, 100, 167),
    (0, 120, 212),
    (0, 153, 188),
    (16, 124, 16),
    (202, 80, 16),
    (196, 49, 75),
    (135, 100, 184),
    (118, 118, 118),
]
BAR_COLOURS = _PALETTE[1:]  # the PDF briefing draws its bars in the same colours
BAR_HEIGHT, GAP, WIDTH = 14, 6, 240


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bar_chart_png(values: Sequence[int], width: int = WIDTH) -> bytes:
    """Horizontal bars, longest = full width, in the order given; PNG bytes."""
    rows = max(len(values), 1)
    height = rows * (BAR_HEIGHT + GAP) + GAP
    top = max(values, default=0) or 1
    raw = bytearray()
    for y in range(height):
        raw.append(0)  # filter: none
        slot, within = divmod(y - GAP, BAR_HEIGHT + GAP)
        on_bar = y >= GAP and within < BAR_HEIGHT and slot < len(values)
        length = round(width * values[slot] / top) if on_bar else 0
        if on_bar and values[slot] > 0:
            length = max(length, 2)  # a count of one is still visible
        colour = 1 + slot % (len(_PALETTE) - 1) if on_bar else 0
        raw.extend([colour] * length + [0] * (width - length))
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit palette
    palette = b"".join(bytes(rgb) for rgb in _PALETTE)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette),
            _chunk(b"IDAT", zlib.compress(bytes(raw), 9)),
            _chunk(b"IEND", b""),
        )
    )


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def text_bar(value: int, top: int, width: int = 12) -> str:
    """The same bar as text (for the fact beside the chart): ▇▇▇▇."""
    if value <= 0 or top <= 0:
        return ""
    return "▇" * max(1, round(width * value / top))
