"""docs/configuration.md, generated from the settings model so it cannot drift from it.

Sections are the `# --- Title ---` comments in settings.py's Settings class; every field's
type, default, limits and description come from the pydantic model itself. Nested models
(the [features] table) are listed key by key. scripts/settings_reference.py writes the file;
tests/unit/test_settings_reference.py fails when the committed copy is stale.
"""

from __future__ import annotations

import ast
import inspect
import re
import types
from enum import Enum
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from casedesk import settings as settings_module
from casedesk.settings import ENV_PREFIX, Settings

GENERAL = "General"
_SECTION = re.compile(r"^\s*# --- (.+?) -+\s*$")

INTRO = """\
# Configuration reference

<!-- Generated from src/casedesk/settings.py by `python scripts/settings_reference.py`.
     Do not edit by hand: a test fails when this file and the settings model disagree. -->

Every setting CaseDesk reads, with its type, default and what it does. Each one can be given
three ways; a later one wins:

1. a **settings file** (TOML), passed with `casedesk --settings FILE` or named by the
   `CASEDESK_SETTINGS` environment variable: `key = value` at the top level, and the
   feature switches in a `[features]` table;
2. an **environment variable**: `CASEDESK_` and the key in capitals
   (`CASEDESK_DATA_DIR=/srv/casedesk`); in Azure these are the Function App's app settings;
3. a **command-line option**, for the few that have one (`casedesk --data-dir DIR`).

Everything is checked when CaseDesk starts. A wrong or misspelt key stops it with a message
naming the key, the value and the fix (`samples/casedesk.toml: unknown key 'mp_aprover' (did
you mean 'mp_approver'?)`); nothing security-relevant has a silent default. `casedesk doctor`
checks a whole installation. Secrets (marked *secret*) are never printed back; in Azure they
belong in Key Vault or are replaced by the managed identity.

A small settings file (the demo's is `samples/casedesk.toml`):

```toml
office_name = "Office of Alex Morgan MP"
mp_name = "Alex Morgan MP"
constituency = "Cambridge"
office_address = "alex.morgan.mp@parliament.example"
safety_lead = "sam.okafor"
rules_file = "samples/rules.yaml"
mp_approver = "alex.morgan"

[features]
send_mail = false   # least privilege: on only once the tenant grants Mail.Send
```
"""


def sections() -> list[tuple[str, list[str]]]:
    """(section title, field names in order) from the comments in the Settings class."""
    source = inspect.getsource(settings_module)
    tree = ast.parse(source)
    cls = next(
        n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == Settings.__name__
    )
    lines = source.splitlines()
    titles = {
        number: match.group(1)
        for number, text in enumerate(lines, 1)
        if cls.lineno <= number <= (cls.end_lineno or 0) and (match := _SECTION.match(text))
    }
    result: list[tuple[str, list[str]]] = [(GENERAL, [])]
    for node in cls.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        above = [t for line, t in titles.items() if line < node.lineno]
        title = above[-1] if above else GENERAL
        if result[-1][0] != title:
            result.append((title, []))
        if node.target.id in Settings.model_fields:
            result[-1][1].append(node.target.id)
    return [(title, names) for title, names in result if names]


def type_name(annotation: Any) -> str:
    """A reader's name for a field's type."""
    origin = get_origin(annotation)
    if origin is Literal:
        return " \\| ".join(f'`"{v}"`' for v in get_args(annotation))
    if origin in (Union, types.UnionType):
        parts = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(parts) < len(get_args(annotation))
        name = " or ".join(type_name(a) for a in parts)
        return f"{name}, optional" if optional else name
    if origin is dict:
        return f"table of {type_name(get_args(annotation)[1])}s"
    if isinstance(annotation, type):
        if issubclass(annotation, SecretStr):
            return "string, *secret*"
        if issubclass(annotation, Path):
            return "path"
        if issubclass(annotation, bool):
            return "true/false"
        if issubclass(annotation, Enum):
            return " \\| ".join(f'`"{m.value}"`' for m in annotation)
        return {int: "whole number", float: "number", str: "string"}.get(
            annotation, annotation.__name__
        )
    return str(annotation)


def default_text(info: FieldInfo) -> str:
    value = info.get_default(call_default_factory=True)
    if value is PydanticUndefined:
        return "(required)"
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, BaseModel):
        return "(see below)"
    if isinstance(value, dict):
        return "(empty)" if not value else f"`{value}`"
    if isinstance(value, str | Path):
        return f'`"{value}"`' if str(value) else '`""`'
    return f"`{value}`"


def limits(info: FieldInfo) -> str:
    """Bounds and patterns the model enforces, in words."""
    words = []
    for rule in info.metadata:
        for attr, word in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if getattr(rule, attr, None) is not None:
                words.append(f"{word} {getattr(rule, attr)}")
        if getattr(rule, "min_length", None):
            words.append("not empty")
        if getattr(rule, "pattern", None):
            words.append(f"matches `{rule.pattern}`")
    return ", ".join(words)


def _cell(text: str) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _row(key: str, env: str, info: FieldInfo) -> str:
    description = info.description or ""
    rule = limits(info)
    if rule:
        description += f" ({rule})"
    return (
        f"| `{key}` | {type_name(info.annotation)} | {default_text(info)} | `{env}` | "
        f"{_cell(description)} |"
    )


def _other_switches() -> str:
    """The switches that live on other settings, from the same table the code refuses with."""
    from casedesk.features import SWITCHES

    lines = [
        "Every optional feature that needs an extra permission, and the setting that switches "
        "it on (all off by default; `casedesk approval-manifest --out DIR --features NAME,...` "
        "shows the permissions each adds):\n",
        "| switch | feature | needs | on | off |",
        "|---|---|---|---|---|",
    ]
    for switch in SWITCHES:
        lines.append(
            f"| `{switch.name}` | {_cell(switch.title)} | {_cell(switch.needs)} | "
            f"{_cell(switch.switch_on)} | {_cell(switch.switch_off)} |"
        )
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole of docs/configuration.md."""
    out = [INTRO]
    for title, names in sections():
        out.append(f"## {title}\n")
        out.append("| key | type | default | environment variable | what it does |")
        out.append("|---|---|---|---|---|")
        nested: list[tuple[str, type[BaseModel]]] = []
        for name in names:
            info = Settings.model_fields[name]
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                nested.append((name, annotation))
                continue
            out.append(_row(name, ENV_PREFIX + name.upper(), info))
        for name, model in nested:
            for key, info in model.model_fields.items():
                env = f"{ENV_PREFIX}{name.upper()}={key}"
                out.append(_row(f"[{name}] {key}", env, info))
        out.append("")
        for name, model in nested:
            outer = Settings.model_fields[name].description or ""
            out.append(f"`[{name}]`: {_cell(outer)} {_cell(inspect.getdoc(model) or '')}\n")
            if name == "features":
                out.append(_other_switches())
    return "\n".join(out).rstrip() + "\n"


def write(path: Path) -> bool:
    """Write the reference to `path`; True if it changed."""
    text = render()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True
