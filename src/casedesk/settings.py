"""Settings from CASEDESK_* environment variables and an optional TOML file, validated at start.

Precedence: command-line options > environment > settings file > defaults. Every error names
the key (as the environment variable or the file key it came from) and how to fix it.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casedesk.errors import SettingsError

ENV_PREFIX = "CASEDESK_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(Path("casedesk-data"), description="Where cases, files and state live.")
    adapters: Literal["embedded", "m365"] = Field(
        "embedded", description="Which adapter set to use: embedded (laptop) or m365 (tenant)."
    )
    office_name: str = Field("Office of Alex Morgan MP", min_length=1, description="Signs drafts.")
    constituency: str = Field("Cambridge", min_length=1, description="The MP's constituency.")
    mp_name: str = Field("Alex Morgan MP", min_length=1, description="The MP's name for drafts.")
    office_address: str = Field(
        "alex.morgan.mp@parliament.example",
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="The office mailbox drafts are written from.",
    )
    safety_lead: str | None = Field(
        None,
        description="Who receives abuse and threats (built-in routing); unset leaves them unassigned.",
    )
    templates_dir: Path | None = Field(
        None, description="Folder of office-edited draft templates; falls back to the built-in set."
    )
    campaign_min_size: int = Field(
        3, ge=2, le=1000, description="Distinct senders that make a campaign."
    )
    campaign_threshold: float = Field(
        0.5,
        gt=0.0,
        le=1.0,
        description="Estimated Jaccard similarity for two letters to be copies.",
    )
    thread_window_days: int = Field(
        30, ge=1, le=365, description="How far back a 'Re:' subject from the same sender threads."
    )


def _env_name(key: str) -> str:
    return ENV_PREFIX + key.upper()


def _from_env(environ: Mapping[str, str]) -> dict[str, str]:
    known = set(Settings.model_fields)
    values: dict[str, str] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "SETTINGS":
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            fix = f" (did you mean {_env_name(hint[0])}?)" if hint else ""
            raise SettingsError(f"unknown setting {name}{fix}")
        values[key] = value
    return values


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"settings file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from exc
    known = set(Settings.model_fields)
    for key in data:
        if key not in known:
            hint = difflib.get_close_matches(key, known, n=1)
            fix = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise SettingsError(f"{path}: unknown key '{key}'{fix}")
    return data


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    settings_file: Path | None = None,
) -> Settings:
    """Merge file, environment and overrides, then validate; raise SettingsError on any problem."""
    env = os.environ if environ is None else environ
    file_path = settings_file or (
        Path(env[ENV_PREFIX + "SETTINGS"]) if env.get(ENV_PREFIX + "SETTINGS") else None
    )
    sources: dict[str, str] = {}
    merged: dict[str, Any] = {}
    if file_path:
        for key, value in _from_file(file_path).items():
            merged[key], sources[key] = value, f"{file_path}: '{key}'"
    for key, value in _from_env(env).items():
        merged[key], sources[key] = value, _env_name(key)
    for key, value in (overrides or {}).items():
        if value is not None:
            merged[key], sources[key] = value, f"--{key.replace('_', '-')}"
    try:
        return Settings(**merged)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else "?"
            where = sources.get(key, key)
            problems.append(f"{where}={merged.get(key)!r}: {err['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from exc
