"""A caller that hangs up before the answer (Graph gives a notification endpoint a few
seconds, then gives up and sends again) costs one warning line naming the route, not a
traceback from socketserver on stderr; and the server goes on answering."""

from __future__ import annotations

import logging
import socket
import struct
import threading
import urllib.request
from collections.abc import Mapping

import pytest

from casedesk.entrypoints.http_server import HttpResult, RouteTable, make_server


def test_a_caller_that_hangs_up_is_one_warning_and_the_server_goes_on(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    hung_up = threading.Event()
    answered = threading.Event()

    def slow(_query: Mapping[str, str], _body: bytes) -> HttpResult:
        hung_up.wait(10)
        return HttpResult(202, b"x" * 4_000_000)  # larger than any socket buffer

    def quick(_query: Mapping[str, str], _body: bytes) -> HttpResult:
        answered.set()
        return HttpResult(200, b"ok")

    table = RouteTable()
    table.add("POST", "/api/notifications", slow)
    table.add("GET", "/api/quick", quick)
    server = make_server("127.0.0.1", 0, table)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        with caplog.at_level(logging.WARNING, logger="casedesk"):
            caller = socket.create_connection(("127.0.0.1", port))
            caller.sendall(b"POST /api/notifications HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Length: 2\r\n\r\n{}")  # fmt: skip
            # Close with a reset, as a caller that times out does.
            caller.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            caller.close()
            hung_up.set()
            for _ in range(100):  # until the server has tried to answer and given up
                if any(getattr(r, "event", "") == "http.client_gone" for r in caplog.records):
                    break
                threading.Event().wait(0.05)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/quick") as reply:
                assert reply.status == 200 and reply.read() == b"ok"
    finally:
        server.shutdown()
        server.server_close()
    [gone] = [r for r in caplog.records if getattr(r, "event", "") == "http.client_gone"]
    assert (gone.path, gone.status) == ("/api/notifications", 202)  # type: ignore[attr-defined]
    assert answered.is_set()
    assert "Traceback" not in capfd.readouterr().err
