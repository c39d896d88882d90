"""App-only Graph tokens from MSAL: a client secret or certificate locally, managed identity in Azure.

Secrets are read from the environment or Key Vault references by the host; they are never
logged (log records carry no token, secret or header).
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

from casedesk.errors import CaseDeskError

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
GRAPH_RESOURCE = "https://graph.microsoft.com"


class TokenError(CaseDeskError):
    """Entra ID refused to issue a token; the message carries its error code, not secrets."""


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
    ) -> None:
        import msal  # lazy: keeps CLI and Functions cold start free of it

        self._lock = threading.Lock()
        self._scope = scope  # Graph by default; the Teams bot asks for the Bot Connector's
        if use_managed_identity:
            import requests

            identity: Any = (
                msal.UserAssignedManagedIdentity(client_id=managed_identity_client_id)
                if managed_identity_client_id
                else msal.SystemAssignedManagedIdentity()
            )
            self._mi: Any = msal.ManagedIdentityClient(
                identity, http_client=http_client or requests.Session()
            )
            self._app: Any = None
            return
        credential: Any = client_secret if client_secret else certificate
        if not credential:
            raise TokenError(
                "no credential for Graph: set CASEDESK_GRAPH_CLIENT_SECRET (local only), a "
                "certificate, or CASEDESK_GRAPH_USE_MANAGED_IDENTITY=true in Azure"
            )
        self._mi = None
        self._app = msal.ConfidentialClientApplication(
            client_id,
            client_credential=credential,
            authority=f"{authority_host.rstrip('/')}/{tenant_id}",
            http_client=http_client,
        )

    def token(self) -> str:
        with self._lock:
            if self._mi is not None:
                result = self._mi.acquire_token_for_client(
                    resource=self._scope.removesuffix("/.default")
                )
            else:
                result = self._app.acquire_token_for_client(scopes=[self._scope])
        if "access_token" not in result:
            raise TokenError(
                f"Entra ID refused a token for {self._scope}: "
                f"{result.get('error', 'unknown error')} "
                "(check the app registration, its secret or certificate, and admin consent)"
            )
        return str(result["access_token"])


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
