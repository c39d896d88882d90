"""How Azurite's queue slows as it gets deeper: why the soak caps its queue depth
(docs/decisions/0028-soak-depth-cap.md).

Starts the queue service from node_modules (installed by `make test`), fills one queue to each
depth in turn and times receive (32 at a time), delete and send at that depth, against the same
server in the same run, so the figures compare with each other rather than with another machine.

    .venv/bin/python scripts/azurite_queue_cost.py [DEPTH ...]   # default 100 2000 8000 16000
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "node_modules" / ".bin" / "azurite-queue"
# The emulator's published development key (not a secret), as in tests/azurite.py.
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
BODY = "x" * 600  # about the size of a CaseDesk work item, base64 included
ROUNDS = 8
BATCH = 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main(depths: list[int]) -> int:
    from azure.storage.queue import QueueClient

    if not LAUNCHER.exists():
        print(f"{LAUNCHER} is missing: run `make test` once (it installs Azurite with npm ci)")
        return 2
    port = _free_port()
    flags = ["--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent"]
    proc = subprocess.Popen(
        [str(LAUNCHER), "--queueHost", "127.0.0.1", "--queuePort", str(port), *flags],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    print("Azurite's queue service did not start within 30 s")
                    return 1
                time.sleep(0.1)
        conn = (
            f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={KEY};"
            f"QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        )
        queue = QueueClient.from_connection_string(conn, "cost")
        queue.create_queue()
        depth = 0
        print("depth    receive(32)  delete  send   (milliseconds per call)")
        for target in sorted(depths):
            while depth < target:
                queue.send_message(BODY)
                depth += 1
            receive = delete = send = 0.0
            for _ in range(ROUNDS):  # take a batch, delete it, put it back: the depth holds
                started = time.monotonic()
                batch = list(queue.receive_messages(messages_per_page=BATCH, max_messages=BATCH))
                receive += time.monotonic() - started
                started = time.monotonic()
                for message in batch:
                    queue.delete_message(message)
                delete += time.monotonic() - started
                started = time.monotonic()
                for _ in batch:
                    queue.send_message(BODY)
                send += time.monotonic() - started
            calls = ROUNDS * BATCH
            print(
                f"{target:>6,}   {1000 * receive / ROUNDS:8.1f}   {1000 * delete / calls:6.1f}"
                f"  {1000 * send / calls:5.1f}",
                flush=True,
            )
        return 0
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [100, 2000, 8000, 16000]))
