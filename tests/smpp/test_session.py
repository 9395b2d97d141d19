"""The sans-I/O session against SMPP 3.4 §2 and §4, on a fake clock, without sockets."""

from __future__ import annotations

import struct

import pytest

from smswire.errors import LocalProtocolError, RemoteProtocolError
from smswire.pdu import (
    BindTransceiver,
    BindTransceiverResp,
    BindTransmitter,
    BindTransmitterResp,
    CommandId,
    CommandStatus,
    DataSm,
    DataSmResp,
    DeliverSm,
    DeliverSmResp,
    EnquireLink,
    EnquireLinkResp,
    Framer,
    GenericNack,
    SubmitSm,
    SubmitSmResp,
    Unbind,
    UnbindResp,
    encode,
)
from smswire.smpp.session import (
    MAX_SEQUENCE_NUMBER,
    ConnectionClosed,
    InactivityTimeout,
    PduRejected,
    RequestReceived,
    ResponseReceived,
    ResponseTimedOut,
    Role,
    Session,
    SessionState,
    Unbound,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def decode_all(data: bytes) -> list[object]:
    return list(Framer().feed(data))


def pair(clock: FakeClock, **esme_options: object) -> tuple[Session, Session]:
    esme = Session(Role.ESME, clock=clock, **esme_options)
    smsc = Session(Role.SMSC, clock=clock, enquire_link_interval=None)
    return esme, smsc


def bind(esme: Session, smsc: Session) -> None:
    (request,) = smsc.receive_data(esme.send(BindTransceiver(system_id="u", password="p")))
    assert isinstance(request, RequestReceived)
    seq = request.pdu.sequence_number
    esme.receive_data(smsc.send(BindTransceiverResp(system_id="s", sequence_number=seq)))


def test_bind_response_with_rok_moves_both_sides_to_bound_trx() -> None:
    esme, smsc = pair(FakeClock())
    assert esme.state is SessionState.OPEN
    bind(esme, smsc)
    assert esme.state is SessionState.BOUND_TRX
    assert smsc.state is SessionState.BOUND_TRX


def test_bind_refused_leaves_the_session_open() -> None:
    esme, smsc = pair(FakeClock())
    (request,) = smsc.receive_data(esme.send(BindTransmitter(system_id="u", password="x")))
    assert isinstance(request, RequestReceived)
    refusal = BindTransmitterResp(
        command_status=CommandStatus.ESME_RINVPASWD,
        sequence_number=request.pdu.sequence_number,
    )
    (event,) = esme.receive_data(smsc.send(refusal))
    assert isinstance(event, ResponseReceived)
    assert event.pdu.command_status == CommandStatus.ESME_RINVPASWD
    assert esme.state is SessionState.OPEN
    assert smsc.state is SessionState.OPEN


def test_submit_sm_before_bind_is_refused_locally() -> None:
    esme, _ = pair(FakeClock())
    with pytest.raises(LocalProtocolError) as caught:
        esme.send(SubmitSm(destination_addr="4512345678"))
    assert caught.value.status == CommandStatus.ESME_RINVBNDSTS


def test_submit_sm_received_before_bind_is_answered_with_rinvbndsts() -> None:
    smsc = Session(Role.SMSC, clock=FakeClock())
    events = smsc.receive_data(encode(SubmitSm(sequence_number=7)))
    assert events == []
    (answer,) = decode_all(smsc.data_to_send())
    assert isinstance(answer, SubmitSmResp)
    assert answer.sequence_number == 7
    assert answer.command_status == CommandStatus.ESME_RINVBNDSTS


def test_second_bind_on_a_bound_session_is_answered_with_ralybnd() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    smsc.receive_data(encode(BindTransceiver(system_id="u", sequence_number=9)))
    (answer,) = decode_all(smsc.data_to_send())
    assert isinstance(answer, BindTransceiverResp)
    assert answer.command_status == CommandStatus.ESME_RALYBND


def test_deliver_sm_to_a_transmitter_is_answered_with_rinvbndsts() -> None:
    clock = FakeClock()
    esme = Session(Role.ESME, clock=clock)
    smsc = Session(Role.SMSC, clock=clock)
    (request,) = smsc.receive_data(esme.send(BindTransmitter(system_id="u")))
    esme.receive_data(smsc.send(BindTransmitterResp(sequence_number=request.pdu.sequence_number)))
    assert esme.state is SessionState.BOUND_TX
    assert esme.receive_data(encode(DeliverSm(sequence_number=3))) == []
    (answer,) = decode_all(esme.data_to_send())
    assert isinstance(answer, DeliverSmResp)
    assert answer.command_status == CommandStatus.ESME_RINVBNDSTS


def test_sequence_numbers_start_at_one_and_increase() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    sent, _ = esme.send_many([SubmitSm(), SubmitSm(), SubmitSm()])
    assert [p.sequence_number for p in sent] == [2, 3, 4]


def test_sequence_numbers_wrap_to_one_after_0x7fffffff_skipping_those_in_use() -> None:
    esme, smsc = pair(FakeClock(), window=10)
    bind(esme, smsc)
    esme.send_many([SubmitSm()])  # sequence 2 stays outstanding
    esme._requests.last = MAX_SEQUENCE_NUMBER - 1
    wrapped, _ = esme.send_many([SubmitSm(), SubmitSm(), SubmitSm()])
    assert [p.sequence_number for p in wrapped] == [MAX_SEQUENCE_NUMBER, 1, 3]


def test_responses_are_matched_to_their_requests_in_any_order() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    _, data = esme.send_many([SubmitSm(destination_addr="1"), SubmitSm(destination_addr="2")])
    requests = smsc.receive_data(data)
    answers = b"".join(
        smsc.send(
            SubmitSmResp(
                message_id=f"id-{e.pdu.destination_addr}", sequence_number=e.pdu.sequence_number
            )
        )
        for e in reversed(requests)
    )
    events = esme.receive_data(answers)
    matched = {e.request.destination_addr: e.pdu.message_id for e in events}
    assert matched == {"1": "id-1", "2": "id-2"}
    assert esme.outstanding == 0


def test_the_window_caps_requests_awaiting_a_response() -> None:
    esme, smsc = pair(FakeClock(), window=2)
    bind(esme, smsc)
    esme.send(SubmitSm())
    assert esme.window_free == 1
    with pytest.raises(LocalProtocolError) as caught:
        esme.send_many([SubmitSm(), SubmitSm()])
    assert caught.value.field == "window"
    assert esme.window_free == 1, "a refused batch takes no room"
    esme.send(SubmitSm())
    with pytest.raises(LocalProtocolError):
        esme.send(SubmitSm())
    # Control requests are not windowed: a full window can still probe the link.
    esme.send(EnquireLink())


def test_a_response_frees_its_place_in_the_window() -> None:
    esme, smsc = pair(FakeClock(), window=1)
    bind(esme, smsc)
    (request,) = smsc.receive_data(esme.send(SubmitSm()))
    esme.receive_data(smsc.send(SubmitSmResp(sequence_number=request.pdu.sequence_number)))
    assert esme.window_free == 1


def test_enquire_link_from_the_peer_is_answered_even_before_bind() -> None:
    esme = Session(Role.ESME, clock=FakeClock())
    assert esme.receive_data(encode(EnquireLink(sequence_number=42))) == []
    (answer,) = decode_all(esme.data_to_send())
    assert isinstance(answer, EnquireLinkResp)
    assert answer.sequence_number == 42


def test_enquire_link_is_sent_after_the_interval_of_silence() -> None:
    clock = FakeClock()
    esme, smsc = pair(clock, enquire_link_interval=30.0)
    bind(esme, smsc)
    assert esme.next_deadline() == clock.now + 30.0
    clock.now += 29.0
    assert esme.handle_timeout() == []
    assert esme.data_to_send() == b""
    clock.now += 1.0
    assert esme.handle_timeout() == []
    (probe,) = decode_all(esme.data_to_send())
    assert isinstance(probe, EnquireLink)
    # The SMSC answers, which nobody needs to hear about.
    smsc.receive_data(encode(probe))
    assert esme.receive_data(smsc.data_to_send()) == []
    assert esme.outstanding == 0


def test_unanswered_enquire_link_times_out() -> None:
    clock = FakeClock()
    esme, smsc = pair(clock, enquire_link_interval=30.0, response_timeout=10.0)
    bind(esme, smsc)
    clock.now += 30.0
    esme.handle_timeout()
    esme.data_to_send()
    clock.now += 10.0
    (event,) = esme.handle_timeout()
    assert isinstance(event, ResponseTimedOut)
    assert event.request.command_id == CommandId.ENQUIRE_LINK


def test_response_timeout_reports_the_request_frees_the_window_and_drops_a_late_answer() -> None:
    clock = FakeClock()
    esme, smsc = pair(clock, response_timeout=5.0, enquire_link_interval=None, window=1)
    bind(esme, smsc)
    (request,) = smsc.receive_data(esme.send(SubmitSm(destination_addr="99")))
    assert esme.next_deadline() == clock.now + 5.0
    clock.now += 5.0
    (event,) = esme.handle_timeout()
    assert isinstance(event, ResponseTimedOut)
    assert event.request.destination_addr == "99"
    assert esme.window_free == 1
    late = smsc.send(SubmitSmResp(sequence_number=request.pdu.sequence_number))
    assert esme.receive_data(late) == []


def test_unbind_from_the_peer_is_answered_and_leaves_the_bound_state() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    (event,) = esme.receive_data(smsc.send(Unbind()))
    assert event == Unbound(by_peer=True)
    assert esme.state is SessionState.UNBOUND
    (answer,) = decode_all(esme.data_to_send())
    assert isinstance(answer, UnbindResp)
    with pytest.raises(LocalProtocolError):
        esme.send(SubmitSm())


def test_requests_in_flight_when_the_smsc_unbinds_still_reach_it() -> None:
    # inMobile answers submits that cross its unbind with ESME_RSUBMITFAIL:
    # the SMSC session must let them through to be answered.
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    crossing = esme.send(SubmitSm())
    esme.receive_data(smsc.send(Unbind()))
    (request,) = smsc.receive_data(crossing)
    assert isinstance(request, RequestReceived)
    answer = SubmitSmResp(
        command_status=CommandStatus.ESME_RSUBMITFAIL,
        sequence_number=request.pdu.sequence_number,
    )
    (event,) = esme.receive_data(smsc.send(answer))
    assert isinstance(event, ResponseReceived)
    assert event.pdu.command_status == CommandStatus.ESME_RSUBMITFAIL


def test_our_unbind_answered_reports_unbound() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    smsc.receive_data(esme.send(Unbind()))
    events = esme.receive_data(smsc.data_to_send())
    assert isinstance(events[0], ResponseReceived)
    assert events[1] == Unbound(by_peer=False)


def test_an_undecodable_request_is_answered_and_reading_goes_on() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    # SMPP 3.4 §4.3: an unknown command_id is answered with generic_nack.
    unknown = struct.pack(">IIII", 16, 0x00000099, 0, 5)
    events = smsc.receive_data(unknown + esme.send(SubmitSm()))
    assert isinstance(events[0], PduRejected)
    # The peer's fault, not ours.
    assert isinstance(events[0].error, RemoteProtocolError)
    assert not isinstance(events[0].error, LocalProtocolError)
    assert isinstance(events[1], RequestReceived)
    (nack,) = decode_all(smsc.data_to_send())
    assert isinstance(nack, GenericNack)
    assert nack.sequence_number == 5
    assert nack.command_status == CommandStatus.ESME_RINVCMDID


def test_a_command_length_out_of_bounds_is_fatal() -> None:
    smsc = Session(Role.SMSC, clock=FakeClock())
    with pytest.raises(RemoteProtocolError) as caught:
        smsc.receive_data(struct.pack(">IIII", 8, 4, 0, 1))
    assert caught.value.status == CommandStatus.ESME_RINVCMDLEN
    assert smsc.state is SessionState.CLOSED
    (nack,) = decode_all(smsc.data_to_send())
    assert isinstance(nack, GenericNack)


def test_a_body_shorter_than_its_fields_fails_that_request_alone() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    # command_length is within bounds, but the body ends inside service_type.
    short = struct.pack(">IIII", 18, CommandId.SUBMIT_SM, 0, 7) + b"ab"
    events = smsc.receive_data(short + esme.send(SubmitSm(destination_addr="45")))
    assert isinstance(events[0], PduRejected)
    assert isinstance(events[1], RequestReceived)
    assert smsc.state is SessionState.BOUND_TRX
    (response,) = decode_all(smsc.data_to_send())
    assert isinstance(response, SubmitSmResp)
    assert (response.sequence_number, response.command_status) == (
        7,
        CommandStatus.ESME_RINVCMDLEN,
    )


def test_pdus_split_across_reads_are_reassembled() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    _, data = esme.send_many([SubmitSm(destination_addr=str(i)) for i in range(5)])
    events = []
    for i in range(0, len(data), 7):
        events += smsc.receive_data(data[i : i + 7])
    assert [e.pdu.destination_addr for e in events] == ["0", "1", "2", "3", "4"]


def test_connection_lost_reports_every_unanswered_request() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    esme.send_many([SubmitSm(destination_addr="a"), SubmitSm(destination_addr="b")])
    (event,) = esme.receive_data(b"")
    assert isinstance(event, ConnectionClosed)
    assert [p.destination_addr for p in event.unanswered] == ["a", "b"]
    assert esme.state is SessionState.CLOSED
    with pytest.raises(LocalProtocolError):
        esme.send(SubmitSm())


def test_inactivity_timeout_is_reported_after_silence() -> None:
    clock = FakeClock()
    smsc = Session(Role.SMSC, clock=clock, inactivity_timeout=60.0, enquire_link_interval=None)
    assert smsc.next_deadline() == clock.now + 60.0
    clock.now += 60.0
    (event,) = smsc.handle_timeout()
    assert isinstance(event, InactivityTimeout)
    assert event.idle == 60.0


def test_a_response_must_answer_a_request_of_the_peer() -> None:
    smsc = Session(Role.SMSC, clock=FakeClock())
    with pytest.raises(LocalProtocolError) as caught:
        smsc.send(DeliverSmResp(sequence_number=77))
    assert caught.value.field == "sequence_number"


def test_a_deliver_sm_is_answered_with_its_own_sequence_number() -> None:
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    sent, data = smsc.send_many([DeliverSm(short_message=b"MO")])
    (event,) = esme.receive_data(data)
    assert isinstance(event, RequestReceived)
    (answer,) = decode_all(esme.respond(event.pdu))
    assert isinstance(answer, DeliverSmResp)
    assert answer.sequence_number == sent[0].sequence_number
    assert answer.command_status == CommandStatus.ESME_ROK
    (ack,) = smsc.receive_data(encode(answer))
    assert isinstance(ack, ResponseReceived)


@pytest.mark.parametrize("request_class", [DeliverSm, DataSm])
@pytest.mark.parametrize("status", [0, CommandStatus.ESME_RX_T_APPN, 0xFFFFFFFF])
def test_a_delivery_is_answered_with_the_codecs_bytes_once(
    request_class: type[DeliverSm] | type[DataSm], status: int
) -> None:
    # respond() writes these two responses without the codec (their body never
    # varies); the bytes must be what the codec gives, and a second answer to
    # the same request is refused as any response that answers nothing.
    esme, smsc = pair(FakeClock())
    bind(esme, smsc)
    smsc_sent, data = smsc.send_many([request_class(), request_class()])
    events = esme.receive_data(data)
    for event, request in zip(events, smsc_sent):
        assert isinstance(event, RequestReceived)
        response_class = DeliverSmResp if request_class is DeliverSm else DataSmResp
        expected = encode(
            response_class(command_status=status, sequence_number=request.sequence_number)
        )
        assert esme.respond(event.pdu, status) == expected
        with pytest.raises(LocalProtocolError) as caught:
            esme.respond(event.pdu, status)
        assert caught.value.field == "sequence_number"


def test_a_pdu_that_cannot_be_encoded_is_refused_and_counts_for_nothing() -> None:
    esme, smsc = pair(FakeClock(), window=4)
    bind(esme, smsc)
    too_long = SubmitSm(service_type="ABCDEFG")  # SMPP 3.4 §5.2.11: at most 5 octets
    with pytest.raises(LocalProtocolError) as caught:
        esme.send_many([SubmitSm(destination_addr="1"), too_long])
    assert caught.value.field == "service_type"
    with pytest.raises(LocalProtocolError):
        esme.send(too_long)
    # Nothing of either batch awaits a response that cannot come.
    assert (esme.window_free, esme.outstanding) == (4, 0)
    assert esme.next_deadline() is None or esme.next_deadline() != float("inf")
