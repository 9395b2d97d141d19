"""Session.send_encoded_submits: submit_sm encoded beforehand (the client's
fused path) numbered by the session exactly as the PDUs it builds itself."""

from __future__ import annotations

import pytest

from smswire.errors import LocalProtocolError
from smswire.pdu import (
    BindTransceiver,
    BindTransceiverResp,
    CommandStatus,
    EnquireLink,
    Framer,
    SubmitSm,
    SubmitSmResp,
    encode,
)
from smswire.smpp.session import (
    ConnectionClosed,
    RequestReceived,
    ResponseReceived,
    ResponseTimedOut,
    Role,
    Session,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def bound(clock: FakeClock, window: int = 8) -> tuple[Session, Session]:
    esme = Session(Role.ESME, clock=clock, window=window, response_timeout=30.0)
    smsc = Session(Role.SMSC, clock=clock, enquire_link_interval=None)
    (request,) = smsc.receive_data(esme.send(BindTransceiver(system_id="u", password="p")))
    assert isinstance(request, RequestReceived)
    seq = request.pdu.sequence_number
    esme.receive_data(smsc.send(BindTransceiverResp(sequence_number=seq)))
    return esme, smsc


SUBMITS = [
    encode(SubmitSm(destination_addr="4512345678", short_message=b"one")),
    encode(SubmitSm(destination_addr="4587654321", short_message=b"two", sequence_number=77)),
]


def test_they_are_numbered_as_the_session_numbers_what_it_builds() -> None:
    esme, _ = bound(FakeClock())
    sequences, data = esme.send_encoded_submits(SUBMITS)
    assert sequences == [2, 3]  # the bind took 1
    written = [pdu for pdu in Framer().feed(data) if isinstance(pdu, SubmitSm)]
    assert [pdu.sequence_number for pdu in written] == [2, 3]
    assert [pdu.short_message for pdu in written] == [b"one", b"two"]
    # Byte for byte what send_many gives for the same PDUs, numbered alike.
    twin, _ = bound(FakeClock())
    assert twin.send_many(list(Framer().feed(b"".join(SUBMITS))))[1] == data
    assert esme.window_free == esme.window - 2


def test_their_answers_timeouts_and_loss_name_them_by_sequence_number() -> None:
    clock = FakeClock()
    esme, smsc = bound(clock)
    (answered, late), data = esme.send_encoded_submits(SUBMITS)
    smsc.receive_data(data)
    (event,) = esme.receive_data(smsc.send(SubmitSmResp(message_id="m1", sequence_number=answered)))
    assert isinstance(event, ResponseReceived)
    assert isinstance(event.request, SubmitSm) and event.request.sequence_number == answered
    clock.now += 31
    (timed_out,) = [e for e in esme.handle_timeout() if isinstance(e, ResponseTimedOut)]
    assert isinstance(timed_out.request, SubmitSm) and timed_out.request.sequence_number == late
    assert esme.window_free == esme.window
    (more,), _ = esme.send_encoded_submits(SUBMITS[:1])
    closed = esme.connection_lost()
    assert isinstance(closed, ConnectionClosed)
    assert [r.sequence_number for r in closed.unanswered if isinstance(r, SubmitSm)] == [more]


def test_a_window_that_cannot_take_them_all_takes_none() -> None:
    esme, _ = bound(FakeClock(), window=1)
    with pytest.raises(LocalProtocolError, match="do not fit the window") as caught:
        esme.send_encoded_submits(SUBMITS)
    assert caught.value.status == CommandStatus.ESME_RTHROTTLED
    assert esme.outstanding == 0 and esme.window_free == 1


def test_before_the_bind_they_are_refused() -> None:
    esme = Session(Role.ESME)
    with pytest.raises(LocalProtocolError, match="may not be sent in session state open") as caught:
        esme.send_encoded_submits(SUBMITS)
    assert caught.value.status == CommandStatus.ESME_RINVBNDSTS
    assert esme.outstanding == 0


@pytest.mark.parametrize(
    "pdu",
    [
        encode(EnquireLink()),  # not a submit_sm
        SUBMITS[0][:-1],  # cut short of its command_length
        SUBMITS[0] + b"\x00",  # longer than its command_length
        b"",
    ],
)
def test_anything_but_whole_submit_sm_is_refused_and_nothing_counts(pdu: bytes) -> None:
    esme, _ = bound(FakeClock())
    before = esme.last_sequence_number
    with pytest.raises(LocalProtocolError, match="one whole PDU") as caught:
        esme.send_encoded_submits([SUBMITS[0], pdu])
    assert caught.value.status == CommandStatus.ESME_RINVCMDLEN
    assert caught.value.field == "command_length"
    assert esme.outstanding == 0 and esme.last_sequence_number == before


@pytest.mark.parametrize(
    ("last", "outstanding", "expected"),
    [
        (0x7FFFFFFE, (), [0x7FFFFFFF, 1, 2]),  # wrapping to 1 after 0x7FFFFFFF
        (0x7FFFFFFD, (0x7FFFFFFF,), [0x7FFFFFFE, 1, 2]),  # and skipping one awaited
        (10, (12,), [11, 13, 14]),  # one awaited in the middle of the run
    ],
)
def test_they_are_numbered_as_next_sequence_numbers_them(
    last: int, outstanding: tuple[int, ...], expected: list[int]
) -> None:
    # SMPP 3.4 §5.1.4: 1..0x7FFFFFFF, wrapping to 1, and never a number that
    # still awaits its response.
    esme, _ = bound(FakeClock())
    for seq in outstanding:
        esme._requests.last = seq - 1
        esme.send_encoded_submits(SUBMITS[:1])
    esme._requests.last = last
    pdus = SUBMITS[:1] * 3
    sequences, data = esme.send_encoded_submits(pdus)
    assert sequences == expected
    assert [pdu.sequence_number for pdu in Framer().feed(data)] == expected
