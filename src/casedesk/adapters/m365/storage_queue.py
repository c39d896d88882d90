"""WorkQueue on Azure Storage queues (production); the embedded set uses SQLite instead.

Only bootstrap imports this module, and only when the Microsoft 365 adapters are chosen: the
Azure SDK is imported here, never by the core.

Messages carry IDs, never message bodies: send() refuses a body over 4 KiB of JSON or one with
a key named body, text, content or mime.

Message encoding: base64 of the UTF-8 JSON. The Azure Functions queue trigger (the
Microsoft.Azure.WebJobs.Extensions.Storage.Queues extension that the host runs for every
language, Python included) expects Base64-encoded messages by default and decodes them before
calling the function; only ``"extensions": {"queues": {"messageEncoding": "none"}}`` in
host.json turns that off, and functions/host.json does not set it. Sources:
https://azuresdkdocs.z19.web.core.windows.net/dotnet/Microsoft.Azure.WebJobs.Extensions.Storage.Queues/5.3.3/api/Microsoft.Azure.WebJobs/Microsoft.Azure.WebJobs.QueueTriggerAttribute.html
("By default messages received from the queue are expected to be Base64-encoded and are
decoded before calling the function. This behavior can be changed by setting
MessageEncoding."), and the extension's changelog for 5.0.0-beta.2,
https://github.com/Azure/azure-sdk-for-net/blob/Microsoft.Azure.WebJobs.Extensions.Storage.Queues_5.0.0-beta.2/sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Queues/CHANGELOG.md
("This version Base64-encodes/decodes queue messages by default ... preserves compatibility
with previous major versions"). The Python SDK's default is no encoding, so the QueueClient
is given TextBase64EncodePolicy and a (tolerant) TextBase64DecodePolicy explicitly.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)
from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy

from casedesk.core.models import QueuedWork
from casedesk.errors import CaseDeskError, SettingsError, TransientError

log = logging.getLogger(__name__)

DEFAULT_QUEUE = "triage"
MAX_BODY_BYTES = 4 * 1024
FORBIDDEN_KEYS = frozenset({"body", "text", "content", "mime"})
MAX_PER_REQUEST = 32  # Get Messages returns at most 32 messages per call
MIN_VISIBILITY_SECONDS = 1  # Get Messages: visibilitytimeout must be >= 1 second ...
MAX_VISIBILITY_SECONDS = 7 * 24 * 3600  # ... and <= 7 days
_TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class _TolerantBase64Decode(TextBase64DecodePolicy):
    """Base64 as the Functions trigger expects; a message that is not base64 is passed through.

    The SDK decodes a whole Get Messages response at once, so one malformed message would
    raise for the batch after every message in it had already been leased. Passing it through
    lets receive() set that one message aside instead (and a plain-JSON message sent by a tool
    that forgot to encode still works).
    """

    def decode(self, content: str, response: Any) -> str:
        # The same decoding as TextBase64DecodePolicy, whose failure path is not used because
        # it raises AttributeError instead of DecodeError (azure-storage-queue 12.18.1).
        try:
            return base64.b64decode(content.encode("utf-8"), validate=True).decode("utf-8")
        except (ValueError, TypeError):  # binascii.Error and UnicodeDecodeError included
            return content


@contextmanager
def _translated() -> Iterator[None]:
    """Throttling and outages (after the SDK's own retries) become TransientError."""
    try:
        yield
    except (ServiceRequestError, ServiceResponseError) as exc:
        raise TransientError(f"Azure Queue storage unreachable: {exc}") from exc
    except HttpResponseError as exc:
        if exc.status_code in _TRANSIENT_STATUSES:
            raise TransientError(
                f"Azure Queue storage busy or unavailable (HTTP {exc.status_code}): {exc.message}"
            ) from exc
        raise


def encode_body(body: dict[str, str]) -> str:
    """The JSON a message carries, after checking it holds IDs only."""
    if not isinstance(body, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in body.items()
    ):
        raise CaseDeskError("Queue message bodies must be a flat JSON object of strings (IDs)")
    carried = sorted(k for k in body if k.lower() in FORBIDDEN_KEYS)
    if carried:
        raise CaseDeskError(
            f"Queue messages carry IDs, never message bodies: refusing key(s) {carried}; "
            "send the mailbox and message id and fetch the content when the work runs"
        )
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise CaseDeskError(
            f"Queue message of {size} bytes refused: at most {MAX_BODY_BYTES} bytes of JSON, "
            "since messages carry IDs, never message bodies"
        )
    return text


def _decode_body(content: object) -> dict[str, str] | None:
    try:
        body = json.loads(content) if isinstance(content, str | bytes) else None
    except ValueError:
        return None
    if isinstance(body, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in body.items()
    ):
        return body
    return None


def _receipt(message_id: str, pop_receipt: str) -> str:
    return json.dumps({"id": message_id, "pop": pop_receipt}, separators=(",", ":"))


class StorageWorkQueue:
    """At-least-once delivery with visibility timeouts, on one Azure Storage queue.

    Give either a connection string (Azurite, or a key-based account) or, in production, the
    queue endpoint (``https://<account>.queue.core.windows.net``) and a credential such as
    ``azure.identity.ManagedIdentityCredential()``. The queue is created when missing unless
    ``create_queue`` is False.
    """

    def __init__(
        self,
        *,
        connection_string: str | None = None,
        account_url: str | None = None,
        credential: Any = None,
        queue_name: str = DEFAULT_QUEUE,
        create_queue: bool = True,
    ) -> None:
        if (connection_string is None) == (account_url is None):
            raise SettingsError(
                "StorageWorkQueue needs exactly one of connection_string or account_url "
                "(with a credential)"
            )
        policies: dict[str, Any] = {
            "message_encode_policy": TextBase64EncodePolicy(),
            "message_decode_policy": _TolerantBase64Decode(),
        }
        if connection_string is not None:
            self.client = QueueClient.from_connection_string(
                connection_string, queue_name, **policies
            )
        else:
            if credential is None:
                raise SettingsError(
                    "StorageWorkQueue: account_url needs a credential (e.g. a managed identity)"
                )
            self.client = QueueClient(
                str(account_url), queue_name, credential=credential, **policies
            )
        self.queue_name = queue_name
        if create_queue:
            with _translated(), suppress(ResourceExistsError):
                self.client.create_queue()

    def close(self) -> None:
        self.client.close()

    def send(self, body: dict[str, str]) -> None:
        text = encode_body(body)
        with _translated():
            # time_to_live=-1: never expires. The service default is 7 days, after which work
            # would silently vanish; the embedded queue never drops work either.
            self.client.send_message(text, time_to_live=-1)

    def receive(self, max_messages: int = 16, visibility_seconds: int = 300) -> list[QueuedWork]:
        """Up to max_messages items, hidden for visibility_seconds (clamped to 1 s .. 7 days:
        the service refuses 0, so 0 means the shortest lease it allows)."""
        if max_messages < 1:
            return []
        visibility = min(max(visibility_seconds, MIN_VISIBILITY_SECONDS), MAX_VISIBILITY_SECONDS)
        got: list[QueuedWork] = []
        with _translated():
            for message in self.client.receive_messages(
                messages_per_page=min(max_messages, MAX_PER_REQUEST),
                max_messages=max_messages,
                visibility_timeout=visibility,
            ):
                body = _decode_body(message.content)
                if body is None:
                    # Not something CaseDesk sent. Leave it leased (it comes back when the
                    # lease ends) rather than drop it or fail the batch; log only its id.
                    log.error(
                        "queue %s: message %s is not a JSON object of strings; left in the "
                        "queue (dequeued %s times)",
                        self.queue_name,
                        message.id,
                        message.dequeue_count,
                    )
                    continue
                got.append(
                    QueuedWork(
                        body,
                        _receipt(message.id, message.pop_receipt or ""),
                        int(message.dequeue_count or 0),
                    )
                )
        return got

    def delete(self, item: QueuedWork) -> None:
        try:
            handle = json.loads(item.receipt)
            message_id, pop_receipt = str(handle["id"]), str(handle["pop"])
        except (ValueError, TypeError, KeyError) as exc:
            raise CaseDeskError(
                f"Not a receipt from StorageWorkQueue: {item.receipt[:80]!r}"
            ) from exc
        with _translated():
            try:
                self.client.delete_message(message_id, pop_receipt=pop_receipt)
            except ResourceNotFoundError:
                # Gone, or leased again by another receiver (our pop receipt is stale): either
                # way it is not ours to delete, as with the embedded queue.
                pass
            except HttpResponseError as exc:
                # Azure documents 400 PopReceiptMismatch for this case, and Azurite returns it.
                if getattr(exc, "error_code", None) != "PopReceiptMismatch":
                    raise

    def depth(self) -> int:
        """Approximate number of messages, leased ones included (the service's own count)."""
        with _translated():
            return int(self.client.get_queue_properties().approximate_message_count or 0)
