"""An SMSC simulator that behaves like inMobile's, for tests and offline demos.

Built from the same codec and :class:`~smswire.smpp.session.Session` as the
client, on real sockets (TLS when given a server ``SSLContext``). It keeps a
record of every submit it accepted or refused, so a test can prove that no
message was lost or duplicated, and it injects the faults a sender must
survive: a TPS limit, random refusals, and inMobile's controlled restart.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import random
import ssl
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from smswire.encoding import segment
from smswire.errors import ProtocolError
from smswire.pdu import (
    BindReceiverResp,
    BindTransceiverResp,
    BindTransmitterResp,
    CommandId,
    CommandStatus,
    DeliverSm,
    Pdu,
    SubmitSmResp,
    Unbind,
)
from smswire.smpp.receipts import ESM_CLASS_DELIVERY_RECEIPT, is_receipt
from smswire.smpp.session import (
    DEFAULT_WINDOW,
    ConnectionClosed,
    Event,
    RequestReceived,
    ResponseReceived,
    Role,
    Session,
    SessionState,
    Unbound,
)
from smswire.smpp.userdata import ESM_CLASS_UDHI, decode_text, message_body, split_user_data

__all__ = ["ReceivedMessage", "RejectedSubmit", "SmscSimulator"]

_log = logging.getLogger("smswire.smpp.simulator")

# inMobile: "A typical restart of an SMPP server takes 2 seconds".
DEFAULT_RESTART_DOWNTIME = 2.0
# How long a closing session waits for the ESME's unbind_resp.
UNBIND_TIMEOUT = 1.0
# The system_id the simulator answers binds with.
SMSC_SYSTEM_ID = "smswire-sim"

_BIND_RESPONSES: dict[
    int, type[BindTransmitterResp] | type[BindReceiverResp] | type[BindTransceiverResp]
] = {
    CommandId.BIND_TRANSMITTER: BindTransmitterResp,
    CommandId.BIND_RECEIVER: BindReceiverResp,
    CommandId.BIND_TRANSCEIVER: BindTransceiverResp,
}


@dataclass(frozen=True)
class ReceivedMessage:
    """A message the simulator accepted, its parts reassembled.

    ``times_accepted`` is how often its most-submitted part was accepted: 1
    unless the sender resubmitted a part whose response was lost (or sent the
    very same text from the same source to the same destination again).
    """

    source: str
    destination: str
    text: str
    message_ids: tuple[str, ...]
    times_accepted: int
    parts: int
    data_coding: int
    complete: bool = True


@dataclass(frozen=True)
class RejectedSubmit:
    """A submit_sm the simulator answered with an error status."""

    source: str
    destination: str
    short_message: bytes
    status: CommandStatus


class _Record:
    __slots__ = (
        "counts",
        "data_coding",
        "destination",
        "ids",
        "payloads",
        "source",
        "total",
        "udh",
    )

    def __init__(
        self, source: str, destination: str, data_coding: int, total: int, udh: bytes = b""
    ) -> None:
        self.source = source
        self.destination = destination
        self.data_coding = data_coding
        self.total = total
        # Any part's UDH: each names the same national shift tables.
        self.udh = udh
        self.payloads: dict[int, bytes] = {}
        self.ids: dict[int, str] = {}
        self.counts: dict[int, int] = {}

    def snapshot(self) -> ReceivedMessage:
        complete = len(self.payloads) == self.total
        joined = b"".join(self.payloads[i] for i in sorted(self.payloads))
        try:
            text = decode_text(joined, self.data_coding, self.udh)
        except ValueError:
            text = joined.decode("latin-1")
        return ReceivedMessage(
            self.source,
            self.destination,
            text,
            tuple(self.ids[i] for i in sorted(self.ids)),
            max(self.counts.values()),
            self.total,
            self.data_coding,
            complete,
        )


class _SmscLink(asyncio.Protocol):
    def __init__(self, sim: SmscSimulator) -> None:
        self.sim = sim
        self.session = Session(
            Role.SMSC,
            window=sim.window,
            enquire_link_interval=None,
            response_timeout=None,
            clock=asyncio.get_running_loop().time,
        )
        self.transport: asyncio.Transport | None = None
        self.account: str | None = None
        self.closed = asyncio.get_running_loop().create_future()

    @property
    def receives(self) -> bool:
        return self.session.state in (SessionState.BOUND_RX, SessionState.BOUND_TRX)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.sim._links.add(self)

    def data_received(self, data: bytes) -> None:
        try:
            events = self.session.receive_data(data)
        except ProtocolError:
            self.write(self.session.data_to_send())
            self.abort()
            return
        self.sim._handle(self, events)

    def eof_received(self) -> bool | None:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.sim._links.discard(self)
        closed = self.session.connection_lost()
        self.sim._lost(self, closed)
        if not self.closed.done():
            self.closed.set_result(None)

    def write(self, data: bytes) -> None:
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class SmscSimulator:
    """An SMPP 3.4 SMSC on 127.0.0.1 that answers like inMobile's.

    ``accounts`` maps system_id to password (None accepts any); a test may
    change it while the simulator runs. ``tls`` is a
    server ``SSLContext`` (inMobile accepts only TLS). ``receipt_delay``:
    seconds until a receipt for a submit that asked for one (None: no
    receipts). ``tps_limit``: submits per second before ESME_RTHROTTLED.
    ``failure_rate``: the share of submits refused with ``failure_status``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        accounts: Mapping[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        receipt_delay: float | None = 0.0,
        receipt_state: str = "DELIVRD",
        tps_limit: int | None = None,
        failure_rate: float = 0.0,
        failure_status: CommandStatus = CommandStatus.ESME_RSYSERR,
        window: int = DEFAULT_WINDOW,
        seed: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.accounts = dict(accounts) if accounts is not None else None
        self._tls = tls
        self.receipt_delay = receipt_delay
        self.receipt_state = receipt_state
        self.tps_limit = tps_limit
        self.failure_rate = failure_rate
        self.failure_status = failure_status
        self.window = window
        self._rng = random.Random(seed)
        self._server: asyncio.AbstractServer | None = None
        self._links: set[_SmscLink] = set()
        # Receipts and MO messages waiting for a bound receiver, per account.
        self._pending: dict[str, collections.deque[DeliverSm]] = collections.defaultdict(
            collections.deque
        )
        # Receipts not yet due: (due, account, pdu), due times in order.
        self._due: collections.deque[tuple[float, str, DeliverSm]] = collections.deque()
        self._due_timer: asyncio.TimerHandle | None = None
        self._restarting = False
        self._losing = 0
        self._lost_all: asyncio.Event | None = None
        self._tps_window = 0.0
        self._tps_count = 0
        self._records: list[_Record] = []
        self._by_part: dict[tuple[str, str, int, bytes], tuple[_Record, int]] = {}
        self._open: dict[tuple[str, str, int, int], _Record] = {}
        self.rejected: list[RejectedSubmit] = []
        self.responses_lost = 0
        self.receipts_delivered = 0
        self.messages_delivered = 0
        self.binds = 0

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _SmscLink(self), self.host, self.port, ssl=self._tls
        )
        self.port = self._server.sockets[0].getsockname()[1]
        _log.info("SMSC simulator listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.abort()
        if self._due_timer is not None:
            self._due_timer.cancel()
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> SmscSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def restart(
        self, downtime: float = DEFAULT_RESTART_DOWNTIME, *, lose_responses: int = 0
    ) -> None:
        """Restart as inMobile does: refuse new submits, unbind, close, refuse binds.

        ``lose_responses``: accept that many submits more but never answer
        them, as a crash mid-write would, so a sender's resubmission is tested.
        """
        _log.info("SMSC simulator restarting for %s s", downtime)
        self._restarting = True
        if lose_responses:
            self._losing = lose_responses
            self._lost_all = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._lost_all.wait(), UNBIND_TIMEOUT)
            self._losing = 0
        links = list(self._links)
        for link in links:
            if link.session.bound:
                # inMobile: "clients will be sent an unbind message".
                link.write(link.session.send(Unbind()))
            else:
                link.close()
        if links:
            await asyncio.wait([link.closed for link in links], timeout=UNBIND_TIMEOUT)
        for link in links:
            link.abort()  # "Right after, the connection will be disconnected."
        await asyncio.sleep(downtime)
        self._restarting = False
        _log.info("SMSC simulator back up")

    # -- what a test reads -----------------------------------------------------

    @property
    def received(self) -> list[ReceivedMessage]:
        """Every accepted message in order of first acceptance, parts reassembled."""
        return [record.snapshot() for record in self._records]

    @property
    def connections(self) -> int:
        """ESME connections open now."""
        return len(self._links)

    @property
    def accepted_submits(self) -> int:
        """submit_sm accepted, resubmissions included."""
        return sum(sum(r.counts.values()) for r in self._records)

    @property
    def receipts_pending(self) -> int:
        """Receipts and MO messages not yet acknowledged by an ESME."""
        in_flight = sum(link.session.outstanding for link in self._links)
        return len(self._due) + sum(len(q) for q in self._pending.values()) + in_flight

    # -- mobile-originated messages --------------------------------------------

    def send_mo(
        self,
        source: str,
        destination: str,
        text: str,
        *,
        system_id: str,
        national: Iterable[str] = (),
    ) -> None:
        """Queue a mobile-originated message (segmented if long) for ``system_id``'s
        receivers, in the ``national`` language shift tables where they save a part."""
        for seg in segment(text, national=national):
            self._pending[system_id].append(
                DeliverSm(
                    source_addr_ton=1,
                    source_addr_npi=1,
                    source_addr=source,
                    destination_addr=destination,
                    esm_class=ESM_CLASS_UDHI if seg.udh else 0,
                    data_coding=seg.data_coding,
                    short_message=seg.udh + seg.payload,
                )
            )
        self._deliver(system_id)

    # -- protocol --------------------------------------------------------------

    def _handle(self, link: _SmscLink, events: list[Event]) -> None:
        session = link.session
        out: list[bytes] = []
        for event in events:
            if type(event) is RequestReceived:
                pdu = event.pdu
                command_id = pdu.command_id
                if command_id == CommandId.SUBMIT_SM:
                    response = self._submit(link, pdu)
                    if response is not None:
                        out.append(session.send(response))
                elif command_id in _BIND_RESPONSES:
                    out.append(session.send(self._bind(link, pdu)))
                else:
                    # inMobile supports bind, unbind, submit_sm, deliver_sm and
                    # enquire_link; the rest get ESME_RINVCMDID (SMPP 3.4 §5.1.3).
                    out.append(session.respond(pdu, CommandStatus.ESME_RINVCMDID))
            elif type(event) is ResponseReceived:
                if event.pdu.command_id == CommandId.DELIVER_SM_RESP:
                    request = event.request
                    if is_receipt(getattr(request, "esm_class", 0)):
                        self.receipts_delivered += 1
                    else:
                        self.messages_delivered += 1
            elif isinstance(event, Unbound):
                link.write(b"".join(out) + session.data_to_send())
                out.clear()
                link.close()
        out.append(session.data_to_send())
        link.write(b"".join(out))
        if link.account is not None and link.receives:
            self._deliver(link.account)

    def _bind(self, link: _SmscLink, pdu: Pdu) -> Pdu:
        response_class = _BIND_RESPONSES[pdu.command_id]
        system_id: str = getattr(pdu, "system_id", "")
        password: str = getattr(pdu, "password", "")
        status = CommandStatus.ESME_ROK
        if self._restarting:
            # inMobile: a bind during a restart gets "a generic ESME_RBINDFAIL reply".
            status = CommandStatus.ESME_RBINDFAIL
        elif self.accounts is not None:
            if system_id not in self.accounts:
                status = CommandStatus.ESME_RINVSYSID
            elif self.accounts[system_id] != password:
                status = CommandStatus.ESME_RINVPASWD
        if status == CommandStatus.ESME_ROK:
            link.account = system_id
            self.binds += 1
        _log.info("bind from system_id %r: %s", system_id, status.name)
        return response_class(
            system_id=SMSC_SYSTEM_ID, command_status=status, sequence_number=pdu.sequence_number
        )

    def _submit(self, link: _SmscLink, pdu: Pdu) -> Pdu | None:
        seq = pdu.sequence_number
        if self._restarting:
            if self._losing > 0:
                self._losing -= 1
                self.responses_lost += 1
                self._accept(link, pdu)
                if self._losing == 0 and self._lost_all is not None:
                    self._lost_all.set()
                return None
            # inMobile: "any newly sent submitSm-message will be rejected with ESME_RSUBMITFAIL".
            return self._reject(pdu, CommandStatus.ESME_RSUBMITFAIL)
        if self.tps_limit is not None:
            now = asyncio.get_running_loop().time()
            if now - self._tps_window >= 1.0:
                self._tps_window, self._tps_count = now, 0
            if self._tps_count >= self.tps_limit:
                return self._reject(pdu, CommandStatus.ESME_RTHROTTLED)
            self._tps_count += 1
        if self.failure_rate and self._rng.random() < self.failure_rate:
            return self._reject(pdu, self.failure_status)
        return SubmitSmResp(message_id=self._accept(link, pdu), sequence_number=seq)

    def _reject(self, pdu: Pdu, status: CommandStatus) -> Pdu:
        self.rejected.append(
            RejectedSubmit(
                getattr(pdu, "source_addr", ""),
                getattr(pdu, "destination_addr", ""),
                getattr(pdu, "short_message", b""),
                status,
            )
        )
        return SubmitSmResp(command_status=status, sequence_number=pdu.sequence_number)

    def _accept(self, link: _SmscLink, pdu: Pdu) -> str:
        # inMobile's message ids are UUIDs.
        message_id = str(uuid.uuid4())
        source: str = getattr(pdu, "source_addr", "")
        destination: str = getattr(pdu, "destination_addr", "")
        tlvs = tuple((tlv.tag, tlv.value) for tlv in getattr(pdu, "tlvs", ()))
        body = message_body(getattr(pdu, "short_message", b""), tlvs)
        data_coding: int = getattr(pdu, "data_coding", 0)
        part_key = (source, destination, data_coding, body)
        known = self._by_part.get(part_key)
        if known is not None:
            record, index = known
            record.counts[index] += 1
            record.ids[index] = message_id
        else:
            try:
                user_data = split_user_data(body, getattr(pdu, "esm_class", 0), tlvs)
            except ValueError:
                user_data = None
            if user_data is None or user_data.reference is None or user_data.total <= 1:
                udh = user_data.udh if user_data else b""
                record = _Record(source, destination, data_coding, 1, udh)
                index, payload = 1, user_data.payload if user_data else body
                self._records.append(record)
            else:
                group = (source, destination, user_data.reference, user_data.total)
                open_record = self._open.get(group)
                if open_record is None or user_data.index in open_record.payloads:
                    open_record = _Record(
                        source, destination, data_coding, user_data.total, user_data.udh
                    )
                    self._open[group] = open_record
                    self._records.append(open_record)
                record, index, payload = open_record, user_data.index, user_data.payload
                if len(record.payloads) + 1 == record.total:
                    del self._open[group]
            record.payloads[index] = payload
            record.ids[index] = message_id
            record.counts[index] = 1
            self._by_part[part_key] = (record, index)
        if self.receipt_delay is not None and getattr(pdu, "registered_delivery", 0) & 0x03:
            self._schedule_receipt(link.account or "", message_id, source, destination)
        return message_id

    # -- receipts --------------------------------------------------------------

    def _schedule_receipt(
        self, account: str, message_id: str, source: str, destination: str
    ) -> None:
        now = datetime.now(timezone.utc).strftime("%y%m%d%H%M")
        state = self.receipt_state
        # inMobile's format: err is the absolute value of its status code.
        text = (
            f"id:{message_id} sub:001 dlvrd:{'001' if state == 'DELIVRD' else '000'} "
            f"submit date:{now} done date:{now} stat:{state} err:000"
        )
        receipt = DeliverSm(
            source_addr=destination,
            destination_addr=source,
            esm_class=ESM_CLASS_DELIVERY_RECEIPT,
            short_message=text.encode("ascii"),
        )
        loop = asyncio.get_running_loop()
        assert self.receipt_delay is not None
        self._due.append((loop.time() + self.receipt_delay, account, receipt))
        if self._due_timer is None:
            self._due_timer = loop.call_at(self._due[0][0], self._release_due)

    def _release_due(self) -> None:
        self._due_timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        accounts = set()
        while self._due and self._due[0][0] <= now:
            _, account, receipt = self._due.popleft()
            self._pending[account].append(receipt)
            accounts.add(account)
        for account in accounts:
            self._deliver(account)
        if self._due:
            self._due_timer = loop.call_at(self._due[0][0], self._release_due)

    def _deliver(self, account: str) -> None:
        queue = self._pending.get(account)
        if not queue:
            return
        for link in list(self._links):
            if link.account != account or not link.receives or self._restarting:
                continue
            free = link.session.window_free
            if free <= 0:
                continue
            batch = [queue.popleft() for _ in range(min(free, len(queue)))]
            _, data = link.session.send_many(list(batch))
            link.write(data)
            if not queue:
                return

    def _lost(self, link: _SmscLink, closed: ConnectionClosed) -> None:
        # Receipts the ESME never acknowledged go out again on its next bind.
        if link.account is None:
            return
        unacknowledged = [pdu for pdu in closed.unanswered if isinstance(pdu, DeliverSm)]
        queue = self._pending[link.account]
        queue.extendleft(reversed(unacknowledged))
        if unacknowledged:
            self._deliver(link.account)
