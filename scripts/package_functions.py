"""Build the Azure Functions deployment zip and prove it is complete.

The zip holds function_app.py, host.json and every dependency under
.python_packages/lib/site-packages (the layout Functions' zip deploy reads), plus a copy of
the repository's prompts/ inside the casedesk package (casedesk/prompts/), where the AI
adapter looks first: prompts/ at the top of the repository stays the one source. The check
imports the app from an extracted copy with site-packages switched off (python -I -S), so
it can only succeed if the zip itself contains everything the app imports: the venv that
built it cannot hide a missing package.

Usage: python scripts/package_functions.py [--out build/casedesk-functionapp.zip]
       [--without-dependencies]  (casedesk alone, for a quick look at what is packaged)
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
PROMPTS = ROOT / "prompts"
PACKAGED_PROMPTS = SITE / "casedesk" / "prompts"  # adapters/ai/prompt.py: prompts_dir()
EXPECTED = ["health", "notifications", "lifecycle", "addin", "triage", "renew", "sweep", "messages"]


def build(out: Path, with_dependencies: bool = True) -> None:
    stage = out.parent / "functionapp"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / SITE).mkdir(parents=True)
    for name in ("function_app.py", "host.json", "requirements.txt"):
        shutil.copy2(ROOT / "functions" / name, stage / name)
    if with_dependencies:
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
            *([] if with_dependencies else ["--no-deps"]),
            "--target",
            str(stage / SITE),
            str(ROOT),
        ],
        check=True,
    )
    # Not package data: prompts/ lives outside src/ (reviewers read it there), so it is copied.
    shutil.copytree(PROMPTS, stage / PACKAGED_PROMPTS, dirs_exist_ok=True)
    out.unlink(missing_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(stage.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(stage))
    print(f"wrote {out} ({out.stat().st_size / 2**20:.0f} MiB)")


def prompt_files() -> list[str]:
    """The prompt files a deployed app needs: every file of prompts/, by name."""
    return sorted(p.name for p in PROMPTS.iterdir() if p.is_file())


def packaged_prompt_files(zip_path: Path) -> dict[str, bytes]:
    """Prompt files inside the zip, by name, with their bytes."""
    prefix = f"{PACKAGED_PROMPTS.as_posix()}/"
    with zipfile.ZipFile(zip_path) as archive:
        return {
            name.removeprefix(prefix): archive.read(name)
            for name in archive.namelist()
            if name.startswith(prefix) and not name.endswith("/")
        }


def check_prompts(zip_path: Path) -> None:
    """Every prompt file is in the zip byte for byte, and the AI adapter, run from an extracted
    copy with nothing else on its path, loads its prompt from there."""
    packaged = packaged_prompt_files(zip_path)
    missing = [n for n in prompt_files() if packaged.get(n) != (PROMPTS / n).read_bytes()]
    if missing:
        raise SystemExit(f"{zip_path}: prompt files missing or stale: {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="casedesk-prompts-") as tmp:
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(tmp)
        site = str(Path(tmp) / SITE)
        probe = (
            f"import sys; sys.path[:0] = [{site!r}]\n"
            "from casedesk.adapters.ai.prompt import load_prompt, prompts_dir\n"
            "prompt = load_prompt()\n"
            f"assert str(prompts_dir()).startswith({site!r}), prompts_dir()\n"
            "print('prompts OK:', prompt.id, 'from the package')\n"
        )
        subprocess.run([sys.executable, "-I", "-S", "-c", probe], check=True, cwd=tmp)


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
            "import casedesk.adapters.m365.teams_adapter, botbuilder.core, jwt.algorithms\n"
            "import jwt, casedesk.entrypoints.addin_host as pane\n"
            "assert (pane.PANE_DIR / 'taskpane.html').is_file(), 'the task pane is not in the zip'\n"
            "assert (pane.PANE_DIR / 'assets' / 'icon-80.png').is_file(), 'no ribbon icons'\n"
            "print('package imports OK:', ', '.join(names))\n"
        )
        subprocess.run([sys.executable, "-I", "-S", "-c", probe], check=True, cwd=tmp)
    check_prompts(zip_path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "casedesk-functionapp.zip")
    parser.add_argument("--check-only", action="store_true", help="only verify an existing zip")
    parser.add_argument(
        "--without-dependencies",
        action="store_true",
        help="package casedesk alone (not deployable): checks only the prompts",
    )
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.check_only:
        build(args.out, with_dependencies=not args.without_dependencies)
    if args.without_dependencies:
        check_prompts(args.out)
    else:
        check(args.out)


if __name__ == "__main__":
    main()
