"""approval/permissions.yaml as typed data, each entry knowing its line in the file.

The file lists every permission CaseDesk asks for (or plans to), the features that need it,
the least-privileged alternatives considered, and a table mapping each endpoint the adapters
call to the permission that covers it. check.py compares that table with the code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from casedesk.errors import CaseDeskError

SCHEMA = "casedesk-approval/1"
LINE_KEY = "__line__"  # also spelled out in _Entry.line's alias
MICROSOFT_DOCS = ("https://learn.microsoft.com/",)


class ManifestError(CaseDeskError):
    """The manifest file cannot be read; the message names the file, line and field."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    line: int = Field(0, alias="__line__")


def _microsoft_source(url: str) -> str:
    if not url.startswith(MICROSOFT_DOCS):
        raise ValueError(f"{url!r} is not a Microsoft documentation address (learn.microsoft.com)")
    return url


class Alternative(_Entry):
    name: str
    enough: bool
    why: str


class Permission(_Entry):
    id: str
    api: str
    name: str
    type: Literal[
        "application",
        "delegated",
        "exchange-rbac",
        "sharepoint-grant",
        "azure-rbac",
        "add-in",
        "bot",
    ]
    status: Literal["requested", "planned"]
    # code: an adapter call needs it (check.py proves it); platform: the Azure Functions host or
    # monitoring uses it, not our code; narrows: it scopes another permission down;
    # add-in-manifest: the Outlook add-in's manifest asks for it (addin_permissions.py proves it).
    evidence: Literal["code", "platform", "narrows", "add-in-manifest"] = "code"
    narrows: str | None = None
    role_id: str | None = None
    scope: str
    features: list[str] = Field(min_length=1)
    # The feature switch (src/casedesk/features.py) without which nothing needs it: requested
    # only by offices that switch it on. check.py validates the name.
    feature: str | None = None
    why: str
    platform_use: str | None = None
    alternatives: list[Alternative] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: list[str]) -> list[str]:
        return [_microsoft_source(v) for v in value]

    @property
    def is_requested(self) -> bool:
        return self.status == "requested"


class Endpoint(_Entry):
    call: str
    api: str
    permissions: list[str] = Field(default_factory=list)
    no_permission_because: str | None = None
    documented: str
    feature: str
    source: str | None = None

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        return _microsoft_source(value) if value is not None else None


class Feature(_Entry):
    id: str
    name: str
    default: Literal["on", "off"]
    what: str
    # A switch in src/casedesk/features.py that turns it on; the pack then says how from there.
    switch: str | None = None
    switch_off: str = ""
    built: bool = True


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    schema_: Literal["casedesk-approval/1"] = Field(alias="schema")
    line: int = Field(0, alias="__line__")
    app: str
    purpose: str
    features: list[Feature]
    permissions: list[Permission]
    endpoints: list[Endpoint]

    def permission(self, permission_id: str) -> Permission | None:
        return next((p for p in self.permissions if p.id == permission_id), None)

    def feature(self, feature_id: str) -> Feature | None:
        return next((f for f in self.features if f.id == feature_id), None)

    def in_effect(self, switches_on: frozenset[str]) -> list[Permission]:
        """The permissions requested by an office with these feature switches on."""
        return [
            p
            for p in self.permissions
            if p.is_requested and (p.feature is None or p.feature in switches_on)
        ]


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that records the line of every mapping under LINE_KEY."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int:
    """The line of the deepest mapping on a pydantic error location."""
    line = data.get(LINE_KEY, 0) if isinstance(data, dict) else 0
    node = data
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict):
            line = node.get(LINE_KEY, line)
    return int(line)


def load_manifest(path: Path) -> Manifest:
    """Read and validate the manifest; errors name the file, line, field and the fix."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except FileNotFoundError as exc:
        raise ManifestError(
            f"{path}: no such file; the approval manifest lives in approval/"
        ) from exc
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            field = ".".join(str(part) for part in loc)
            lines.append(f"{path} line {_line_of(data, loc)}: {field}: {error['msg']}")
        raise ManifestError("\n".join(lines)) from exc
