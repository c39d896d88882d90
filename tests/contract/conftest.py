"""Each port's contract suite runs against every adapter listed here.

The Microsoft 365 adapters join these lists (against the local Graph-speaking server) when
they are built; until then only the embedded ones run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from casedesk.adapters.embedded.local_files import LocalCaseFiles
from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
from casedesk.adapters.embedded.sqlite_db import Database
from casedesk.adapters.embedded.sqlite_ops import SqliteOpsState, SqliteWorkQueue

Factory = Callable[[Path], tuple[Any, Callable[[], None]]]


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


REPOSITORIES: dict[str, Factory] = {"embedded-sqlite": _sqlite_repo}
OPS_STATES: dict[str, Factory] = {"embedded-sqlite": _sqlite_ops}
CASE_FILES: dict[str, Factory] = {
    "embedded-local": lambda tmp: (LocalCaseFiles(tmp / "files"), lambda: None)
}


@pytest.fixture(params=sorted(REPOSITORIES))
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = REPOSITORIES[request.param](tmp_path)
    yield built
    close()


@pytest.fixture(params=sorted(OPS_STATES))
def ops(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = OPS_STATES[request.param](tmp_path)
    yield built
    close()


WORK_QUEUES: dict[str, Factory] = {"embedded-sqlite": _sqlite_queue}


@pytest.fixture(params=sorted(WORK_QUEUES))
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = WORK_QUEUES[request.param](tmp_path)
    yield built
    close()


@pytest.fixture(params=sorted(CASE_FILES))
def files(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    built, close = CASE_FILES[request.param](tmp_path)
    yield built
    close()
