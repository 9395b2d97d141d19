"""One connection under a hostile or careless client: malformed PDUs, silence, no reading.

SMPP 3.4 §4.3 and §5.1.3: a PDU that cannot be read is answered with
generic_nack, a request whose body is bad with its own response carrying the
error status; either way the connection carries on, unless the framing
itself is lost (§3.2). §7.2: the session_init_timer and inactivity_timer end
connections that never bind or fall silent.
"""

from __future__ import annotations

import asyncio
import socket
import struct

import pytest

from smswire.pdu import (
    BindTransmitter,
    CommandId,
    CommandStatus,
    EnquireLink,
    GenericNack,
    SubmitSm,
    SubmitSmResp,
    Tlv,
    encode,
)
from smswire.smpp import SmscSimulator
from smswire.smpp.session import Unbound

from ..support import ACCOUNT, PASSWORD
from .support import RawEsme, eventually

# A submit_sm_resp with one of the simulator's UUIDs: header, 36 octets, NUL.
SUBMIT_SM_RESP_LENGTH = 16 + 36 + 1
# SMPP 3.4 §5.3.2.22-24: the SAR TLVs.
SAR_MSG_REF_NUM, SAR_TOTAL_SEGMENTS, SAR_SEGMENT_SEQNUM = 0x020C, 0x020E, 0x020F


async def bound(sim: SmscSimulator) -> RawEsme:
    esme = await RawEsme.connect(sim)
    assert await esme.bind() == CommandStatus.ESME_ROK
    return esme


async def test_an_empty_sar_tlv_gets_rinvparlen_and_the_connection_carries_on() -> None:
    empty_sar = (
        Tlv(SAR_MSG_REF_NUM, b""),
        Tlv(SAR_TOTAL_SEGMENTS, b""),
        Tlv(SAR_SEGMENT_SEQNUM, b""),
    )
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        refused = await esme.submit(tlvs=empty_sar)
        after = await esme.submit(short_message=b"next")
        esme.close()
    assert refused.command_status == CommandStatus.ESME_RINVPARLEN
    assert after.command_status == CommandStatus.ESME_ROK
    assert [m.text for m in sim.received] == ["next"]
    assert [s.status for s in sim.record.refused] == [CommandStatus.ESME_RINVPARLEN]


@pytest.mark.parametrize(
    ("tlvs", "status"),
    [
        (
            (Tlv(SAR_MSG_REF_NUM, b"\x00\x07"), Tlv(SAR_TOTAL_SEGMENTS, b"\x02")),
            CommandStatus.ESME_RMISSINGOPTPARAM,
        ),
        (
            (
                Tlv(SAR_MSG_REF_NUM, b"\x00\x07"),
                Tlv(SAR_TOTAL_SEGMENTS, b"\x02"),
                Tlv(SAR_SEGMENT_SEQNUM, b"\x03"),
            ),
            CommandStatus.ESME_RINVOPTPARAMVAL,
        ),
        (
            (
                Tlv(SAR_MSG_REF_NUM, b"\x00\x07"),
                Tlv(SAR_TOTAL_SEGMENTS, b"\x00"),
                Tlv(SAR_SEGMENT_SEQNUM, b"\x00"),
            ),
            CommandStatus.ESME_RINVOPTPARAMVAL,
        ),
        (
            (
                Tlv(SAR_MSG_REF_NUM, b"\x07"),
                Tlv(SAR_TOTAL_SEGMENTS, b"\x02"),
                Tlv(SAR_SEGMENT_SEQNUM, b"\x01"),
            ),
            CommandStatus.ESME_RINVPARLEN,
        ),
    ],
    ids=["one-missing", "segment-past-total", "zero-total", "short-reference"],
)
async def test_sar_tlvs_that_contradict_each_other_are_refused_by_name(
    tlvs: tuple[Tlv, ...], status: CommandStatus
) -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        assert (await esme.submit(tlvs=tlvs)).command_status == status
        assert (await esme.submit()).command_status == CommandStatus.ESME_ROK
        esme.close()


async def test_a_udh_longer_than_its_short_message_gets_rinvmsglen() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        # UDHI set; the UDHL says 5 octets of header follow, and only 2 do.
        response = await esme.submit(esm_class=0x40, short_message=b"\x05\x00\x03")
        assert (await esme.submit()).command_status == CommandStatus.ESME_ROK
        esme.close()
    assert response.command_status == CommandStatus.ESME_RINVMSGLEN


