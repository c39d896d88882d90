"""The Functions zip carries the prompts the AI adapter reads: prompts/ is outside src/, so a
plain install of the package would leave them behind and the deployed app could not classify.

The package is built without its dependencies here (casedesk alone, a few seconds); the full
build (`make package`) runs the same steps and the same prompt check."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ".python_packages/lib/site-packages"


def _packager() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "package_functions", ROOT / "scripts" / "package_functions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "casedesk-functionapp.zip"
    done = subprocess.run(
        [sys.executable, "scripts/package_functions.py", "--out", str(out),
         "--without-dependencies"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "prompts OK: classify.v2 from the package" in done.stdout
    return out


def test_every_prompt_file_is_in_the_functions_zip_byte_for_byte(package: Path) -> None:
    sources = sorted(p for p in (ROOT / "prompts").iterdir() if p.is_file())
    assert {"classify.v2.md", "classify.v2.schema.json"} <= {p.name for p in sources}
    with zipfile.ZipFile(package) as archive:
        for source in sources:
            assert archive.read(f"{SITE}/casedesk/prompts/{source.name}") == source.read_bytes()
        assert f"{SITE}/casedesk/adapters/ai/prompt.py" in archive.namelist()


def test_the_ai_adapter_in_an_extracted_zip_reads_the_packaged_prompt(
    package: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(tmp_path)
    site = str(tmp_path / SITE)
    probe = (
        f"import sys; sys.path[:0] = [{site!r}]\n"
        "from casedesk.adapters.ai.prompt import load_prompt, prompts_dir\n"
        "print(prompts_dir()); print(load_prompt().id)\n"
    )
    # -I -S: no repository, no venv, nothing but the extracted package on the path
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe], cwd=tmp_path, capture_output=True,
        text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert out == [f"{site}/casedesk/prompts", "classify.v2"]


def test_the_package_check_refuses_a_zip_without_the_prompts(package: Path, tmp_path: Path) -> None:
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(stripped, "w") as dst:
        for item in src.infolist():
            if not item.filename.endswith("classify.v2.schema.json"):
                dst.writestr(item, src.read(item))
    with pytest.raises(SystemExit, match=r"prompt files missing or stale: classify\.v2\.schema"):
        _packager().check_prompts(stripped)
