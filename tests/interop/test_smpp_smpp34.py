"""Our client against smpp34's SMSC (a Rust server behind Python bindings).

smpp34's server runs in a subprocess: its processes crash at interpreter exit in
about a third of runs on this machine (a PyO3/tokio finalisation fault after
their work is done), which must not fail the test run. It accepts any
password, answers submit_sm with the ids this script gives (hex), sends the
receipts (decimal ids, as some SMSCs do), and closes the socket instead of
answering unbind.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator

import pytest
from ports import steady_port

from smswire import AsyncSmppClient, Message, Outcome, ReceiptState

SERVER = """
import asyncio, sys, smpp34

async def main(port):
    server = smpp34.Server("127.0.0.1", port, system_id="smpp34")
    await server.start()
    print("ready", flush=True)
    sessions, count, pending = {}, 0, set()
    while True:
        event = await server.next()
        if isinstance(event, smpp34.Esme):
            sessions[event.session_id] = event
        elif isinstance(event, smpp34.SubmitSmEvent):
            count += 1
            event.accept(f"{count:08X}")
            esme = sessions.get(event.session_id)
            if esme is not None and esme.can_receive and event.registered_delivery & 1:
                text = (f"id:{count} sub:001 dlvrd:001 submit date:2401010000 "
                        "done date:2401010000 stat:DELIVRD err:000 text:")
                task = asyncio.ensure_future(esme.deliver_sm(
                    event.source_addr, text.encode(),
                    source_addr=event.destination_addr, esm_class=4))
                pending.add(task)
                task.add_done_callback(pending.discard)

asyncio.run(main(int(sys.argv[1])))
"""


def free_port() -> int:
    """A port for the server started on it by number: see tests/ports.py."""
    return steady_port()


@pytest.fixture
async def smpp34_port() -> AsyncIterator[int]:
    pytest.importorskip("smpp34")
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVER, str(port), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        assert line.strip() == b"ready"
        yield port
    finally:
        process.kill()
        await process.wait()


async def test_our_client_sends_gsm7_ucs2_and_long_messages_to_smpp34(smpp34_port: int) -> None:
    async with AsyncSmppClient(
        "127.0.0.1", smpp34_port, system_id="acme", password="any", tls=False, source="Acme"
    ) as smpp:
        results = await smpp.send_many(
            [
                Message("+4512345678", "Hello smpp34"),
                Message("+4512345678", "Привет"),
                Message("+4512345678", "long " * 80),
            ]
        )
        receipts = []
        async for receipt in smpp.receipts():
            receipts.append(receipt)
            if len(receipts) == 5:
                break
    assert [r.outcome for r in results] == [Outcome.ACCEPTED] * 3
    assert [len(r.message_ids) for r in results] == [1, 1, 3]
    # Hex ids in submit_sm_resp, decimal ids in the receipts: they still correlate.
    texts = sorted(r.message.text for r in receipts if r.message is not None)
    assert texts == sorted(["Hello smpp34", "Привет"] + ["long " * 80] * 3)
    assert all(r.state is ReceiptState.DELIVERED for r in receipts)


async def test_smpp34_closing_instead_of_answering_unbind_is_a_completed_unbind(
    smpp34_port: int,
) -> None:
    smpp = AsyncSmppClient("127.0.0.1", smpp34_port, system_id="acme", password="any", tls=False)
    await smpp.connect()
    result = await smpp.send("+4512345678", "then unbind", source="Acme")
    await smpp.close(timeout=5.0)
    assert result.ok
    assert not smpp.bound