async def test_an_empty_destination_gets_rinvdstadr() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        response = await esme.submit(destination_addr="")
        esme.close()
    assert response.command_status == CommandStatus.ESME_RINVDSTADR
    assert sim.received == []


async def test_a_body_shorter_than_its_fields_gets_its_own_response_and_no_more() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        esme.send_raw(struct.pack(">IIII", 18, CommandId.SUBMIT_SM, 0, 41) + b"ab")
        data = await asyncio.wait_for(esme.reader.read(65536), 10)
        good = await esme.submit()
        esme.close()
    # SMPP 3.4 §4.3: the request's own response, with the error status.
    assert struct.unpack(">IIII", data[:16])[1:] == (
        SubmitSmResp.command_id,
        CommandStatus.ESME_RINVCMDLEN,
        41,
    )
    assert good.command_status == CommandStatus.ESME_ROK
    (refused,) = sim.record.refused_pdus
    assert (refused.command_id, refused.status) == (
        CommandId.SUBMIT_SM,
        CommandStatus.ESME_RINVCMDLEN,
    )
    assert "ends inside" in refused.reason


async def test_an_unknown_command_gets_generic_nack_and_the_connection_carries_on() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        esme.send_raw(struct.pack(">IIII", 16, 0x00000099, 0, 42))
        reader_data = await asyncio.wait_for(esme.reader.read(65536), 10)
        good = await esme.submit()
        esme.close()
    header = struct.unpack(">IIII", reader_data[:16])
    assert header[1:] == (GenericNack.command_id, CommandStatus.ESME_RINVCMDID, 42)
    assert good.command_status == CommandStatus.ESME_ROK


async def test_a_command_length_out_of_bounds_gets_generic_nack_then_the_end() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        # SMPP 3.4 §3.2: with command_length unusable there is nothing to frame by.
        esme.send_raw(struct.pack(">IIII", 0x7FFFFFFF, CommandId.SUBMIT_SM, 0, 43))
        data = await asyncio.wait_for(esme.reader.read(65536), 10)
        end = await asyncio.wait_for(esme.reader.read(65536), 10)
        esme.close()
    assert struct.unpack(">IIII", data[:16])[1:3] == (
        GenericNack.command_id,
        CommandStatus.ESME_RINVCMDLEN,
    )
    assert end == b""
    assert sim.connections == 0


async def test_a_submit_before_bind_gets_rinvbndsts() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await RawEsme.connect(sim)
        esme.send_raw(encode(SubmitSm(destination_addr="45", sequence_number=44)))
        data = await asyncio.wait_for(esme.reader.read(65536), 10)
        assert await esme.bind() == CommandStatus.ESME_ROK
        esme.close()
    assert struct.unpack(">IIII", data[:16])[1:] == (
        SubmitSmResp.command_id,
        CommandStatus.ESME_RINVBNDSTS,
        44,
    )
    assert sim.received == []


async def test_a_reused_sequence_number_still_gets_each_request_answered() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        twice = encode(SubmitSm(destination_addr="45", short_message=b"a", sequence_number=9))
        esme.send_raw(twice + twice)
        data = b""
        while len(data) < 2 * 53:
            data += await asyncio.wait_for(esme.reader.read(65536), 10)
        assert (await esme.submit()).command_status == CommandStatus.ESME_ROK
        esme.close()
    first, second = struct.unpack(">IIII", data[:16]), struct.unpack(">IIII", data[53:69])
    assert first[1:] == second[1:] == (SubmitSmResp.command_id, 0, 9)
    assert sim.accepted_submits == 3


async def test_a_failure_answering_one_request_is_that_requests_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with SmscSimulator(tls=False) as sim:
        submit = sim.answers.submit

        def broken_on_boom(link, pdu, *rest):  # type: ignore[no-untyped-def]
            if pdu.short_message == b"boom":
                raise KeyError("a bug in the simulator")
            return submit(link, pdu, *rest)

        monkeypatch.setattr(sim.answers, "submit", broken_on_boom)
        esme = await bound(sim)
        failed = await esme.submit(short_message=b"boom")
        fine = await esme.submit(short_message=b"fine")
        esme.close()
    assert failed.command_status == CommandStatus.ESME_RSYSERR
    assert fine.command_status == CommandStatus.ESME_ROK


