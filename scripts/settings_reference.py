"""Write docs/configuration.md from the settings model (src/casedesk/settings.py).

Usage: python scripts/settings_reference.py          # rewrite it
       python scripts/settings_reference.py --check  # exit 1 if it is stale
       (--file PATH: another copy than docs/configuration.md)
"""

from __future__ import annotations

import sys
from pathlib import Path

from casedesk.settings_reference import render, write

TARGET = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def main(argv: list[str]) -> int:
    target = Path(argv[argv.index("--file") + 1]) if "--file" in argv else TARGET
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != render():
            print(
                f"{target} is stale: run `python scripts/settings_reference.py` and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"{target} matches the settings model")
        return 0
    changed = write(target)
    print(f"{'wrote' if changed else 'unchanged:'} {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
