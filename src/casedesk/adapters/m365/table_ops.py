"""OpsState on Azure Table storage (production); the embedded set uses SQLite instead.

Only bootstrap imports this module, and only when the Microsoft 365 adapters are chosen: the
Azure SDK is imported here, never by the core.

Layout of the one table (default ``casedeskops``):

- Key/value state: PartitionKey = enc(namespace), RowKey = enc(key), property ``value``.
- Campaign signatures: PartitionKey = ``campaign.signatures``, RowKey = sha256(member) in hex,
  properties ``cluster_id``, ``member``, ``sender``, ``signature`` (Edm.Binary) and ``seq``.

Key encoding. Table storage forbids ``/ \\ # ?`` and control characters in keys, and Graph
immutable ids contain ``/``, ``+`` and ``=``. enc() is base64url (RFC 4648 §5) of the UTF-8
bytes without padding: reversible, and its alphabet (``A-Z a-z 0-9 - _``) is safe in keys and
in the URLs the SDK builds for point reads. It does not preserve order, so items() decodes and
sorts client-side by the decoded key: Python's str order, which is code-point order, the same
as SQLite's BINARY collation that the embedded adapter's ``ORDER BY key`` uses. (The service's
own order would not be that anyway: it compares keys as UTF-16 strings.) A namespace is small,
so reading a whole partition to sort it is cheap. Keys are limited to 512 characters (1 KiB of
UTF-16), so a key or namespace may be at most 384 bytes of UTF-8; longer ones are refused with
a CaseDeskError rather than truncated. The signature partition's name contains a ``.``, which
enc() never produces, so it cannot collide with a namespace.

Signature order. signatures() must return insertion order, and saving a member again moves it
to the end (the embedded adapter's INSERT OR REPLACE gives the row a new rowid). Each save
writes ``seq``: a zero-padded decimal of the wall-clock time in nanoseconds, strictly
increasing within this process. Across concurrent writers the order is by wall-clock time.
The member's Message-ID is hashed for the RowKey because Message-IDs have no useful length
limit; the member itself is a property.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.data.tables import TableClient, UpdateMode

from casedesk.errors import CaseDeskError, SettingsError, StorageError, TransientError

DEFAULT_TABLE = "casedeskops"
SIGNATURES_PARTITION = "campaign.signatures"
MAX_KEY_CHARS = 512  # Table storage: PartitionKey and RowKey up to 1 KiB (UTF-16)
MAX_KEY_BYTES = MAX_KEY_CHARS * 3 // 4  # UTF-8 bytes whose base64url fits in MAX_KEY_CHARS
_TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def encode_key(text: str) -> str:
    """base64url without padding of the UTF-8 bytes: safe as a PartitionKey or RowKey."""
    data = text.encode("utf-8")
    if len(data) > MAX_KEY_BYTES:
        raise CaseDeskError(
            f"Key too long for Azure Table storage: {len(data)} bytes of UTF-8, at most "
            f"{MAX_KEY_BYTES} fit in a key once encoded ({text[:40]!r}...)"
        )
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_key(encoded: str) -> str:
    try:
        padded = encoded + "=" * (-len(encoded) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise StorageError(
            f"Table entity key {encoded!r} was not written by CaseDesk (not base64url of UTF-8); "
            "remove the entity or use a table of its own for CaseDesk"
        ) from exc


@contextmanager
def _translated() -> Iterator[None]:
    """Throttling and outages (after the SDK's own retries) become TransientError."""
    try:
        yield
    except (ServiceRequestError, ServiceResponseError) as exc:
        raise TransientError(f"Azure Table storage unreachable: {exc}") from exc
    except HttpResponseError as exc:
        if exc.status_code in _TRANSIENT_STATUSES:
            raise TransientError(
                f"Azure Table storage busy or unavailable (HTTP {exc.status_code}): {exc.message}"
            ) from exc
        raise


class TableOpsState:
    """OpsState on one Azure Storage table.

    Give either a connection string (Azurite, or a key-based account) or, in production, the
    table endpoint (``https://<account>.table.core.windows.net``) and a credential such as
    ``azure.identity.ManagedIdentityCredential()``. The table is created when missing unless
    ``create_table`` is False (then the identity needs no table-creation right).
    """

    def __init__(
        self,
        *,
        connection_string: str | None = None,
        account_url: str | None = None,
        credential: Any = None,
        table_name: str = DEFAULT_TABLE,
        create_table: bool = True,
    ) -> None:
        if (connection_string is None) == (account_url is None):
            raise SettingsError(
                "TableOpsState needs exactly one of connection_string or account_url "
                "(with a credential)"
            )
        if connection_string is None and credential is None:
            raise SettingsError(
                "TableOpsState: account_url needs a credential (e.g. a managed identity)"
            )
        self.table_name = table_name
        self._seq_lock = threading.Lock()
        self._last_seq = 0
        if connection_string is not None:
            self.table = TableClient.from_connection_string(connection_string, table_name)
        else:
            self.table = TableClient(str(account_url), table_name, credential=credential)
        if create_table:
            with _translated(), suppress(ResourceExistsError):
                self.table.create_table()

    def close(self) -> None:
        self.table.close()

    # --- key/value state -------------------------------------------------------------------

    def get(self, namespace: str, key: str) -> str | None:
        with _translated():
            try:
                entity = self.table.get_entity(
                    encode_key(namespace), encode_key(key), select=["value"]
                )
            except ResourceNotFoundError:
                return None
        return str(entity["value"])

    def put(self, namespace: str, key: str, value: str) -> None:
        with _translated():
            self.table.upsert_entity(self._kv(namespace, key, value), mode=UpdateMode.REPLACE)

    def add_if_absent(self, namespace: str, key: str, value: str) -> bool:
        # Insert Entity fails with 409 when the entity exists: atomic on the service side.
        with _translated():
            try:
                self.table.create_entity(self._kv(namespace, key, value))
            except ResourceExistsError:
                return False
        return True

    def delete(self, namespace: str, key: str) -> None:
        with _translated(), suppress(ResourceNotFoundError):
            self.table.delete_entity(encode_key(namespace), encode_key(key))

    def items(self, namespace: str) -> Iterator[tuple[str, str]]:
        with _translated():
            entities = list(
                self.table.query_entities(
                    "PartitionKey eq @pk",
                    parameters={"pk": encode_key(namespace)},
                    select=["RowKey", "value"],
                )
            )
        decoded = sorted((decode_key(e["RowKey"]), str(e["value"])) for e in entities)
        yield from decoded

    @staticmethod
    def _kv(namespace: str, key: str, value: str) -> dict[str, str]:
        return {"PartitionKey": encode_key(namespace), "RowKey": encode_key(key), "value": value}

    # --- campaign signatures ---------------------------------------------------------------

    def signatures(self) -> Iterator[tuple[str, str, str, bytes]]:
        with _translated():
            entities = list(
                self.table.query_entities(
                    "PartitionKey eq @pk", parameters={"pk": SIGNATURES_PARTITION}
                )
            )
        entities.sort(key=lambda e: (str(e["seq"]), str(e["RowKey"])))
        for e in entities:
            yield str(e["cluster_id"]), str(e["member"]), str(e["sender"]), bytes(e["signature"])

    def save_signature(self, cluster_id: str, member: str, sender: str, signature: bytes) -> None:
        entity = {
            "PartitionKey": SIGNATURES_PARTITION,
            "RowKey": hashlib.sha256(member.encode("utf-8")).hexdigest(),
            "seq": f"{self._next_seq():020d}",
            "cluster_id": cluster_id,
            "member": member,
            "sender": sender,
            "signature": bytes(signature),  # stored as Edm.Binary (max 64 KiB; these are 256 B)
        }
        with _translated():
            self.table.upsert_entity(entity, mode=UpdateMode.REPLACE)

    def forget_signatures(self, members: Iterable[str]) -> int:
        gone = 0
        for member in set(members):
            row = hashlib.sha256(member.encode("utf-8")).hexdigest()
            with _translated():
                try:
                    self.table.get_entity(SIGNATURES_PARTITION, row, select=["RowKey"])
                except ResourceNotFoundError:
                    continue
                with suppress(ResourceNotFoundError):
                    self.table.delete_entity(SIGNATURES_PARTITION, row)
            gone += 1
        return gone

    def _next_seq(self) -> int:
        with self._seq_lock:
            self._last_seq = max(time.time_ns(), self._last_seq + 1)
            return self._last_seq