async def test_a_connection_that_never_binds_is_closed_after_bind_timeout() -> None:
    async with SmscSimulator(tls=False, bind_timeout=0.2) as sim:
        esme = await RawEsme.connect(sim)
        await esme.closed(timeout=5)
        assert sim.connections == 0


async def test_an_idle_bound_connection_is_unbound_then_closed() -> None:
    async with SmscSimulator(tls=False, idle_timeout=0.3) as sim:
        esme = await bound(sim)
        # SMPP 3.4 §7.2 inactivity_timer: the SMSC unbinds, the ESME answers, it closes.
        assert await esme.next() == Unbound(by_peer=True)
        await esme.closed(timeout=5)
        assert sim.connections == 0


async def test_an_idle_connection_that_does_not_answer_the_unbind_is_closed_anyway() -> None:
    async with SmscSimulator(tls=False, idle_timeout=0.2) as sim:
        esme = await bound(sim)
        # Read nothing, answer nothing: the transport is still closed.
        assert await asyncio.wait_for(esme.reader.read(16), 5)  # the unbind
        assert await asyncio.wait_for(esme.reader.read(65536), 5) == b""
        await eventually(lambda: sim.connections == 0)


async def test_enquire_link_keeps_a_quiet_connection_open() -> None:
    async with SmscSimulator(tls=False, idle_timeout=1.0) as sim:
        esme = await bound(sim)
        for _ in range(5):
            await asyncio.sleep(0.3)
            esme.send(EnquireLink())
        # Answered (the session takes enquire_link_resp silently), never unbound.
        with pytest.raises(asyncio.TimeoutError):
            await esme.next(timeout=0.1)
        assert sim.connections == 1
        esme.close()


async def test_a_client_that_does_not_read_stops_being_read() -> None:
    # More responses than the kernel's buffers (up to 4 MiB of send buffer by
    # default on Linux, some 80,000 responses) and the transport's high-water
    # mark hold: the simulator must stop reading rather than buffer them all.
    total = 120_000
    template = encode(SubmitSm(destination_addr="45", short_message=b"x", sequence_number=1))
    requests = b"".join(
        template[:12] + struct.pack(">I", i + 1) + template[16:] for i in range(total)
    )
    async with SmscSimulator(tls=False, receipt_delay=None) as sim:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", sim.port))
        esme = RawEsme(*await asyncio.open_connection(sock=sock))
        assert await esme.bind() == CommandStatus.ESME_ROK
        esme.send_raw(requests)
        # Wait until the simulator stops taking requests (bounded), then look.
        counts = [-1, 0]
        while counts[-1] != counts[-2] and len(counts) < 40:
            await asyncio.sleep(0.25)
            counts.append(sim.accepted_submits)
        assert counts[-1] < total, "the simulator kept reading a client that does not read"
        buffered = 0
        while buffered < total * SUBMIT_SM_RESP_LENGTH:
            buffered += len(await asyncio.wait_for(esme.reader.read(1 << 20), 10))
        esme.close()
    assert sim.accepted_submits == total


async def test_binds_on_a_bound_connection_get_ralybnd() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        # The ESME's own session would refuse to send it: the bytes go raw.
        bind = BindTransmitter(system_id=ACCOUNT, password=PASSWORD, sequence_number=77)
        esme.send_raw(encode(bind))
        data = await asyncio.wait_for(esme.reader.read(65536), 10)
        assert struct.unpack(">IIII", data[:16])[2:] == (CommandStatus.ESME_RALYBND, 77)
        assert (await esme.submit()).command_status == CommandStatus.ESME_ROK
        esme.close()
    assert sim.binds == 1


async def test_the_record_notes_each_connections_end() -> None:
    async with SmscSimulator(tls=False) as sim:
        esme = await bound(sim)
        esme.close()
        await eventually(lambda: sim.connections == 0)
    (connection,) = sim.record.connections
    assert connection.system_id == ACCOUNT and connection.bind == "transceiver"
    assert connection.closed_at is not None and connection.closed_at >= connection.opened_at
