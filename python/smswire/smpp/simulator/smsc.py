"""The SMSC simulator: its settings, its lifecycle, its restart, and what a test reads.

:class:`SmscSimulator` serves SMPP 3.4 on 127.0.0.1 the way inMobile's SMSC
does. Its parts: each connection is a :class:`~.link.SmscLink`; the SMSC's
decisions are its :class:`~.answers.Answers`; what it owes receivers is its
:class:`~.deliveries.Deliveries`; and everything it decides goes to its
:class:`~.journal.Journal`, read back as a :class:`~.record.SimulatorRecord`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from smswire.encoding import segment
from smswire.errors import ConfigurationError
from smswire.pdu import CommandStatus, DeliverSm
from smswire.smpp.session import DEFAULT_WINDOW
from smswire.smpp.simulator.answers import Answers
from smswire.smpp.simulator.deliveries import DEFAULT_REDELIVERY_DELAY, Deliveries
from smswire.smpp.simulator.inmobile import DEFAULT_RESTART_DOWNTIME
from smswire.smpp.simulator.journal import MOBILE_ORIGINATED, Journal
from smswire.smpp.simulator.link import (
    DEFAULT_BIND_TIMEOUT,
    DEFAULT_DELIVER_TIMEOUT,
    DEFAULT_IDLE_TIMEOUT,
    UNBIND_TIMEOUT,
    SmscLink,
)
from smswire.smpp.simulator.record import ReceivedMessage, RejectedSubmit, SimulatorRecord
from smswire.smpp.simulator.throttle import FailedBindLimit
from smswire.smpp.simulator.tls import ServerTls
from smswire.smpp.userdata import ESM_CLASS_UDHI

__all__ = ["SmscSimulator"]

_log = logging.getLogger("smswire.smpp.simulator")

_DEFAULT_FAILED_BINDS = FailedBindLimit()


class SmscSimulator:
    """An SMPP 3.4 SMSC on 127.0.0.1 that answers like inMobile's.

    ``accounts`` maps system_id to password (None accepts any); a test may
    change it while the simulator runs.

    ``tls``: True (the default: inMobile is TLS-only) mints a throw-away
    certificate authority and serves TLS with a certificate for 127.0.0.1 it
    issued; a client trusts :attr:`ca_file` (``SmppClient(..., tls=sim.ca_file)``)
    or uses :meth:`client_context`. ``ca_dir`` is where the CA's files go (by
    default a temporary directory, removed at :meth:`stop`). An ``SSLContext``
    is served as given; False serves plain TCP.

    ``record``: a file for the simulator's own durable record, appended to if it
    exists; None keeps it in memory, where it grows with the run (give a file
    for long runs: then nothing per message stays in memory once its receipt
    is acknowledged). Either way :attr:`record` reads it, and
    :meth:`SimulatorRecord.open` reads the file from any process.

    ``tps_limit``: at most this many submit_sm accepted per account (system_id,
    across all its binds) in any one-second interval; ``bind_tps_limit`` the same
    per bind. Beyond either, ESME_RTHROTTLED; refused submits do not count. The
    window slides (:class:`~.throttle.PerSecondCap`), so a client sending at
    exactly the limit is throttled now and then by network jitter, as by a real
    SMSC.

    ``receipt_delay``: seconds from acceptance to the receipt of a submit_sm
    that asked for one (None: no receipts); one receipt per submit_sm, so one
    per part of a long message; ``receipt_state`` is its stat. Receipts and
    mobile-originated messages (:meth:`send_mo`) wait for a receiver or
    transceiver of their account, go to its binds in turn, and are delivered
    again ``redelivery_delay`` seconds after an error response, after
    ``deliver_timeout`` without one, or at once when the connection is lost.

    ``failure_rate``: the share of submits refused with ``failure_status``.
    ``idle_timeout``, ``bind_timeout``: see :mod:`.link`. ``failed_binds``: how
    failed binds are throttled, per connection and per remote address.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        accounts: Mapping[str, str] | None = None,
        tls: ssl.SSLContext | bool = True,
        ca_dir: str | Path | None = None,
        record: str | Path | None = None,
        receipt_delay: float | None = 0.0,
        receipt_state: str = "DELIVRD",
        tps_limit: int | None = None,
        bind_tps_limit: int | None = None,
        failure_rate: float = 0.0,
        failure_status: CommandStatus = CommandStatus.ESME_RSYSERR,
        window: int = DEFAULT_WINDOW,
        seed: int | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        bind_timeout: float | None = DEFAULT_BIND_TIMEOUT,
        deliver_timeout: float | None = DEFAULT_DELIVER_TIMEOUT,
        redelivery_delay: float = DEFAULT_REDELIVERY_DELAY,
        failed_binds: FailedBindLimit = _DEFAULT_FAILED_BINDS,
    ) -> None:
        for name, cap in (("tps_limit", tps_limit), ("bind_tps_limit", bind_tps_limit)):
            if cap is not None and cap < 1:
                raise ConfigurationError(f"{name} must be at least 1 submit_sm a second, not {cap}")
        self.host = host
        self.port = port
        self.accounts = dict(accounts) if accounts is not None else None
        self.receipt_delay = receipt_delay
        self.receipt_state = receipt_state
        self.tps_limit = tps_limit
        self.bind_tps_limit = bind_tps_limit
        self.failure_rate = failure_rate
        self.failure_status = failure_status
        self.window = window
        self.idle_timeout = idle_timeout
        self.bind_timeout = bind_timeout
        self.deliver_timeout = deliver_timeout
        self.failed_binds = failed_binds
        self._tls = ServerTls(tls, ca_dir)
        self._server: asyncio.AbstractServer | None = None
        self._links: set[SmscLink] = set()
        self._link_numbers = 0
        self._reader: SimulatorRecord | None = None
        # The simulator's parts, which its connections use.
        self.journal = Journal(record)
        self.deliveries = Deliveries(self.journal, redelivery_delay=redelivery_delay)
        self.answers = Answers(self, seed)

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.journal.open()
        self.journal.write(Journal.run(loop.time(), self._settings()))
        self._server = await loop.create_server(
            self._new_link, self.host, self.port, ssl=self._tls.server_context()
        )
        self.port = self._server.sockets[0].getsockname()[1]
        scheme = "TLS" if self._tls.enabled else "plain TCP"
        _log.info("SMSC simulator listening on %s:%d (%s)", self.host, self.port, scheme)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        links = list(self._links)
        for link in links:
            link.abort()
        self.deliveries.stop()
        if links:
            # Each connection records its end before the record closes.
            await asyncio.wait([link.closed for link in links], timeout=UNBIND_TIMEOUT)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None
        self.journal.close()
        self._tls.close()

    async def __aenter__(self) -> SmscSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def _settings(self) -> dict[str, Any]:
        return {
            "tps_limit": self.tps_limit,
            "bind_tps_limit": self.bind_tps_limit,
            "receipt_delay": self.receipt_delay,
            "window": self.window,
        }

    @property
    def tls(self) -> bool:
        """Whether the simulator serves TLS."""
        return self._tls.enabled

    @property
    def ca_file(self) -> Path | None:
        """The minted CA's certificate (PEM) for clients to trust; None unless minted."""
        return self._tls.ca_file

    def client_context(self) -> ssl.SSLContext:
        """A client SSLContext that trusts the minted CA."""
        return self._tls.client_context()

    async def restart(
        self, downtime: float = DEFAULT_RESTART_DOWNTIME, *, lose_responses: int = 0
    ) -> None:
        """Restart as inMobile does: refuse new submits, unbind, close, refuse binds.

        ``lose_responses``: accept that many submits more but never answer
        them, as a crash mid-write would, so a sender's resubmission is tested.
        """
        _log.info("SMSC simulator restarting for %s s", downtime)
        answers = self.answers
        answers.restarting = True
        self.deliveries.paused = True
        if lose_responses:
            answers.losing = lose_responses
            answers.lost_all = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(answers.lost_all.wait(), UNBIND_TIMEOUT)
            answers.losing = 0
        links = list(self._links)
        for link in links:
            if link.session.bound:
                # inMobile: "clients will be sent an unbind message".
                link.unbind()
            else:
                link.close()
        if links:
            await asyncio.wait([link.closed for link in links], timeout=UNBIND_TIMEOUT)
        for link in links:
            link.abort()  # "Right after, the connection will be disconnected."
        await asyncio.sleep(downtime)
        answers.restarting = False
        self.deliveries.paused = False
        _log.info("SMSC simulator back up")

    # -- connections -----------------------------------------------------------

    def drop(self, number: int) -> None:
        """Cut ESME connection ``number`` (its :class:`~.record.Connection` in the
        record) as a network failure would: no unbind, the socket aborted."""
        for link in self._links:
            if link.number == number:
                link.abort()
                return
        raise ConfigurationError(f"no open ESME connection number {number}")

    @property
    def open_connections(self) -> list[int]:
        """The numbers of the ESME connections open now, oldest first."""
        return sorted(link.number for link in self._links)

    def _new_link(self) -> SmscLink:
        self._link_numbers += 1
        return SmscLink(self, self._link_numbers)

    def opened(self, link: SmscLink) -> None:
        self._links.add(link)

    def lost(self, link: SmscLink) -> None:
        self._links.discard(link)

    # -- what a test reads -----------------------------------------------------

    @property
    def record(self) -> SimulatorRecord:
        """The simulator's record, read up to now."""
        if self._reader is None:
            journal = self.journal
            if journal.path is not None:
                self._reader = SimulatorRecord.open(journal.path)
            else:
                self._reader = SimulatorRecord(lambda offset: bytes(journal.memory[offset:]))
        return self._reader.refresh()

    @property
    def record_path(self) -> Path | None:
        return self.journal.path

    @property
    def received(self) -> list[ReceivedMessage]:
        """Every accepted message in order of first acceptance, parts reassembled."""
        return self.record.messages()

    @property
    def rejected(self) -> list[RejectedSubmit]:
        """Every submit_sm refused, in order."""
        return [
            RejectedSubmit(s.source, s.destination, s.pdu.short_message, _status(s.status))
            for s in self.record.refused
        ]

    @property
    def accepted_submits(self) -> int:
        """submit_sm accepted, resubmissions included."""
        return self.answers.accepted

    @property
    def responses_lost(self) -> int:
        """submit_sm accepted and, on purpose, never answered (``restart(lose_responses=)``)."""
        return self.answers.responses_lost

    @property
    def binds(self) -> int:
        """Successful binds."""
        return self.answers.binds

    @property
    def connections(self) -> int:
        """ESME connections open now."""
        return len(self._links)

    @property
    def receipts_pending(self) -> int:
        """Receipts and MO messages not yet acknowledged by an ESME."""
        return self.deliveries.pending

    @property
    def receipts_delivered(self) -> int:
        """Receipts an ESME acknowledged."""
        return self.deliveries.acknowledged_receipts

    @property
    def messages_delivered(self) -> int:
        """Mobile-originated messages an ESME acknowledged."""
        return self.deliveries.acknowledged_messages

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
        """Owe ``system_id``'s receivers a mobile-originated message (segmented if
        long), in the ``national`` language shift tables where they save a part."""
        clock = asyncio.get_running_loop().time()
        records: list[bytes] = []
        for seg in segment(text, national=national):
            pdu = DeliverSm(
                source_addr_ton=1,
                source_addr_npi=1,
                source_addr=source,
                destination_addr=destination,
                esm_class=ESM_CLASS_UDHI if seg.udh else 0,
                data_coding=seg.data_coding,
                short_message=seg.udh + seg.payload,
            )
            self.deliveries.owe(system_id, pdu, MOBILE_ORIGINATED, "", clock, 0.0, records)
        self.journal.write(b"".join(records))
        self.deliveries.flush()


def _status(value: int) -> int:
    try:
        return CommandStatus(value)
    except ValueError:
        return value
