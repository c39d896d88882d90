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
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from casedesk.errors import CaseDeskError, SettingsError

ENV_PREFIX = "CASEDESK_"


class FeatureSwitches(BaseModel):
    """Features that need a permission the rest of CaseDesk does not: off until an office turns
    them on (least privilege by default; src/casedesk/features.py says what each one needs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    send_mail: bool = Field(
        False,
        description="Let `casedesk send` and campaign bulk replies send mail (needs Mail.Send). "
        "Off: they refuse, and the tenant need not grant Mail.Send.",
    )

    @model_validator(mode="before")
    @classmethod
    def _known_switches(cls, value: Any) -> Any:
        """`send_mail,other` from CASEDESK_FEATURES as well as a [features] table; a misspelt
        switch is named with the nearest known one."""
        if isinstance(value, str):
            value = {name.strip(): True for name in value.split(",") if name.strip()}
        if isinstance(value, Mapping):
            known = list(cls.model_fields)
            for key in value:
                if key not in known:
                    hint = difflib.get_close_matches(str(key), known, n=1)
                    fix = f" (did you mean '{hint[0]}'?)" if hint else ""
                    raise ValueError(
                        f"unknown feature switch '{key}'{fix}; known: {', '.join(known)}"
                    )
        return value


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
    rules_file: Path | None = Field(
        None,
        description="The office's routing rules (YAML, see samples/rules.yaml); unset: only "
        "the built-in safety routing, cases stay unassigned.",
    )
    rules_home: Literal["file", "sharepoint"] = Field(
        "file",
        description="Where the live rules are: `rules_file`, or (with m365 and the SharePoint "
        "case store) the CaseDesk Rules and CaseDesk People lists (docs/routing-rules.md).",
    )
    mp_approver: str | None = Field(
        None,
        description="Who signs off replies for the MP when a rule requires it (a name, or "
        "comma-separated names); `casedesk approve --by` must be one. Unset: such replies wait "
        "until it is set.",
    )
    review_below: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Classifier confidence below which a case is flagged needs_review "
        "(the embedded model's confidence is calibrated: 0.8 = less than 80% likely right).",
    )
    sla_warn_hours: float = Field(
        4.0,
        ge=0,
        le=80,
        description="Working hours before a case's due time that count as nearly due: the "
        "sweep tells the assignee once (0: no warnings).",
    )
    chase_every_days: int = Field(
        5, ge=1, le=60, description="Working days between chase reminders for a late referral."
    )
    agencies_file: Path | None = Field(
        None,
        description="The office's own agencies and response times (TOML, the shape of "
        "src/casedesk/agencies.toml), over the shipped table.",
    )
    retention: dict[str, str] = Field(
        default_factory=dict,
        description="Retention periods that replace the defaults (docs/data-protection.md), by "
        "category, 'closed' or 'quarantine': a TOML table, or 'spam=30d,campaign=12m,closed=3y'; "
        "'never' keeps.",
    )
    retention_sweep: Literal["off", "report", "apply"] = Field(
        "report",
        description="What the sweep timer does with retention once a day: report what is due "
        "(the dry run, in the logs), apply it, or nothing.",
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
    gazetteer_file: Path | None = Field(
        None,
        description="With m365 and the SharePoint store: the postcode directory as a CaseDesk "
        "SQLite file (made by 'casedesk --data-dir DIR geo import', holding nothing else), read "
        "read-only to give cases their ward and flag mail from outside the constituency; "
        "unset, cases in SharePoint get no ward (docs/geo.md).",
    )
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

    # --- Outlook add-in (docs/outlook-addin.md) ---------------------------------------------
    addin_client_id: str | None = Field(
        None,
        description="The add-in's Entra app registration (client) id: the audience of the "
        "tokens /api/addin accepts. Unset: the add-in API answers 503.",
    )
    addin_app_id_uri: str | None = Field(
        None, description="Its Application ID URI (api://<host>/<client id>), also accepted."
    )
    addin_scope: str = Field(
        "access_as_user", min_length=1, description="The API scope a token must grant (scp)."
    )
    addin_authority: str = Field(
        "https://login.microsoftonline.com",
        description="Where the tenant's OpenID metadata and signing keys are read.",
    )

    # --- AI classification (classifier = "ai"; docs/ai-use.md) ------------------------------
    classifier: Literal["embedded", "ai"] = Field(
        "embedded",
        description="embedded (offline, the default) or ai (a model, with the embedded "
        "classifier as its fallback).",
    )
    ai_endpoint: str | None = Field(
        None, description="Azure OpenAI resource endpoint, https://<resource>.openai.azure.com."
    )
    ai_deployment: str | None = Field(None, description="Azure OpenAI model deployment name.")
    ai_api_version: str = Field(
        "2024-10-21", min_length=1, description="Azure OpenAI API version (data plane)."
    )
    ai_base_url: str | None = Field(
        None,
        description="Instead of Azure OpenAI: an OpenAI-compatible endpoint, e.g. a model "
        "hosted in the office's own tenant (https://.../v1).",
    )
    ai_model: str | None = Field(None, description="Model name at ai_base_url.")
    ai_api_key: SecretStr | None = Field(
        None, description="API key; in Azure prefer ai_use_managed_identity (no key to leak)."
    )
    ai_use_managed_identity: bool = Field(
        False, description="Get Azure OpenAI tokens from the managed identity (Entra ID)."
    )
    ai_timeout_seconds: float = Field(
        20.0, gt=0, le=300, description="Timeout for one model request."
    )
    ai_max_attempts: int = Field(
        3, ge=1, le=10, description="Model requests per message before the fallback is used."
    )
    ai_price_prompt_per_1k: float = Field(
        0.0, ge=0, description="Price of 1,000 prompt tokens, for cost estimates (0: unknown)."
    )
    ai_price_completion_per_1k: float = Field(
        0.0, ge=0, description="Price of 1,000 completion tokens (0: unknown)."
    )

    # --- Teams bot (docs/teams-bot.md) ---------------------------------------------------
    bot_app_id: str | None = Field(
        None,
        description="The bot's Entra app (client) id, the audience of Bot Framework tokens; "
        "unset: no bot (/api/messages answers 404).",
    )
    bot_tenant_id: str | None = Field(
        None, description="Tenant of the bot's single-tenant app registration (default tenant_id)."
    )
    bot_app_secret: SecretStr | None = Field(
        None, description="The bot app's client secret; in Azure prefer bot_use_managed_identity."
    )
    bot_use_managed_identity: bool = Field(
        False, description="Get Bot Connector tokens from the (user-assigned) managed identity."
    )
    bot_managed_identity_client_id: str | None = Field(
        None, description="Client id of the user-assigned managed identity the Azure Bot uses."
    )
    bot_openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="Bot Framework OpenID metadata (its jwks_uri has the signing keys).",
    )
    bot_login_authority: str = Field(
        "https://login.microsoftonline.com", description="Entra ID authority host for bot tokens."
    )
    digest_hour: int = Field(
        8, ge=0, le=23, description="Daily digests go out from this hour, Europe/London, Mon-Fri."
    )
    # Mailings (campaign replies, follow-ups): Exchange Online allows 30 messages a minute and
    # 10,000 recipients a day per mailbox (core/pacing.py cites the page); the office's own mail
    # counts too, so the defaults leave room for it.
    bulk_messages_per_minute: int = Field(
        20, ge=1, le=30, description="Mailing copies sent per minute at most (Exchange: 30)."
    )
    bulk_recipients_per_day: int = Field(
        8000, ge=1, le=10000,
        description="Mailing copies sent in any 24 hours at most (Exchange: 10,000 recipients).",
    )

    # --- AI drafting (docs/ai-use.md, "AI drafting"); off unless an office turns it on -----
    ai_drafting: bool = Field(
        False,
        description="Draft replies with the model (the ai_* endpoint settings), grounded on the "
        "template, the case and the policy notes; the template draft whenever it cannot.",
    )
    policy_dir: Path | None = Field(
        None,
        description="Folder of the office's policy lines (markdown) for AI drafts; default "
        "<data_dir>/policy.",
    )

    # --- Feature switches (least privilege by default; src/casedesk/features.py) ------------
    features: FeatureSwitches = Field(
        FeatureSwitches(send_mail=False),
        description="Optional features that need extra permissions, all off by default: a "
        "[features] table (`send_mail = true`), or CASEDESK_FEATURES=send_mail.",
    )

    @field_validator("retention", mode="before")
    @classmethod
    def _retention_pairs(cls, value: Any) -> Any:
        """CASEDESK_RETENTION="spam=30d,closed=3y" as well as a TOML table."""
        if isinstance(value, str):
            pairs = [item.partition("=") for item in value.split(",") if item.strip()]
            return {key.strip(): period.strip() for key, _, period in pairs}
        return value

    @model_validator(mode="after")
    def _retention_valid(self) -> Settings:
        from casedesk.core.retention import RetentionPolicy

        try:
            RetentionPolicy.from_settings(self.retention)
        except CaseDeskError as exc:
            raise ValueError(str(exc)) from exc
        return self

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

    @model_validator(mode="after")
    def _bot_complete(self) -> Settings:
        """With a bot app id, how it gets tokens and whose keys it trusts must be explicit."""
        if not self.bot_app_id:
            return self
        problems = []
        if not (self.bot_app_secret or self.bot_use_managed_identity):
            problems.append(f"set {_env_name('bot_app_secret')} or "
                            f"{_env_name('bot_use_managed_identity')}=true")  # fmt: skip
        if not (self.bot_tenant_id or self.tenant_id):
            problems.append(
                f"{_env_name('bot_tenant_id')} (or {_env_name('tenant_id')}) is required"
            )
        if not _is_https_or_loopback(self.bot_openid_metadata_url):
            problems.append(f"{_env_name('bot_openid_metadata_url')} must be https")
        if problems:
            raise ValueError("; ".join(problems) + " — see docs/teams-bot.md")
        return self

    @model_validator(mode="after")
    def _addin_authority_https(self) -> Settings:
        if not _is_https_or_loopback(self.addin_authority):
            raise ValueError(
                f"{_env_name('addin_authority')} must be https (signing keys must not be forged)"
            )
        return self

    @model_validator(mode="after")
    def _ai_complete(self) -> Settings:
        """With classifier = "ai", say exactly which model to call and how to authenticate."""
        if self.classifier != "ai":
            return self
        problems = _ai_problems(self)
        if problems:
            raise ValueError("; ".join(problems) + " — see docs/ai-use.md")
        return self

    @model_validator(mode="after")
    def _ai_drafting_complete(self) -> Settings:
        """With ai_drafting on, the model endpoint must be as complete as for the classifier."""
        if not self.ai_drafting or self.classifier == "ai":
            return self
        problems = _ai_problems(self, f"{_env_name('ai_drafting')}=true")
        if problems:
            raise ValueError("; ".join(problems) + " — see docs/ai-use.md")
        return self

    @property
    def policy_folder(self) -> Path:
        return self.policy_dir or self.data_dir / "policy"


def _ai_problems(s: Settings, turned_on_by: str = "") -> list[str]:
    endpoint, base_url = _env_name("ai_endpoint"), _env_name("ai_base_url")
    if bool(s.ai_endpoint) == bool(s.ai_base_url):
        return [
            f"with {turned_on_by or _env_name('classifier') + '=ai'} set exactly one of "
            f"{endpoint} (Azure OpenAI) "
            f"or {base_url} (an OpenAI-compatible endpoint)"
        ]
    problems: list[str] = []
    if s.ai_endpoint:
        if not s.ai_deployment:
            problems.append(f"{_env_name('ai_deployment')} is required with {endpoint}")
        if bool(s.ai_api_key) == s.ai_use_managed_identity:
            problems.append(
                f"set one of {_env_name('ai_api_key')} or "
                f"{_env_name('ai_use_managed_identity')}=true for {endpoint}"
            )
    else:
        if not s.ai_model:
            problems.append(f"{_env_name('ai_model')} is required with {base_url}")
        if s.ai_use_managed_identity:
            problems.append(
                f"{_env_name('ai_use_managed_identity')} works with {endpoint} only; "
                f"use {_env_name('ai_api_key')} for {base_url}"
            )
    key, url = ("ai_endpoint", s.ai_endpoint) if s.ai_endpoint else ("ai_base_url", s.ai_base_url)
    if not _is_https_or_loopback(url or ""):
        problems.append(
            f"{_env_name(key)} must be https (constituent text must not travel in clear)"
        )
    return problems


def _is_https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


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
            secret = "secret" in key or "connection" in key or key.endswith("api_key")
            shown = "***" if secret else repr(merged.get(key))
            problems.append(f"{where}={shown}: {err['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from exc
