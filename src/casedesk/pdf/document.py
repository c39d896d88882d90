"""A PDF file of pages holding text, filled boxes and lines (PDF 32000-1:2008).

Text is set in embedded TrueType fonts as Type 0 fonts with Identity-H encoding: every
character becomes its glyph id in a hex string, so no text, however hostile, can become
PDF syntax. Each font carries a ToUnicode map, so the text can be searched, copied and
read aloud. No shaping: scripts that need it (Arabic, Indic) come out unjoined, and
right-to-left text comes out left to right.

Coordinates are points from the top-left corner of an A4 page; the writer turns them
into PDF's bottom-left space. Output is deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from casedesk.pdf.truetype import TrueTypeFont

A4 = (595.28, 841.89)
Colour = tuple[float, float, float]
BLACK: Colour = (0.14, 0.14, 0.14)


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text_string(text: str) -> str:
    """A string for the Info dictionary: UTF-16BE with its byte-order mark, in hex."""
    return "<feff" + text.encode("utf-16-be").hex() + ">"


@dataclass
class Font:
    resource: str  # /F1 ...
    face: TrueTypeFont
    used: dict[int, str] = field(default_factory=dict)  # glyph id -> the character it shows

    def glyphs(self, text: str) -> str:
        ids = []
        for char in text:
            gid = self.face.glyph(char)
            self.used.setdefault(gid, char if ord(char) in self.face.cmap else "\ufffd")
            ids.append(f"{gid:04x}")
        return "".join(ids)

    def width(self, text: str, size: float) -> float:
        return self.face.width(text, size)


@dataclass
class Page:
    height: float
    ops: list[str] = field(default_factory=list)
    fonts: set[str] = field(default_factory=set)

    def text(self, x: float, top: float, text: str, font: Font, size: float,
             colour: Colour = BLACK) -> None:  # fmt: skip
        """`text` on one line, its baseline `size` below `top`."""
        printable = "".join(c for c in text if c.isprintable() or c == " ")
        if not printable:
            return
        y = self.height - top - size * font.face.ascent / font.face.units_per_em
        self.fonts.add(font.resource)
        self.ops.append(
            f"BT {font.resource} {_num(size)} Tf {_rgb(colour)} rg {_num(x)} {_num(y)} Td "
            f"<{font.glyphs(printable)}> Tj ET"
        )

    def rect(self, x: float, top: float, width: float, height: float, colour: Colour) -> None:
        y = self.height - top - height
        self.ops.append(f"{_rgb(colour)} rg {_num(x)} {_num(y)} {_num(width)} {_num(height)} re f")

    def line(self, x1: float, top1: float, x2: float, top2: float, colour: Colour,
             width: float = 0.5) -> None:  # fmt: skip
        self.ops.append(
            f"{_rgb(colour)} RG {_num(width)} w {_num(x1)} {_num(self.height - top1)} m "
            f"{_num(x2)} {_num(self.height - top2)} l S"
        )


def _rgb(colour: Colour) -> str:
    return " ".join(_num(c) for c in colour)


class Document:
    def __init__(self, title: str, created: datetime, size: tuple[float, float] = A4) -> None:
        self.title = title
        self.created = created.astimezone(UTC)
        self.size = size
        self.pages: list[Page] = []
        self.fonts: dict[str, Font] = {}

    def font(self, path: Path) -> Font:
        """The font in a TrueType file (loaded once per document)."""
        for font in self.fonts.values():
            if font.face.name == path.stem:
                return font
        font = Font(f"/F{len(self.fonts) + 1}", TrueTypeFont.load(path))
        self.fonts[font.resource] = font
        return font

    def new_page(self) -> Page:
        page = Page(self.size[1])
        self.pages.append(page)
        return page

    def to_bytes(self) -> bytes:
        return _Writer(self).render()


class _Writer:
    """Objects in order, then the cross-reference table (7.5)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.objects: list[bytes] = []

    def add(self, body: bytes | str) -> int:
        self.objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(self.objects)

    def reserve(self) -> int:
        return self.add(b"")

    def set(self, number: int, body: str) -> None:
        self.objects[number - 1] = body.encode("latin-1")

    def stream(self, data: bytes, extra: str = "", compress: bool = True) -> int:
        if compress:
            data = zlib.compress(data, 9)
            extra = f"/Filter /FlateDecode {extra}"
        head = f"<< /Length {len(data)} {extra}>>\nstream\n".encode("latin-1")
        return self.add(head + data + b"\nendstream")

    def render(self) -> bytes:
        doc = self.doc
        catalog = self.reserve()
        pages = self.reserve()
        fonts = {name: self._font(font) for name, font in doc.fonts.items()}
        kids = []
        for page in doc.pages:
            content = self.stream("\n".join(page.ops).encode("latin-1"))
            font_refs = " ".join(f"{f} {fonts[f]} 0 R" for f in sorted(page.fonts))
            kids.append(self.add(
                f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {_num(doc.size[0])} "
                f"{_num(doc.size[1])}] /Resources << /Font << {font_refs} >> >> "
                f"/Contents {content} 0 R >>"
            ))  # fmt: skip
        self.set(pages, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] "
                        f"/Count {len(kids)} >>")  # fmt: skip
        self.set(catalog, f"<< /Type /Catalog /Pages {pages} 0 R /Lang (en-GB) >>")
        stamp = doc.created.strftime("D:%Y%m%d%H%M%SZ")
        info = self.add(
            f"<< /Title {_text_string(doc.title)} /Producer (CaseDesk) /CreationDate ({stamp}) >>"
        )
        return self._file(catalog, info)

    def _file(self, catalog: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objects) + 1}\n0000000000 65535 f \n".encode()
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode()
        digest = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest()
        out += (
            f"trailer\n<< /Size {len(self.objects) + 1} /Root {catalog} 0 R /Info {info} 0 R "
            f"/ID [<{digest}> <{digest}>] >>\nstartxref\n{xref}\n%%EOF\n"
        ).encode()
        return bytes(out)

    def _font(self, font: Font) -> int:
        face = font.face
        used = sorted(font.used)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(used).encode()).digest()[:6])
        name = f"/{tag}+{face.name.replace(' ', '')}"
        subset = face.subset(set(used))
        file = self.stream(subset, f"/Length1 {len(subset)} ")
        bbox = " ".join(str(face.scaled(v)) for v in face.bbox)
        descriptor = self.add(
            f"<< /Type /FontDescriptor /FontName {name} /Flags 32 /FontBBox [{bbox}] "
            f"/ItalicAngle 0 /Ascent {face.scaled(face.ascent)} "
            f"/Descent {face.scaled(face.descent)} /CapHeight {face.scaled(face.cap_height)} "
            f"/StemV 80 /FontFile2 {file} 0 R >>"
        )
        widths = " ".join(f"{g} [{face.scaled(face.advances[g])}]" for g in used)
        cid = self.add(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {name} /CIDSystemInfo "
            f"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /W [{widths}] /CIDToGIDMap /Identity >>"
        )
        to_unicode = self.stream(_to_unicode(font.used).encode("latin-1"))
        return self.add(
            f"<< /Type /Font /Subtype /Type0 /BaseFont {name} /Encoding /Identity-H "
            f"/DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
        )


def _to_unicode(used: dict[int, str]) -> str:
    """The CMap from glyph ids back to text (9.10.3), at most 100 entries per block."""
    entries = [
        f"<{gid:04x}> <{char.encode('utf-16-be').hex()}>" for gid, char in sorted(used.items())
        if gid  # .notdef maps to nothing
    ]  # fmt: skip
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <ffff>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
