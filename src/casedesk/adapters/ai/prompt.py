"""Versioned prompts from prompts/: `<name>.v<N>.md` (front matter, `# System`, `# User`) and
the JSON schema beside it, turned into the messages and response_format of one request."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from casedesk.errors import CaseDeskError

CLASSIFY = "classify"
CLASSIFY_VERSION = 2
_SECTION = re.compile(r"^# (System|User)[ \t]*$", re.MULTILINE)
_SLOT = re.compile(r"\{\{ (\w+) \}\}")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    system: str
    user_template: str
    schema: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.name}.v{self.version}"

    def messages(self, **slots: str) -> list[dict[str, str]]:
        """System and user messages; slot values are inserted once, never re-scanned, so text
        that looks like a slot stays text."""

        def fill(match: re.Match[str]) -> str:
            if match.group(1) not in slots:
                raise CaseDeskError(
                    f"prompt {self.id} needs a value for {{{{ {match.group(1)} }}}}"
                )
            return slots[match.group(1)]

        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": _SLOT.sub(fill, self.user_template)},
        ]

    def response_format(self) -> dict[str, Any]:
        """Structured outputs, strict: the model can only produce the schema's shape."""
        return {
            "type": "json_schema",
            "json_schema": {
                "name": f"{self.name}_v{self.version}",
                "strict": True,
                "schema": self.schema,
            },
        }


def prompts_dir() -> Path:
    """prompts/ shipped inside the package if a build put it there, else the repository's."""
    packaged = Path(str(resources.files("casedesk"))) / "prompts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[4] / "prompts"


def load_prompt(
    name: str = CLASSIFY, version: int = CLASSIFY_VERSION, folder: Path | None = None
) -> Prompt:
    folder = folder or prompts_dir()
    text_path = folder / f"{name}.v{version}.md"
    schema_path = folder / f"{name}.v{version}.schema.json"
    try:
        text = text_path.read_text(encoding="utf-8")
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CaseDeskError(
            f"prompt file {exc.filename} is missing: the AI classifier needs prompts/ "
            f"({name}.v{version}.md and its schema) beside the code"
        ) from exc
    except json.JSONDecodeError as exc:
        raise CaseDeskError(f"{schema_path}: not valid JSON ({exc})") from exc
    body = _strip_front_matter(text)
    parts = _SECTION.split(body)
    # ['', 'System', '<system text>', 'User', '<user text>']
    sections = dict(zip(parts[1::2], (p.strip() for p in parts[2::2]), strict=True))
    if set(sections) != {"System", "User"}:
        raise CaseDeskError(f"{text_path}: needs a '# System' and a '# User' section")
    return Prompt(name, version, sections["System"], sections["User"], schema)


def _strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :]
    return text
