"""The send pump on a real session, without a socket: what it writes, and what it
tells each caller when a part cannot be written or its answer never comes."""

from __future__ import annotations

import random

from smswire.message import Delivery, Message, Outcome
from smswire.options import Backoff, Limits
from smswire.pdu import (
    BindTransceiver,
    BindTransceiverResp,
    CommandStatus,
    Framer,
    SubmitSm,
    SubmitSmResp,
    encode,
)
from smswire.smpp.batch import Batch
from smswire.smpp.pump import SendPump
from smswire.smpp.session import RequestReceived, Role, Session


class Wire:
    """A bound session whose writes are kept, as connection supervision would send them."""

    def __init__(self, window: int = 64) -> None:
        self.session: Session | None = Session(Role.ESME, window=window, enquire_link_interval=None)
        self.smsc = Session(Role.SMSC, enquire_link_interval=None)
        self.written: list[bytes] = []
        self.unanswered: list[SubmitSm] = []
        (request,) = self.smsc.receive_data(
            self.session.send(BindTransceiver(system_id="u", password="p"))
        )
        assert isinstance(request, RequestReceived)
        seq = request.pdu.sequence_number
        self.session.receive_data(self.smsc.send(BindTransceiverResp(sequence_number=seq)))

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def submitted(self) -> list[SubmitSm]:
        return [pdu for pdu in Framer().feed(b"".join(self.written)) if isinstance(pdu, SubmitSm)]


def pump(wire: Wire, **limits: object) -> SendPump:
    return SendPump(
        wire,
        limits=Limits(**limits),  # type: ignore[arg-type]
        backoff=Backoff(initial=0.01),
        delivery=Delivery.AT_LEAST_ONCE,
        rng=random.Random(1),
    )


def encoded(**fields: object) -> bytes:
    """A submit_sm as the client's prepare step hands it over: encoded, unnumbered."""
    return encode(SubmitSm(**fields))  # type: ignore[arg-type]


def message(text: str) -> Message:
    return Message("+4512345678", text, source="Acme")


def queue(sender: SendPump, batch: Batch, index: int, message: Message, pdu: bytes) -> None:
    """Queue one message of one part, as send_many queues each of its messages."""
    sender.add(batch, [(index, message, [pdu])], 1)


async def test_a_batch_goes_out_in_one_write_and_settles_from_the_answers() -> None:
    wire = Wire()
    sender = pump(wire)
    batch = sender.batch(2)
    queue(sender, batch, 0, message("a"), encoded(destination_addr="1", short_message=b"a"))
    queue(sender, batch, 1, message("b"), encoded(destination_addr="2", short_message=b"b"))
    sender.pump()
    assert len(wire.written) == 1
    first, second = wire.submitted()
    assert sender.on_response(first.sequence_number, 0, "id-a") == message("a")
    assert sender.on_response(second.sequence_number, CommandStatus.ESME_RINVDSTADR, "") is None
    a, b = await batch.future
    assert (a.outcome, a.message_ids, a.status) == (Outcome.ACCEPTED, ("id-a",), 0)
    assert (b.outcome, b.status) == (Outcome.REJECTED, CommandStatus.ESME_RINVDSTADR)


async def test_parts_the_session_will_not_number_stay_queued_for_the_next_write() -> None:
    wire = Wire()
    sender = pump(wire)
    batch = sender.batch(1)
    queue(sender, batch, 0, message("held"), encoded(destination_addr="1", short_message=b"h"))
    assert wire.session is not None
    bound, wire.session = wire.session, Session(Role.ESME)  # open, not bound
    sender.pump()
    assert wire.written == [] and sender.backlog == 1
    wire.session = bound
    sender.pump()
    (written,) = wire.submitted()
    sender.on_response(written.sequence_number, 0, "id-h")
    (result,) = await batch.future
    assert result.outcome is Outcome.ACCEPTED


async def test_nothing_is_written_while_unbound_and_all_of_it_once_bound() -> None:
    wire = Wire()
    session, wire.session = wire.session, None
    sender = pump(wire)
    batch = sender.batch(1)
    queue(sender, batch, 0, message("later"), encoded(destination_addr="1"))
    sender.pump()
    assert wire.written == []
    wire.session = session
    sender.on_bound()
    assert len(wire.submitted()) == 1


async def test_lost_answers_go_again_at_least_once_and_given_up_are_unknown() -> None:
    wire = Wire()
    sender = pump(wire)
    batch = sender.batch(1)
    queue(sender, batch, 0, message("lost"), encoded(destination_addr="1"))
    sender.pump()
    assert wire.session is not None
    closed = wire.session.connection_lost()
    sender.on_unanswered(closed.unanswered, resubmit=True)
    assert not batch.future.done(), "queued again for the next bind"
    # The client closes before that bind: it may have reached the SMSC.
    sender.give_up("the client closed")
    (result,) = await batch.future
    assert result.outcome is Outcome.UNKNOWN
    assert "cannot be resubmitted" in (result.error or "")


def answer(wire: Wire, sender: SendPump, count: int) -> None:
    """The SMSC answers the first ``count`` submits it has not answered yet."""
    assert wire.session is not None
    if wire.written:
        wire.unanswered += wire.submitted()
        wire.smsc.receive_data(b"".join(wire.written))
        wire.written.clear()
    for request in wire.unanswered[:count]:
        seq = request.sequence_number
        response = wire.smsc.send(SubmitSmResp(message_id=f"id{seq}", sequence_number=seq))
        wire.session.receive_data(response)
        sender.on_response(seq, 0, f"id{seq}")
    del wire.unanswered[:count]


async def test_the_window_is_refilled_in_batches_not_one_submit_a_write() -> None:
    wire = Wire(window=16)
    sender = pump(wire, window=16)
    batch = sender.batch(32)
    pending = [(i, message(str(i)), [encoded(destination_addr=str(i))]) for i in range(32)]
    sender.add(batch, pending, 32)
    sender.pump()
    assert len(wire.submitted()) == 16 and len(wire.written) == 1
    answer(wire, sender, 1)
    sender.pump()
    # One place free is under an eighth of the window: no write of one submit.
    assert wire.written == []
    answer(wire, sender, 1)
    sender.pump()
    assert len(wire.submitted()) == 2 and len(wire.written) == 1
