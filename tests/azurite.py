"""Azurite, the Azure Storage emulator, for tests of the Azure Table and Queue adapters.

`make test` installs it from package.json with `npm ci` into node_modules/. The session
fixture starts only the queue and table services (each from its own launcher in
node_modules/.bin), in memory, on free ports of 127.0.0.1, and stops them at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "node_modules" / ".bin"
START_TIMEOUT_SECONDS = float(os.environ.get("CASEDESK_AZURITE_START_TIMEOUT", "60"))
HOST = "127.0.0.1"
ACCOUNT = "devstoreaccount1"
# The emulator's well-known development key, published by Microsoft (not a secret):
# https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
COMMON_FLAGS = (
    "--inMemoryPersistence",
    "--skipApiVersionCheck",
    "--loose",
    "--silent",
    "--disableTelemetry",
)
SERVICES = {"queue": "azurite-queue", "table": "azurite-table"}


@dataclass(frozen=True)
class Azurite:
    queue_port: int
    table_port: int
    startup_seconds: float

    @property
    def queue_endpoint(self) -> str:
        return f"http://{HOST}:{self.queue_port}/{ACCOUNT}"

    @property
    def table_endpoint(self) -> str:
        return f"http://{HOST}:{self.table_port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"QueueEndpoint={self.queue_endpoint};TableEndpoint={self.table_endpoint};"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _require_installed() -> None:
    missing = [
        str(BIN / name) for name in ("azurite", *SERVICES.values()) if not (BIN / name).exists()
    ]
    if missing:
        pytest.fail(
            f"Azurite is not installed ({', '.join(missing)} missing): "
            "run `make test` (it installs Azurite with npm ci)",
            pytrace=False,
        )
    if shutil.which("node") is None:
        pytest.fail(
            "Azurite needs Node.js (`node` is not on PATH): install Node.js 20 or later, then "
            "run `make test` (it installs Azurite with npm ci)",
            pytrace=False,
        )


def _log(workdir: Path, service: str) -> str:
    return (workdir / f"{service}.log").read_text(errors="replace")[-2000:]


def _start(service: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    with (workdir / f"{service}.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                str(BIN / SERVICES[service]),
                f"--{service}Host",
                HOST,
                f"--{service}Port",
                str(port),
                *COMMON_FLAGS,
            ],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return proc


def _wait_until_listening(
    service: str, proc: subprocess.Popen[bytes], port: int, deadline: float, workdir: Path
) -> bool:
    """True once the port accepts connections; False if the process exited first."""
    while proc.poll() is None:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return True
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"Azurite {service} did not accept connections on {HOST}:{port} within "
                f"{START_TIMEOUT_SECONDS:.0f}s; log:\n" + _log(workdir, service),
                pytrace=False,
            )
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.05)  # the poll interval; returns at once if the process exits
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """A running Azurite (queue and table services), with its connection string."""
    _require_installed()
    workdir = tmp_path_factory.mktemp("azurite")
    started = time.monotonic()
    deadline = started + START_TIMEOUT_SECONDS
    procs: dict[str, subprocess.Popen[bytes]] = {}
    ports: dict[str, int] = {}
    try:
        # Free ports are picked here and handed over; if another process takes one in between,
        # that Azurite exits and is started again on a new port.
        for service in SERVICES:
            ports[service] = _free_port()
            procs[service] = _start(service, ports[service], workdir)
        for service in SERVICES:
            attempts = 3
            while not _wait_until_listening(
                service, procs[service], ports[service], deadline, workdir
            ):
                attempts -= 1
                if attempts == 0:
                    pytest.fail(
                        f"Azurite {service} kept exiting at start; log:\n" + _log(workdir, service),
                        pytrace=False,
                    )
                ports[service] = _free_port()
                procs[service] = _start(service, ports[service], workdir)
        yield Azurite(ports["queue"], ports["table"], time.monotonic() - started)
    finally:
        for proc in procs.values():
            _stop(proc)
