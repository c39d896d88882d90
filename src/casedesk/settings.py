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

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

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

    # --- Microsoft 365 (adapters = "m365") --------------------------------------------------
    tenant_id: str | None = Field(None, description="Entra ID tenant (directory) id.")
    client_id: str | None = Field(None, description="The CaseDesk app registration's client id.")
    client_secret: SecretStr | None = Field(
        None, description="Local development only; in Azure use the managed identity."
    )
    use_managed_identity: bool = Field(
        False, description="Get Graph tokens from the managed identity."
    )
    graph_base_url: str = Field(
        "https://graph.microsoft.com/v1.0", description="Graph endpoint (a local server in tests)."
    )
    mailboxes: str = Field("", description="Comma-separated office mailboxes to watch.")
    notification_url: str | None = Field(
        None, description="Public https URL of /api/notifications."
    )
    lifecycle_url: str | None = Field(None, description="Public https URL of /api/lifecycle.")
    storage_connection_string: SecretStr | None = Field(
        None, description="Azure Storage connection string (Azurite locally)."
    )
    storage_account_name: str | None = Field(
        None,
        pattern=r"^[a-z0-9]{3,24}$",
        description="Azure Storage account name, used with the managed identity in Azure.",
    )
    case_store: Literal["sharepoint", "embedded"] = Field(
        "sharepoint",
        description="With m365: cases in SharePoint lists (production) or the embedded SQLite "
        "store under data_dir (a laptop trying the Graph intake without a site).",
    )
    sharepoint_site_id: str | None = Field(None, description="The casework site's Graph site id.")
    sharepoint_drive_id: str | None = Field(
        None, description="The case documents library's drive id."
    )
    sharepoint_lists: str = Field(
        "",
        description="Optional list ids as key=id pairs (cases=..., messages=...); each list "
        "defaults to its display name (docs/sharepoint-schema.md).",
    )
    queue_name: str = Field("triage", description="Storage queue the triage worker reads.")
    table_name: str = Field("casedeskops", description="Storage table for operational state.")

    @property
    def sharepoint_list_ids(self) -> dict[str, str]:
        """key -> list id from `sharepoint_lists` ("cases=GUID,messages=GUID")."""
        pairs = (item.split("=", 1) for item in self.sharepoint_lists.split(",") if "=" in item)
        return {k.strip(): v.strip() for k, v in pairs}

    @property
    def mailbox_list(self) -> tuple[str, ...]:
        return tuple(m.strip().lower() for m in self.mailboxes.split(",") if m.strip())

    @model_validator(mode="after")
    def _m365_complete(self) -> Settings:
        """With the M365 adapters every security-relevant setting must be given explicitly."""
        if self.adapters != "m365":
            return self
        missing = [
            name
            for name in ("tenant_id", "client_id", "notification_url", "lifecycle_url")
            if not getattr(self, name)
        ]
        if not self.mailbox_list:
            missing.append("mailboxes")
        if not (self.client_secret or self.use_managed_identity):
            missing.append("client_secret or use_managed_identity")
        if not (self.storage_connection_string or self.storage_account_name):
            missing.append("storage_connection_string or storage_account_name")
        if self.case_store == "sharepoint":
            missing += [
                k for k in ("sharepoint_site_id", "sharepoint_drive_id") if not getattr(self, k)
            ]
        problems = [f"{_env_name(m.split(' or ')[0])} is required" for m in missing]
        for name in ("notification_url", "lifecycle_url"):
            url = getattr(self, name) or ""
            if url and not (
                url.startswith("https://")
                or url.startswith(("http://127.0.0.1", "http://localhost"))
            ):
                problems.append(f"{_env_name(name)} must be https (Graph refuses plain http)")
        if problems:
            raise ValueError("; ".join(problems) + " — see docs/m365-setup.md")
        return self


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
            if not err["loc"]:  # a whole-model check: its message names the keys itself
                problems.append(str(err["msg"]).removeprefix("Value error, "))
                continue
            key = str(err["loc"][0])
            where = sources.get(key, key)
            shown = "***" if "secret" in key or "connection" in key else repr(merged.get(key))
            problems.append(f"{where}={shown}: {err['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from exc
