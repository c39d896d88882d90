"""Just enough of a TrueType font to set text in a PDF: the character map, advance widths,
metrics, and a subset holding only the glyphs a document uses.

The tables and their layouts are Apple's and Microsoft's TrueType/OpenType specification
(https://learn.microsoft.com/typography/opentype/spec/): the table directory, `head`, `hhea`,
`maxp`, `hmtx`, `loca`, `glyf` (simple and composite glyphs), `cmap` formats 4 and 12, and
`OS/2` for the cap height. Standard library only.

The subset keeps every glyph's id (so the PDF can map CID to glyph one to one) and empties
the glyphs nobody uses; composite glyphs keep the components they are built from. Layout
tables (GSUB, GPOS, kern) and names are left out: a PDF places glyphs itself.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

# Composite glyph flags (glyf table).
_ARGS_ARE_WORDS = 0x0001
_HAVE_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_HAVE_XY_SCALE = 0x0040
_HAVE_TWO_BY_TWO = 0x0080

# What a PDF viewer needs from an embedded TrueType font (PDF 32000-1:2008, 9.9).
_REQUIRED_TABLES = (b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp")
_KEPT_TABLES = (b"cvt ", b"fpgm", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"prep")


class FontError(ValueError):
    """The file is not a TrueType font this module can read."""


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


@dataclass
class TrueTypeFont:
    name: str
    tables: dict[bytes, bytes]
    units_per_em: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    advances: list[int]  # by glyph id
    cmap: dict[int, int] = field(repr=False)  # code point -> glyph id

    @classmethod
    def load(cls, path: Path) -> TrueTypeFont:
        return cls.parse(path.read_bytes(), path.stem)

    @classmethod
    def parse(cls, data: bytes, name: str) -> TrueTypeFont:
        if len(data) < 12 or data[:4] not in (b"\x00\x01\x00\x00", b"true"):
            raise FontError(f"{name}: not a TrueType font (CFF-flavoured OpenType is not read)")
        (count,) = struct.unpack_from(">H", data, 4)
        tables: dict[bytes, bytes] = {}
        for i in range(count):
            tag, _sum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            tables[tag] = data[offset : offset + length]
        missing = [t.decode() for t in _REQUIRED_TABLES if t not in tables]
        if missing:
            raise FontError(f"{name}: the font has no {', '.join(missing)} table")
        head, hhea, maxp = tables[b"head"], tables[b"hhea"], tables[b"maxp"]
        (units,) = struct.unpack_from(">H", head, 18)
        bbox = struct.unpack_from(">4h", head, 36)
        ascent, descent = struct.unpack_from(">hh", hhea, 4)
        (metrics,) = struct.unpack_from(">H", hhea, 34)
        (glyphs,) = struct.unpack_from(">H", maxp, 4)
        hmtx = tables[b"hmtx"]
        advances = [struct.unpack_from(">H", hmtx, 4 * i)[0] for i in range(metrics)]
        advances += [advances[-1]] * (glyphs - metrics)
        os2 = tables.get(b"OS/2", b"")
        cap = struct.unpack_from(">h", os2, 88)[0] if len(os2) >= 90 else ascent
        return cls(name, tables, units, (bbox[0], bbox[1], bbox[2], bbox[3]), ascent, descent,
                   cap, advances, _read_cmap(tables[b"cmap"]))  # fmt: skip

    @property
    def glyph_count(self) -> int:
        return len(self.advances)

    def glyph(self, char: str) -> int:
        """The glyph for a character; U+FFFD's (or .notdef, 0) when the font has none."""
        return self.cmap.get(ord(char), self.cmap.get(0xFFFD, 0))

    def width(self, text: str, size: float) -> float:
        """The advance of `text` set at `size` points, in points (no kerning)."""
        return sum(self.advances[self.glyph(c)] for c in text) * size / self.units_per_em

    def scaled(self, value: int) -> int:
        """A font-unit value in the PDF's thousandths of the em."""
        return round(value * 1000 / self.units_per_em)

    def subset(self, used: set[int]) -> bytes:
        """A TrueType file with the same glyph ids in which only `used` glyphs (their
        components, and .notdef) have outlines."""
        offsets = self._offsets()
        glyf = self.tables[b"glyf"]
        keep = {0}
        pending = list(used)
        while pending:
            gid = pending.pop()
            if gid in keep or not 0 <= gid < self.glyph_count:
                continue
            keep.add(gid)
            pending.extend(_components(glyf[offsets[gid] : offsets[gid + 1]]))
        new_glyf = bytearray()
        loca = []
        for gid in range(self.glyph_count):
            loca.append(len(new_glyf))
            if gid in keep:
                new_glyf += glyf[offsets[gid] : offsets[gid + 1]]
                new_glyf += b"\0" * (-len(new_glyf) % 4)
        loca.append(len(new_glyf))
        tables = {t: self.tables[t] for t in _KEPT_TABLES if t in self.tables}
        tables[b"glyf"] = bytes(new_glyf)
        tables[b"loca"] = struct.pack(f">{len(loca)}I", *loca)
        head = bytearray(self.tables[b"head"])
        struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment, set below
        struct.pack_into(">h", head, 50, 1)  # indexToLocFormat: long offsets
        tables[b"head"] = bytes(head)
        return _assemble(tables)

    def _offsets(self) -> list[int]:
        loca = self.tables[b"loca"]
        (long_format,) = struct.unpack_from(">h", self.tables[b"head"], 50)
        n = self.glyph_count + 1
        if long_format:
            return list(struct.unpack_from(f">{n}I", loca))
        return [2 * v for v in struct.unpack_from(f">{n}H", loca)]


