"""What every WorkQueue must do: at-least-once delivery with visibility timeouts."""

from __future__ import annotations

from typing import Any


def test_send_receive_delete(queue: Any) -> None:
    queue.send({"mailbox": "office@example.org", "message_id": "AAMk1"})
    [item] = queue.receive()
    assert item.body == {"mailbox": "office@example.org", "message_id": "AAMk1"}
    assert item.dequeue_count == 1
    queue.delete(item)
    assert queue.receive(visibility_seconds=0) == []


def test_received_item_is_hidden_until_its_lease_ends(queue: Any) -> None:
    queue.send({"message_id": "a"})
    [first] = queue.receive(visibility_seconds=300)
    assert queue.receive() == []
    queue.expire_leases()
    [again] = queue.receive()
    assert again.body == first.body and again.dequeue_count == 2


def test_stale_receipt_cannot_delete_a_redelivered_item(queue: Any) -> None:
    queue.send({"message_id": "a"})
    [first] = queue.receive(visibility_seconds=300)
    queue.expire_leases()
    [second] = queue.receive(visibility_seconds=300)
    queue.delete(first)  # the crashed worker wakes up late
    queue.expire_leases()
    [third] = queue.receive()
    assert third.body == second.body and third.dequeue_count == 3


def test_order_is_first_in_first_out_for_a_single_receiver(queue: Any) -> None:
    for i in range(5):
        queue.send({"n": str(i)})
    got = queue.receive(max_messages=5)
    assert [g.body["n"] for g in got] == ["0", "1", "2", "3", "4"]
