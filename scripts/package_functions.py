"""Build the Azure Functions deployment zip and prove it is complete.

The zip holds function_app.py, host.json and every dependency under
.python_packages/lib/site-packages (the layout Functions' zip deploy reads). The check
imports the app from an extracted copy with site-packages switched off (python -I -S), so
it can only succeed if the zip itself contains everything the app imports: the venv that
built it cannot hide a missing package.

Usage: python scripts/package_functions.py [--out build/casedesk-functionapp.zip]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(".python_packages/lib/site-packages")
EXPECTED = ["health", "notifications", "lifecycle", "addin", "triage", "renew", "sweep"]


def build(out: Path) -> None:
    stage = out.parent / "functionapp"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / SITE).mkdir(parents=True)
    for name in ("function_app.py", "host.json", "requirements.txt"):
        shutil.copy2(ROOT / "functions" / name, stage / name)
    print("installing casedesk and its dependencies into the package (this takes a minute)...")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(stage / SITE),
            str(ROOT),
        ],
        check=True,
    )
    out.unlink(missing_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(stage.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(stage))
    print(f"wrote {out} ({out.stat().st_size / 2**20:.0f} MiB)")


def check(zip_path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="casedesk-pkg-") as tmp:
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(tmp)
        probe = (
            f"import sys; sys.path[:0] = [{tmp!r}, {str(Path(tmp) / SITE)!r}]\n"
            "import function_app\n"
            "names = [f.get_function_name() for f in function_app.app.get_functions()]\n"
            f"assert names == {EXPECTED!r}, names\n"
            "import casedesk.bootstrap_m365, casedesk.adapters.m365.graph_mailbox\n"
            "import casedesk.adapters.m365.table_ops, casedesk.adapters.m365.storage_queue\n"
            "import msgraph.graph_service_client, msal, azure.data.tables, azure.storage.queue\n"
            "import jwt, casedesk.entrypoints.addin_host as pane\n"
            "assert (pane.PANE_DIR / 'taskpane.html').is_file(), 'the task pane is not in the zip'\n"
            "assert (pane.PANE_DIR / 'assets' / 'icon-80.png').is_file(), 'no ribbon icons'\n"
            "print('package imports OK:', ', '.join(names))\n"
        )
        subprocess.run([sys.executable, "-I", "-S", "-c", probe], check=True, cwd=tmp)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "casedesk-functionapp.zip")
    parser.add_argument("--check-only", action="store_true", help="only verify an existing zip")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.check_only:
        build(args.out)
    check(args.out)


if __name__ == "__main__":
    main()
