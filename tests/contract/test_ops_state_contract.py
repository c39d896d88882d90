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


def test_key_values_by_namespace(ops: Any) -> None:
    assert ops.get("delta", "mbox") is None
    ops.put("delta", "mbox", "link-1")
    ops.put("delta", "mbox", "link-2")
    ops.put("subscriptions", "s1", '{"expires": "x"}')
    assert ops.get("delta", "mbox") == "link-2"
    assert list(ops.items("delta")) == [("mbox", "link-2")]
    ops.delete("delta", "mbox")
    assert ops.get("delta", "mbox") is None and list(ops.items("subscriptions")) == [
        ("s1", '{"expires": "x"}')
    ]


def test_add_if_absent_is_true_exactly_once(ops: Any) -> None:
    assert ops.add_if_absent("dedupe", "AAMk=", "1") is True
    assert ops.add_if_absent("dedupe", "AAMk=", "2") is False
    assert ops.get("dedupe", "AAMk=") == "1"


def test_keys_with_awkward_characters_round_trip(ops: Any) -> None:
    # Graph immutable ids contain '/', '+', '=' and '-'; Table storage forbids some in keys.
    key = "AAMkAGI2T/+G=x-y#z?w\\v"
    ops.put("dedupe", key, "v")
    assert ops.get("dedupe", key) == "v" and list(ops.items("dedupe")) == [(key, "v")]


def test_forgotten_signatures_are_gone_and_the_rest_stay(ops: Any) -> None:
    ops.save_signature("cluster-000001", "<a@x>", "a@example.org", b"\x01")
    ops.save_signature("cluster-000001", "<b@x>", "b@example.org", b"\x02")
    assert ops.forget_signatures(["<a@x>", "<a@x>", "<unknown@x>"]) == 1
    assert list(ops.signatures()) == [("cluster-000001", "<b@x>", "b@example.org", b"\x02")]
    assert ops.forget_signatures([]) == 0
