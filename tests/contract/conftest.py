"""Each port's contract suite runs against every adapter listed here.

The Microsoft 365 adapters join these lists (against the local Graph-speaking server) when
they are built; until then only the embedded ones run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from azurite import Azurite, azurite  # noqa: F401  (the session fixture, started on demand)
from casedesk.adapters.embedded.local_files import LocalCaseFiles
from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.adapters.embedded.sqlite_ops import SqliteOpsState, SqliteWorkQueue

Factory = Callable[[Path], tuple[Any, Callable[[], None]]]
AzuriteFactory = Callable[[Path, Azurite], tuple[Any, Callable[[], None]]]


def _sqlite_repo(tmp: Path) -> tuple[Any, Callable[[], None]]:
    db = Database(tmp / "store.sqlite3")
    return SqliteCaseRepository(db), db.close


def _sqlite_ops(tmp: Path) -> tuple[Any, Callable[[], None]]:
    db = Database(tmp / "store.sqlite3")
    return SqliteOpsState(db), db.close


class _ManualTime:
    """Lets contract tests end a lease without sleeping."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _sqlite_queue(tmp: Path) -> tuple[Any, Callable[[], None]]:
    db = Database(tmp / "store.sqlite3")
    clock = _ManualTime()
    queue = SqliteWorkQueue(db, now=clock)

    def expire_leases() -> None:
        clock.t += 10_000

    queue.expire_leases = expire_leases  # type: ignore[attr-defined]
    return queue, db.close


def _azure_table_ops(tmp: Path, server: Azurite) -> tuple[Any, Callable[[], None]]:
    from casedesk.adapters.m365.table_ops import TableOpsState

    ops = TableOpsState(
        connection_string=server.connection_string, table_name=f"ops{uuid.uuid4().hex}"
    )

    def close() -> None:
        ops.table.delete_table()
        ops.close()

    return ops, close


def _azure_storage_queue(tmp: Path, server: Azurite) -> tuple[Any, Callable[[], None]]:
    from azure.core.exceptions import HttpResponseError

    from casedesk.adapters.m365.storage_queue import StorageWorkQueue

    queue = StorageWorkQueue(
        connection_string=server.connection_string, queue_name=f"work-{uuid.uuid4().hex}"
    )
    leased: dict[str, str] = {}  # message id -> latest pop receipt handed out
    receive = queue.receive

    def tracking_receive(max_messages: int = 16, visibility_seconds: int = 300) -> list[Any]:
        got = receive(max_messages, visibility_seconds)
        for item in got:
            handle = json.loads(item.receipt)
            leased[handle["id"]] = handle["pop"]
        return got

    def expire_leases() -> None:
        # Make every leased message visible again now, as if its lease had run out.
        for message_id, pop_receipt in list(leased.items()):
            try:
                queue.client.update_message(message_id, pop_receipt, visibility_timeout=0)
            except HttpResponseError as exc:  # 404 deleted, 400 PopReceiptMismatch: not leased
                if exc.status_code not in (400, 404):
                    raise
            del leased[message_id]

    queue.receive = tracking_receive  # type: ignore[method-assign]
    queue.expire_leases = expire_leases  # type: ignore[attr-defined]

    def close() -> None:
        queue.client.delete_queue()
        queue.close()

    return queue, close


def _sharepoint_repo(tmp: Path) -> tuple[Any, Callable[[], None]]:
    from sharepoint_stack import start_stack

    stack = start_stack()
    return stack.repository(), stack.close


def _sharepoint_files(tmp: Path) -> tuple[Any, Callable[[], None]]:
    from sharepoint_stack import LibraryMirror, start_stack

    stack = start_stack()
    return LibraryMirror(stack.files(), stack.fake, tmp / "library"), stack.close


# Factories whose key starts with this take the running Azurite as a second argument; the
# fixtures below ask for it only then, so embedded-only runs never start Azurite.
AZURITE = "m365-azurite"


def _build(factories: dict[str, Any], request: pytest.FixtureRequest, tmp: Path) -> Any:
    if request.param.startswith(AZURITE):
        return factories[request.param](tmp, request.getfixturevalue("azurite"))
    return factories[request.param](tmp)


REPOSITORIES: dict[str, Factory] = {
    "embedded-sqlite": _sqlite_repo,
    "m365-sharepoint": _sharepoint_repo,
}
OPS_STATES: dict[str, Factory | AzuriteFactory] = {
    "embedded-sqlite": _sqlite_ops,
    AZURITE: _azure_table_ops,
}
CASE_FILES: dict[str, Factory] = {
    "embedded-local": lambda tmp: (LocalCaseFiles(tmp / "files"), lambda: None),
    "m365-sharepoint": _sharepoint_files,
}


@pytest.fixture(params=sorted(REPOSITORIES))
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = REPOSITORIES[request.param](tmp_path)
    yield built
    close()


@pytest.fixture(params=sorted(OPS_STATES))
def ops(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = _build(OPS_STATES, request, tmp_path)
    yield built
    close()


WORK_QUEUES: dict[str, Factory | AzuriteFactory] = {
    "embedded-sqlite": _sqlite_queue,
    AZURITE: _azure_storage_queue,
}


@pytest.fixture(params=sorted(WORK_QUEUES))
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = _build(WORK_QUEUES, request, tmp_path)
    yield built
    close()


@pytest.fixture(params=sorted(CASE_FILES))
def files(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = CASE_FILES[request.param](tmp_path)
    yield built
    close()
