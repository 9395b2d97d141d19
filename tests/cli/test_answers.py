"""``smswire status`` and ``smswire events`` as a user runs them, on a real store file."""

from __future__ import annotations

import json
from pathlib import Path

from smswire.message import Message, Outcome, SendResult
from smswire.outbox import Outbox, Via
from smswire.pdu import CommandStatus
from smswire.smpp.receipts import parse_receipt

from .support import run_cli


async def sent_and_delivered(store: Path) -> None:
    """Two messages: one accepted and delivered, one still queued."""
    async with Outbox.open(store) as outbox:
        await outbox.put(Message("+4791000001", "Your code is 1", source="Shop"), key="order-1")
        await outbox.put(Message("+4791000002", "Your code is 2", source="Shop"), key="order-2")
        drain = outbox.drain(worker="w", via=Via.SMPP)
        claims = [c for c in await drain.claim(1) if c.key == "order-1"]
        for claim in await drain.mark_writing(claims):
            drain.accepted(claim, 0, "7F3A")
            result = SendResult(
                claim.message, Outcome.ACCEPTED, ("7F3A",), CommandStatus.ESME_ROK, parts=1
            )
            drain.settled(claim, result)
        await drain.flush()
        await outbox.record_inbound("default", [parse_receipt(b"id:7f3a stat:DELIVRD err:0")])


async def test_status_reads_a_message_story_from_the_store(tmp_path: Path) -> None:
    store = tmp_path / "outbox.db"
    await sent_and_delivered(store)
    run = await run_cli("status", "order-1", "--store", store, "--json")
    assert run.returncode == 0, run.stderr
    status = json.loads(run.stdout)
    assert status["state"] == "delivered" and status["outcome"] == "accepted"
    assert status["message_ids"] == ["7F3A"] and status["status"] == "ESME_ROK"
    assert [r["state"] for r in status["receipts"]] == ["delivered"]
    queued = json.loads((await run_cli("status", "order-2", "--store", store, "--json")).stdout)
    assert queued["state"] == "queued" and queued["outcome"] is None
    table = await run_cli("status", "order-1", "--store", store)
    assert table.returncode == 0 and "7F3A" in table.stdout and "delivered" in table.stdout


async def test_status_of_an_unknown_key_or_store_is_one_clear_line(tmp_path: Path) -> None:
    store = tmp_path / "outbox.db"
    await sent_and_delivered(store)
    missing = await run_cli("status", "order-9", "--store", store)
    assert missing.returncode == 1
    assert (
        missing.stderr.strip() == f"smswire: error: no message under the key 'order-9' in {store}"
    )
    nowhere = await run_cli("status", "order-1", "--store", tmp_path / "none.db")
    assert nowhere.returncode == 1 and "no outbox store at" in nowhere.stderr
    assert not (tmp_path / "none.db").exists()  # asking never creates a store


async def test_events_resume_after_what_the_consumer_printed(tmp_path: Path) -> None:
    store = tmp_path / "outbox.db"
    await sent_and_delivered(store)
    args = ("events", "--store", store, "--consumer", "crm", "--idle-timeout", "0.3")
    first = await run_cli(*args, "--json")
    assert first.returncode == 0, first.stderr
    events = [json.loads(line) for line in first.stdout.splitlines()]
    assert [(e["key"], e["event"]) for e in events] == [
        ("order-1", "accepted"),
        ("order-1", "delivered"),
    ]
    assert events[0]["status"] == "ESME_ROK"
    # Acknowledged as printed: the consumer starting again sees nothing twice ...
    assert (await run_cli(*args, "--json")).stdout == ""
    # ... and what came since, once; another consumer sees everything.
    async with Outbox.open(store) as outbox:
        await outbox.record_inbound("default", [parse_receipt(b"id:99 stat:DELIVRD err:0")])
        drain = outbox.drain(worker="w2", via=Via.SMPP)
        for claim in await drain.mark_writing(await drain.claim(1)):
            drain.settled(claim, SendResult(claim.message, Outcome.REJECTED, error="refused"))
        await drain.flush()
    later = (await run_cli(*args)).stdout.splitlines()
    assert len(later) == 1 and " rejected order-2 " in f" {later[0]} "
    other = await run_cli(
        "events", "--store", store, "--consumer", "billing", "--idle-timeout", "0.3"
    )
    assert len(other.stdout.splitlines()) == 3
