"""`casedesk doctor`: is this installation healthy, and if not, what exactly to do.

Every check says what it looked at, passed / warning / failed, and the fix. Nothing is
changed: the store is opened only if it exists, and nothing is created. Tenant checks are
`casedesk m365 check`'s job; the doctor says when to run it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from casedesk.settings import Settings

Status = Literal["ok", "warn", "fail"]
MIN_FREE_BYTES = 1 << 30


@dataclass(frozen=True)
class Finding:
    name: str
    status: Status
    detail: str
    fix: str = ""


def _python() -> Finding:
    # The package itself needs 3.11+, so this reports the version rather than gating it.
    return Finding("python", "ok", "Python " + ".".join(map(str, sys.version_info[:3])))


def _sqlite() -> Finding:
    try:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        conn.close()
    except sqlite3.OperationalError:
        return Finding(
            "sqlite",
            "fail",
            f"SQLite {sqlite3.sqlite_version} has no FTS5 (full-text search)",
            "use a Python built against a SQLite with FTS5 (python.org and Debian builds have it)",
        )
    return Finding("sqlite", "ok", f"SQLite {sqlite3.sqlite_version} with FTS5")


def _data_dir(settings: Settings) -> Finding:
    path = settings.data_dir
    if not path.exists():
        parent = next((p for p in path.resolve().parents if p.exists()), Path("/"))
        if not os.access(parent, os.W_OK):
            return Finding(
                "data dir",
                "fail",
                f"{path} does not exist and {parent} is not writable",
                "choose a --data-dir (or CASEDESK_DATA_DIR) you can write to",
            )
        return Finding("data dir", "ok", f"{path} will be created on first use")
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        return Finding(
            "data dir",
            "warn",
            f"{path}: only {free / 2**20:,.0f} MiB free",
            "free some disk space: every message is kept byte for byte",
        )
    return Finding("data dir", "ok", f"{path} ({free / 2**30:,.1f} GiB free)")


def _store(settings: Settings) -> list[Finding]:
    from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
    from casedesk.adapters.embedded.sqlite_db import Database
    from casedesk.adapters.embedded.sqlite_geo import SqliteGazetteer
    from casedesk.core.audit import first_broken_link
    from casedesk.errors import StorageError

    path = settings.data_dir / "casedesk.sqlite3"
    if not path.exists():
        return [Finding("store", "ok", "no store yet: the first triage creates it")]
    try:
        db = Database(path)
    except StorageError as exc:
        return [Finding("store", "fail", str(exc), "see the message; never edit the store by hand")]
    try:
        found = [Finding("store", "ok", f"{path}: schema version {db.schema_version}")]
        repo = SqliteCaseRepository(db)
        broken = first_broken_link(repo.audit_entries())
        if broken is None:
            found.append(Finding("audit log", "ok", "hash chain intact"))
        else:
            found.append(
                Finding(
                    "audit log",
                    "fail",
                    f"the hash chain breaks at entry {broken}: the log was "
                    "altered after it was written",
                    "restore the store from a backup and report it to the office's data "
                    "protection lead",
                )
            )
        quarantined = len(repo.quarantined())
        if quarantined:
            found.append(
                Finding(
                    "quarantine",
                    "warn",
                    f"{quarantined} message(s) could not be filed",
                    "casedesk quarantine lists them with the reason; each is kept byte for byte",
                )
            )
        geo = SqliteGazetteer(db)
        held = geo.count()
        if held == 0:
            found.append(
                Finding(
                    "postcodes",
                    "warn",
                    "no postcodes imported: wards and the outside-the-constituency flag are off",
                    "casedesk geo import <ONSPD extract> --names <ward names> (docs/geo.md)",
                )
            )
        elif geo.find_constituency(settings.constituency) is None:
            found.append(
                Finding(
                    "postcodes",
                    "warn",
                    f"{held:,} postcodes, but constituency "
                    f"{settings.constituency!r} is not among the names imported",
                    "set constituency to the exact name or GSS code (E14...), or import the "
                    "names with --names",
                )
            )
        else:
            found.append(Finding("postcodes", "ok", f"{held:,} postcodes imported"))
        return found
    finally:
        db.close()


def _rules(settings: Settings) -> Finding:
    from casedesk.rules_file import load_rules

    if settings.rules_home == "sharepoint":
        return Finding("rules", "ok", "in the SharePoint lists: casedesk m365 check reads them")
    if settings.rules_file is None:
        return Finding(
            "rules",
            "warn",
            "no rules_file: cases stay unassigned (safety routing still works)",
            "copy samples/rules.yaml, edit it, and set rules_file (docs/routing-rules.md)",
        )
    if not settings.rules_file.is_file():
        return Finding(
            "rules",
            "fail",
            f"{settings.rules_file} does not exist",
            "fix rules_file, or copy samples/rules.yaml there",
        )
    loaded = load_rules(settings.rules_file)
    if loaded.errors:
        first = loaded.errors[0].render(str(settings.rules_file))
        return Finding(
            "rules",
            "fail",
            f"{len(loaded.errors)} error(s), e.g. {first}",
            f"casedesk rules check {settings.rules_file}",
        )
    warnings = len(loaded.problems)
    return Finding(
        "rules",
        "warn" if warnings else "ok",
        f"{len(loaded.rules.rules)} rules, {warnings} warning(s)",
        f"casedesk rules check {settings.rules_file}" if warnings else "",
    )


def _classifier(settings: Settings) -> Finding:
    from casedesk.adapters.embedded.trained_classifier import MODEL_PATH

    if not MODEL_PATH.exists():
        return Finding(
            "classifier",
            "warn",
            "no trained model in the package: keyword rules only",
            "reinstall CaseDesk, or casedesk train corpus/triage.jsonl",
        )
    detail = f"embedded model {MODEL_PATH.name} ({MODEL_PATH.stat().st_size // 1024} KiB)"
    if settings.classifier == "ai":
        detail += "; AI classifier in front of it (casedesk m365 check does not call the model)"
    return Finding("classifier", "ok", detail)


def _templates(settings: Settings) -> Finding:
    if settings.templates_dir is None:
        return Finding("templates", "ok", "built-in draft templates")
    if not settings.templates_dir.is_dir():
        return Finding(
            "templates",
            "fail",
            f"{settings.templates_dir} is not a folder",
            "fix templates_dir, or unset it to use the built-in templates",
        )
    return Finding("templates", "ok", f"office templates in {settings.templates_dir}")


def _ai_drafting(settings: Settings) -> Finding:
    """With AI drafting on, are the policy lines there and readable? (The model itself is not
    called: a draft falls back to the template when it cannot be reached.)"""
    if not settings.ai_drafting:
        return Finding("ai drafting", "ok", "off: drafts come from the templates")
    from casedesk.adapters.embedded.policy_folder import load_policy_notes

    folder = settings.policy_folder
    notes, problems = load_policy_notes(folder)
    if problems:
        return Finding(
            "ai drafting", "warn", f"{len(problems)} policy note(s) skipped: {problems[0]}",
            "fix the note it names (format: samples/policy/README.md)",
        )  # fmt: skip
    if not notes:
        return Finding(
            "ai drafting", "warn", f"on, but no policy notes in {folder}",
            "write the MP's positions there (samples/policy/ is an example), or set policy_dir",
        )  # fmt: skip
    return Finding("ai drafting", "ok", f"on, {len(notes)} policy notes in {folder}")


def _tenant(settings: Settings, login_http_client: Any = None) -> Finding:
    """With the m365 adapters, ask Entra ID for the app's token: a wrong tenant, client id or
    secret (or an expired secret) is named here with the setting to fix."""
    if settings.adapters != "m365":
        return Finding("tenant", "ok", "embedded adapters: no tenant needed")
    from casedesk.adapters.m365.msal_tokens import EntraAppError, TokenError
    from casedesk.bootstrap_m365 import token_source

    more = "casedesk m365 check (each mailbox, storage)"
    try:
        token_source(settings, login_http_client).token()
    except EntraAppError as exc:
        return Finding("tenant", "fail", str(exc).split(". Fix: ")[0], exc.fix)
    except TokenError as exc:
        return Finding("tenant", "fail", str(exc), "docs/m365-setup.md, then " + more)
    except Exception as exc:  # the network, not the settings: say so, do not guess
        return Finding(
            "tenant", "warn", f"Entra ID not reached: {type(exc).__name__}: {str(exc)[:160]}",
            "check the network to login.microsoftonline.com, then " + more,
        )  # fmt: skip
    return Finding("tenant", "ok", "Entra ID issued the app's Graph token", more)


def _features(settings: Settings) -> Finding:
    """Which optional features are switched on, and so which extra permissions they need."""
    from casedesk.features import SWITCHES

    on = [s for s in SWITCHES if s.is_on(settings)]
    if not on:
        return Finding("features", "ok", "no optional feature switched on (least privilege)")
    needs = "; ".join(f"{s.name} needs {s.needs}" for s in on)
    return Finding("features", "ok", f"switched on: {needs}")


def examine(load: Callable[[], Settings], login_http_client: Any = None) -> list[Finding]:
    """Run every check; settings that do not load are the only thing reported then.
    login_http_client sends MSAL's Entra ID traffic elsewhere (tests: a local server)."""
    from casedesk.errors import SettingsError

    found = [_python(), _sqlite()]
    try:
        settings = load()
    except SettingsError as exc:
        return [*found, Finding("settings", "fail", str(exc), "fix the setting it names")]
    found.append(Finding("settings", "ok", "valid"))
    found += [_data_dir(settings), *_store(settings), _rules(settings), _classifier(settings)]
    found += [_templates(settings), _ai_drafting(settings), _tenant(settings, login_http_client)]
    found.append(_features(settings))
    return found
