"""App-only Graph tokens from MSAL: a client secret or certificate locally, managed identity in Azure.

Secrets are read from the environment or Key Vault references by the host; they are never
logged (log records carry no token, secret or header).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from casedesk.errors import CaseDeskError

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GRAPH_RESOURCE = "https://graph.microsoft.com"
_AADSTS = re.compile(r"AADSTS(\d+)")


class TokenError(CaseDeskError):
    """Entra ID refused to issue a token; the message carries its error code, not secrets."""


@dataclass(frozen=True)
class AppSettings:
    """The settings that name one Entra app registration, so an error can say which to fix."""

    tenant: str = "CASEDESK_TENANT_ID"
    client: str = "CASEDESK_CLIENT_ID"
    secret: str = "CASEDESK_CLIENT_SECRET"  # noqa: S105 - a setting's name, not a secret


GRAPH_APP = AppSettings()
BOT_APP = AppSettings("CASEDESK_BOT_TENANT_ID", "CASEDESK_BOT_APP_ID", "CASEDESK_BOT_APP_SECRET")


class EntraAppError(TokenError):
    """Entra ID refused the app registration itself: a setting is wrong; `setting` names it."""

    def __init__(self, code: int, problem: str, setting: str, fix: str) -> None:
        super().__init__(f"Entra ID refused the token (AADSTS{code}): {problem}. Fix: {fix}")
        self.code, self.setting, self.fix = code, setting, fix


_SECRETS_PAGE = "Entra admin centre > App registrations > the app > Certificates & secrets"


def entra_app_error(
    code: int, tenant_id: str, client_id: str, names: AppSettings
) -> EntraAppError | None:
    """The common Entra errors that mean a setting is wrong, as the fix
    (codes: https://learn.microsoft.com/entra/identity-platform/reference-error-codes)."""
    if code == 7000215:
        return EntraAppError(
            code, f"the client secret is not a secret of app {client_id}", names.secret,
            f"set {names.secret} to the secret's Value (not its Secret ID), or create a new "
            f"one ({_SECRETS_PAGE})",
        )  # fmt: skip
        # the message never carries the secret itself
    if code == 7000222:
        return EntraAppError(
            code, f"the client secret of app {client_id} has expired", names.secret,
            f"create a new client secret ({_SECRETS_PAGE}) and set {names.secret} to its Value",
        )  # fmt: skip
    if code == 700016:
        return EntraAppError(
            code, f"no app with client id {client_id} in tenant {tenant_id}", names.client,
            f"set {names.client} to the Application (client) ID on the app registration's "
            f"Overview page, and {names.tenant} to the tenant it is registered in",
        )  # fmt: skip
    if code == 90002:
        return EntraAppError(
            code, f"no tenant {tenant_id!r}", names.tenant,
            f"set {names.tenant} to the Directory (tenant) ID on the app registration's "
            "Overview page",
        )  # fmt: skip
    return None


def _error_code(result: Mapping[str, Any]) -> int | None:
    codes = result.get("error_codes")
    if isinstance(codes, list) and codes and isinstance(codes[0], int):
        return codes[0]
    found = _AADSTS.search(str(result.get("error_description", "")))
    return int(found.group(1)) if found else None


class MsalTokenSource:
    """Thread-safe token source; MSAL caches tokens until shortly before they expire."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: str | None = None,
        certificate: dict[str, str] | None = None,
        use_managed_identity: bool = False,
        authority_host: str = "https://login.microsoftonline.com",
        http_client: Any = None,
        scope: str = GRAPH_SCOPE,
        managed_identity_client_id: str | None = None,
        names: AppSettings = GRAPH_APP,
    ) -> None:
        import msal  # lazy: keeps CLI and Functions cold start free of it

        self._lock = threading.Lock()
        self._tenant_id, self._client_id, self._names = tenant_id, client_id, names
        self._scope = scope  # Graph by default; the Teams bot asks for the Bot Connector's
        if use_managed_identity:
            import requests

            identity: Any = (
                msal.UserAssignedManagedIdentity(client_id=managed_identity_client_id)
                if managed_identity_client_id
                else msal.SystemAssignedManagedIdentity()
            )
            # Our own cache, so forget() can empty it through MSAL's public TokenCache API.
            self._mi_cache: Any = msal.TokenCache()
            self._mi: Any = msal.ManagedIdentityClient(
                identity, http_client=http_client or requests.Session(), token_cache=self._mi_cache
            )
            self._app: Any = None
            return
        credential: Any = client_secret if client_secret else certificate
        if not credential:
            raise TokenError(
                f"no credential for Entra ID: set {names.secret} (local only), a "
                "certificate, or the managed identity in Azure"
            )
        self._mi = None
        try:
            self._app = msal.ConfidentialClientApplication(
                client_id,
                client_credential=credential,
                authority=f"{authority_host.rstrip('/')}/{tenant_id}",
                http_client=http_client,
            )
        except ValueError as exc:
            # MSAL reads the tenant's OpenID metadata first; a 4xx there (MSAL: "Nonexist
            # tenant would hit this path") is a ValueError carrying Entra's answer.
            said = f"{exc} {exc.__context__ or ''}"
            found = _AADSTS.search(said)
            code = int(found.group(1)) if found else 90002
            known = entra_app_error(code, tenant_id, client_id, names)
            if known is None or "authority configuration" not in said:
                raise
            raise known from None

    def token(self) -> str:
        with self._lock:
            if self._mi is not None:
                result = self._mi.acquire_token_for_client(
                    resource=self._scope.removesuffix("/.default")
                )
            else:
                result = self._app.acquire_token_for_client(scopes=[self._scope])
        if "access_token" not in result:
            code = _error_code(result)
            known = (
                entra_app_error(code, self._tenant_id, self._client_id, self._names)
                if code
                else None
            )
            if known is not None:
                raise known
            raise TokenError(
                f"Entra ID refused a token for {self._scope}: "
                f"{result.get('error', 'unknown error')}{f' (AADSTS{code})' if code else ''} "
                "(check the app registration, its secret or certificate, and admin consent)"
            )
        return str(result["access_token"])

    def forget(self) -> None:
        """Drop the cached token, so the next token() asks Entra ID for a new one (after
        Graph refused a token it had issued: revoked, or its app changed)."""
        with self._lock:
            if self._app is not None:
                self._app.remove_tokens_for_client()
            elif self._mi is not None:
                self._forget_managed_identity()

    def _forget_managed_identity(self) -> None:
        # The cache is this source's alone (one identity), so every access token in it goes.
        from msal import TokenCache

        for at in list(self._mi_cache.search(TokenCache.CredentialType.ACCESS_TOKEN)):
            self._mi_cache.remove_at(at)


class RedirectingHttpClient:
    """An MSAL http_client that sends login.microsoftonline.com traffic to a local server.

    Tests point the real MSAL at a local Entra-speaking endpoint this way: the network is
    swapped, not the code (MSAL refuses non-https authorities, so the URL cannot be changed)."""

    def __init__(
        self, target_base: str, authority_host: str = "https://login.microsoftonline.com"
    ) -> None:
        import httpx

        self._client = httpx.Client(timeout=10)
        self._target = target_base.rstrip("/")
        self._host = urlsplit(authority_host).netloc

    def _map(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.netloc != self._host:
            raise TokenError(f"refusing to send credentials to an unexpected host {parts.netloc}")
        query = f"?{parts.query}" if parts.query else ""
        return f"{self._target}{parts.path}{query}"

    def post(
        self, url: str, params: Any = None, data: Any = None, headers: Any = None, **_: Any
    ) -> Any:
        return self._client.post(self._map(url), params=params, data=data, headers=headers)

    def get(self, url: str, params: Any = None, headers: Any = None, **_: Any) -> Any:
        return self._client.get(self._map(url), params=params, headers=headers)

    def close(self) -> None:
        self._client.close()
