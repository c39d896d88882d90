"""The TrueType subset the PDF briefing embeds, checked against the shipped DejaVu Sans file
with the table layouts of the OpenType specification (not with our own reader alone)."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casedesk.pdf.document import Document
from casedesk.pdf.truetype import FontError, TrueTypeFont, _components

FONT = Path(__file__).resolve().parents[2] / "src/casedesk/fonts/DejaVuSans.ttf"


def tables(data: bytes) -> dict[bytes, tuple[int, bytes]]:
    """tag -> (directory checksum, table bytes), read straight from the file."""
    (count,) = struct.unpack_from(">H", data, 4)
    found = {}
    for i in range(count):
        tag, checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        found[tag] = (checksum, data[offset : offset + length])
    return found


def glyphs(data: bytes) -> list[bytes]:
    """Every glyph's bytes, by id, through the file's own loca and head tables."""
    t = tables(data)
    (long_format,) = struct.unpack_from(">h", t[b"head"][1], 50)
    (count,) = struct.unpack_from(">H", t[b"maxp"][1], 4)
    loca = t[b"loca"][1]
    if long_format:
        offsets = struct.unpack_from(f">{count + 1}I", loca)
    else:
        offsets = tuple(2 * v for v in struct.unpack_from(f">{count + 1}H", loca))
    glyf = t[b"glyf"][1]
    return [glyf[offsets[i] : offsets[i + 1]] for i in range(count)]


def checksum(data: bytes) -> int:
    data += b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


@pytest.fixture(scope="module")
def font() -> TrueTypeFont:
    return TrueTypeFont.load(FONT)


def test_the_subset_keeps_used_outlines_byte_for_byte_and_empties_the_rest(
    font: TrueTypeFont,
) -> None:
    original = glyphs(FONT.read_bytes())
    composite = next(g for g in range(font.glyph_count) if _components(original[g]))
    used = {font.glyph(c) for c in "Tŷ Isaf, Ynys Môn £5"} | {composite}
    subset = font.subset(used)
    kept = glyphs(subset)
    assert len(kept) == font.glyph_count  # ids unchanged: CID = glyph id in the PDF
    needed, pending = {0}, list(used)
    while pending:  # the used glyphs, and what the composite ones among them are built from
        gid = pending.pop()
        if gid not in needed:
            needed.add(gid)
            pending += _components(original[gid])
    assert set(_components(original[composite])) <= needed and len(needed) > len(used) + 1
    for gid in range(font.glyph_count):
        if gid in needed:
            assert kept[gid].rstrip(b"\0") == original[gid].rstrip(b"\0"), gid
        else:
            assert kept[gid] == b"", gid
    assert len(subset) < len(FONT.read_bytes()) / 5


def test_the_subset_checksums_are_the_ones_the_specification_asks_for(font: TrueTypeFont) -> None:
    subset = font.subset({font.glyph("A")})
    for tag, (stored, body) in tables(subset).items():
        if tag != b"head":  # head's sum is taken with checkSumAdjustment zeroed
            assert stored == checksum(body), tag
    assert checksum(subset) == 0xB1B0AFBA  # the whole file, with the adjustment in place


def test_widths_and_a_character_the_font_lacks(font: TrueTypeFont) -> None:
    assert font.units_per_em == 2048
    assert font.width("MM", 10) == pytest.approx(2 * font.width("M", 10))
    assert font.glyph("中") == font.glyph("\ufffd") != 0  # the replacement character's glyph
    doc = Document("t", datetime(2026, 11, 23, tzinfo=UTC))
    page, face = doc.new_page(), doc.font(FONT)
    page.text(50, 50, "Tŷ 中", face, 12)
    from pypdf import PdfReader

    [read] = PdfReader(io.BytesIO(doc.to_bytes())).pages
    assert read.extract_text() == "Tŷ \ufffd"


def test_a_file_that_is_not_a_truetype_font_is_refused() -> None:
    with pytest.raises(FontError, match="not a TrueType font"):
        TrueTypeFont.parse(b"OTTO" + b"\0" * 40, "cff")
    with pytest.raises(FontError, match="no cmap"):
        TrueTypeFont.parse(TrueTypeFont.load(FONT).subset({1}), "subset")  # no character map
