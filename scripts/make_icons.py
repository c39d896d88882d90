"""Draw CaseDesk's app and ribbon icons as PNG files, byte-for-byte the same on every run.

No image library and no binary in the repository: a case-folder glyph is drawn with a little
geometry (4x4 supersampling for smooth edges) and written with zlib. Sizes are the ones
Microsoft's app manifest asks for:

  color.png     192x192  full colour (manifest `icons.color`)
  outline.png   32x32    white on transparent (manifest `icons.outline`)
  icon-16/20/24/32/40/48/64/80.png   ribbon button and group icons (16, 32 and 80 required)

Usage: python scripts/make_icons.py OUT_DIR
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

ACCENT = (0x0F, 0x6C, 0xBD)  # Fluent's brand blue, also the manifest's accentColor
WHITE = (0xFF, 0xFF, 0xFF)
RIBBON_SIZES = (16, 20, 24, 32, 40, 48, 64, 80)
SAMPLES = 4

Shape = Callable[[float, float], bool]


def _rounded_square(radius: float) -> Shape:
    def inside(x: float, y: float) -> bool:
        cx = min(max(x, radius), 1 - radius)
        cy = min(max(y, radius), 1 - radius)
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2

    return inside


def _folder(x: float, y: float) -> bool:
    """A case folder: a tab on the top left and the body below it (unit square coordinates)."""
    tab = 0.18 <= x <= 0.48 and 0.24 <= y <= 0.34
    body = 0.18 <= x <= 0.82 and 0.31 <= y <= 0.76
    return tab or body


def _folder_outline(x: float, y: float) -> bool:
    edge = 0.075
    inner = 0.18 + edge <= x <= 0.82 - edge and 0.31 + edge <= y <= 0.76 - edge
    return _folder(x, y) and not inner


def _coverage(size: int, shape: Shape) -> list[list[float]]:
    grid = []
    for row in range(size):
        line = []
        for col in range(size):
            hits = sum(
                shape((col + (i + 0.5) / SAMPLES) / size, (row + (j + 0.5) / SAMPLES) / size)
                for i in range(SAMPLES)
                for j in range(SAMPLES)
            )
            line.append(hits / SAMPLES**2)
        grid.append(line)
    return grid


def _png(size: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def colour_icon(size: int) -> bytes:
    """The folder in white on a rounded accent square."""
    background = _coverage(size, _rounded_square(0.2))
    glyph = _coverage(size, _folder)
    pixels = []
    for bg_row, fg_row in zip(background, glyph, strict=True):
        row = []
        for bg, fg in zip(bg_row, fg_row, strict=True):
            rgb = tuple(round(a * (1 - fg) + w * fg) for a, w in zip(ACCENT, WHITE, strict=True))
            row.append((*rgb, round(255 * max(bg, fg))))
        pixels.append(row)
    return _png(size, pixels)  # type: ignore[arg-type]


def outline_icon(size: int = 32) -> bytes:
    """The folder's outline in white on transparent, as the manifest's outline icon must be."""
    glyph = _coverage(size, _folder_outline)
    return _png(size, [[(*WHITE, round(255 * c)) for c in row] for row in glyph])


def icon_files() -> dict[str, bytes]:
    files = {"color.png": colour_icon(192), "outline.png": outline_icon(32)}
    files |= {f"icon-{size}.png": colour_icon(size) for size in RIBBON_SIZES}
    return files


def write_icons(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in icon_files().items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in write_icons(Path(sys.argv[1])):
        print(path)


if __name__ == "__main__":
    main()