def _components(glyph: bytes) -> list[int]:
    """The glyph ids a composite glyph is built from ([] for a simple or empty glyph)."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph, 0)[0] >= 0:
        return []
    found = []
    at = 10
    while at + 4 <= len(glyph):
        flags, gid = struct.unpack_from(">HH", glyph, at)
        found.append(gid)
        at += 4 + (4 if flags & _ARGS_ARE_WORDS else 2)
        if flags & _HAVE_SCALE:
            at += 2
        elif flags & _HAVE_XY_SCALE:
            at += 4
        elif flags & _HAVE_TWO_BY_TWO:
            at += 8
        if not flags & _MORE_COMPONENTS:
            break
    return found


def _read_cmap(cmap: bytes) -> dict[int, int]:
    """Unicode code points to glyph ids, from the best Unicode subtable (format 12, else 4)."""
    (count,) = struct.unpack_from(">H", cmap, 2)
    subtables: dict[int, int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        if platform == 0 or (platform == 3 and encoding in (1, 10)):  # Unicode subtables
            (fmt,) = struct.unpack_from(">H", cmap, offset)
            subtables.setdefault(fmt, offset)
    if 12 in subtables:
        return _cmap_12(cmap, subtables[12])
    if 4 in subtables:
        return _cmap_4(cmap, subtables[4])
    raise FontError("the font has no Unicode character map (cmap format 4 or 12)")


def _cmap_12(cmap: bytes, at: int) -> dict[int, int]:
    (groups,) = struct.unpack_from(">I", cmap, at + 12)
    found: dict[int, int] = {}
    for i in range(groups):
        first, last, glyph = struct.unpack_from(">III", cmap, at + 16 + 12 * i)
        for code in range(first, min(last, 0x10FFFF) + 1):
            found[code] = glyph + code - first
    return found


def _cmap_4(cmap: bytes, at: int) -> dict[int, int]:
    (segments2,) = struct.unpack_from(">H", cmap, at + 6)
    n = segments2 // 2
    ends = struct.unpack_from(f">{n}H", cmap, at + 14)
    starts = struct.unpack_from(f">{n}H", cmap, at + 16 + segments2)
    deltas = struct.unpack_from(f">{n}h", cmap, at + 16 + 2 * segments2)
    range_at = at + 16 + 3 * segments2
    ranges = struct.unpack_from(f">{n}H", cmap, range_at)
    found: dict[int, int] = {}
    for i in range(n):
        for code in range(starts[i], ends[i] + 1):
            if code == 0xFFFF:
                continue
            if ranges[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                where = range_at + 2 * i + ranges[i] + 2 * (code - starts[i])
                (glyph,) = struct.unpack_from(">H", cmap, where)
                if glyph:
                    glyph = (glyph + deltas[i]) & 0xFFFF
            if glyph:
                found[code] = glyph
    return found


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    """A font file from its tables, with the directory and checksums the spec asks for."""
    tags = sorted(tables)
    count = len(tags)
    power = 1
    while power * 2 <= count:
        power *= 2
    entry_selector = power.bit_length() - 1
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, entry_selector,
                         count * 16 - power * 16)  # fmt: skip
    directory = bytearray()
    body = bytearray()
    offset = 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    before = tags[: tags.index(b"head")]
    head_at = 12 + 16 * count + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in before)
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)
