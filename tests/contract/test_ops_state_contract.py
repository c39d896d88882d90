from __future__ import annotations

from typing import Any


def test_signatures_round_trip_in_insertion_order(ops: Any) -> None:
    ops.save_signature("cluster-000001", "<a@x>", "a@example.org", b"\x01\x02")
    ops.save_signature("cluster-000001", "<b@x>", "b@example.org", b"\x03\x04")
    assert list(ops.signatures()) == [
        ("cluster-000001", "<a@x>", "a@example.org", b"\x01\x02"),
        ("cluster-000001", "<b@x>", "b@example.org", b"\x03\x04"),
    ]


def test_saving_a_member_again_replaces_it(ops: Any) -> None:
    ops.save_signature("cluster-000001", "<a@x>", "a@example.org", b"\x01")
    ops.save_signature("cluster-000002", "<a@x>", "a@example.org", b"\x02")
    assert list(ops.signatures()) == [("cluster-000002", "<a@x>", "a@example.org", b"\x02")]
