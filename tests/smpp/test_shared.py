"""Two clients sharing one SharedReceiving, as a pool's binds do, against a
stub SMSC on real sockets: a receipt that came on one bind, ahead of the
response another bind was waiting for, still names its message."""

from __future__ import annotations

import asyncio
from typing import Any

from smswire import AsyncSmppClient, Message, Timeouts
from smswire.pdu import SubmitSm, SubmitSmResp
from smswire.smpp.session import Session
from smswire.smpp.shared import SharedReceiving

from .stub_smsc import PATIENCE, StubSmsc
from .test_receiving import receipt

# How long a receipt waits for its response. The first test's receipt waits
# it out in full (its own bind's response never comes), and within it the
# test must make a probe round trip and have the other bind's response read:
# far longer than that takes, on a loaded machine too.
HOLD = 1.0


def client(smsc: StubSmsc, shared: SharedReceiving, **options: Any) -> AsyncSmppClient:
    return AsyncSmppClient(
        "127.0.0.1", smsc.port, system_id="x", password="y", tls=False, shared=shared,
        timeouts=Timeouts(receipt_hold=HOLD), **options,
    )  # fmt: skip


async def test_a_receipt_held_on_one_bind_finds_the_message_another_bind_sent() -> None:
    withheld: list[tuple[Session, SubmitSm]] = []

    def hold_responses(session: Session, pdu: SubmitSm) -> bytes:
        withheld.append((session, pdu))
        return b""

    shared = SharedReceiving()
    first = Message("+4512000001", "sent on the first bind", source="Acme")
    second = Message("+4512000002", "sent on the second bind", source="Acme")
    smsc = StubSmsc(on_submit=hold_responses)
    async with smsc, client(smsc, shared) as a, client(smsc, shared) as b:
        sends = [
            asyncio.ensure_future(a.send_message(first)),
            asyncio.ensure_future(b.send_message(second)),
        ]
        await smsc.until(lambda: len(withheld) == 2, "both submits")
        # The receipt for the first bind's message comes on the second bind
        # (the stub's last connection), which waits for a response itself.
        smsc.deliver(receipt("500"))
        await smsc.probe()
        # Then the first bind's response names the id; the second bind's stays away.
        (session_a, submit_a) = next(
            w for w in withheld if w[1].short_message == b"sent on the first bind"
        )
        smsc._links[0].transport.write(
            session_a.send(SubmitSmResp(message_id="500", sequence_number=submit_a.sequence_number))
        )
        got = await asyncio.wait_for(shared.receipts.items().__anext__(), PATIENCE)
        for send in sends:
            send.cancel()
        await asyncio.gather(*sends, return_exceptions=True)
    assert got.message_id == "500"
    assert got.message is first


async def test_one_client_closing_leaves_the_shared_inboxes_to_the_others() -> None:
    shared = SharedReceiving()
    smsc = StubSmsc()
    async with smsc, client(smsc, shared) as b:
        async with client(smsc, shared):
            pass  # a bind of the pool closed (replaced, say)
        # The stub's last connection is the closed one's: deliver on b's.
        smsc._links.append(smsc._links.pop(0))
        smsc.deliver(receipt("77"))
        got = await asyncio.wait_for(shared.receipts.items().__anext__(), PATIENCE)
        assert b.bound
    assert got.message_id == "77"
