"""The simulator answers like the guide's endpoint (raw requests, no smswire client)."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from smswire.link import DeliveryReport, DeliveryReportReceiver, LinkSimulator, ReportFormat
from smswire.link.simulator import LINK_TLS12_CIPHERS, LINK_TLS13_CIPHERS
from smswire.tls import verifying_context

from .conftest import PASSWORD, PATIENCE, SERVICE_ID, USERNAME, Server, wait_until

_GOOD = {
    "ServiceId": str(SERVICE_ID),
    "Username": USERNAME,
    "Password": PASSWORD,
    "Source": "LINK",
    "Destination": "+4746910822",
    "Userdata": "Hello",
}


@pytest.fixture(scope="module")
def simulator_url() -> Iterator[str]:
    simulator = LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)
    with Server(simulator) as server:
        yield server.url


def _send(url: str, **changes: str | None) -> str:
    query = {k: v for k, v in {**_GOOD, **changes}.items() if v is not None}
    response = httpx.post(url, params=query)
    assert response.status_code == 200
    return response.text


def test_a_good_request_is_sent_with_a_message_id(simulator_url: str) -> None:
    code, description, message_id = _send(simulator_url).split(";")
    assert (code, description) == ("1000", "Sent (to operator)")
    assert message_id


def test_async_answers_1005_queued(simulator_url: str) -> None:
    assert _send(simulator_url, Async="true").startswith("1005;Queued;")


def test_message_ids_are_unique(simulator_url: str) -> None:
    ids = {_send(simulator_url).split(";")[2] for _ in range(20)}
    assert len(ids) == 20


@pytest.mark.parametrize(
    "bad",
    [
        {"Password": "wrong"},
        {"Username": "someone"},
        {"Username": "s\u00f6m\u00e9one"},
        {"ServiceId": "1"},
        {"Password": None},
    ],
)
def test_bad_credentials_get_the_configured_failure_code(
    simulator_url: str, bad: dict[str, str | None]
) -> None:
    assert _send(simulator_url, **bad) == "104;Configuration error"


@pytest.mark.parametrize(
    ("change", "answer"),
    [
        ({"Source": "Far too long a name"}, "2000;"),
        ({"Source": None}, "2000;"),
        ({"Destination": "LINK"}, "2108;"),
        ({"Userdata": ""}, "4003;"),
        ({"Userdata": "a" * 1378}, "4003;"),
        ({"Userdata": "\u4e2d" * 568}, "4003;"),
        ({"UserdataHeader": "0500"}, "4004;"),
        ({"UserdataHeader": "xyz"}, "4004;"),
        ({"Tariff": "10SEK"}, "4002;"),
        ({"Vat": "101"}, "4006;"),
        ({"Vat": "lots"}, "4006;"),
        ({"Vat": "\u0662\u0665"}, "4006;"),  # Arabic-Indic 25: only ASCII digits are digits
        ({"Async": "maybe"}, "0;"),
        ({"Source": "Shop\u4e2d"}, "2000;"),
        ({"Source": "\u00c5hl\u00e9ns Caf\u00e9s"}, "2000;"),  # 12 characters
        ({"Tariff": "NULL"}, "4002;"),
        ({"Tariff": ""}, "4002;"),
        # A 140-octet header fills the part: no room for the text beside it.
        ({"UserdataHeader": "8B" + "00" * 139}, "4004;"),
    ],
)
def test_invalid_input_gets_the_documented_code(
    simulator_url: str, change: dict[str, str | None], answer: str
) -> None:
    assert _send(simulator_url, **change).startswith(answer)


def test_optional_parameters_in_range_are_accepted(simulator_url: str) -> None:
    reply = _send(
        simulator_url,
        UserdataHeader="050003CC0201",
        ReferenceId="in-1",
        Tariff="SEK1000",
        Vat="25.0",
        ChargeOnly="false",
    )
    assert reply.startswith("1000;")


@pytest.mark.parametrize("source", ["Bl\u00f8k", "\u00c5hl\u00e9ns", "Caf\u00e9"])
def test_gsm_alphanumeric_sources_are_sent(simulator_url: str, source: str) -> None:
    assert _send(simulator_url, Source=source).startswith("1000;")


def test_tariff_null_is_bulk_as_the_guide_says(simulator_url: str) -> None:
    assert _send(simulator_url, Tariff="null").startswith("1000;")


def test_a_longer_alphanumeric_limit_is_the_simulators_to_set() -> None:
    simulator = LinkSimulator(
        service_id=SERVICE_ID, username=USERNAME, password=PASSWORD, alphanumeric_max=12
    )
    with Server(simulator) as server:
        assert _send(server.url, Source="\u00c5hl\u00e9ns Caf\u00e9s").startswith("1000;")


def test_only_post_is_served(simulator_url: str) -> None:
    response = httpx.get(simulator_url, params=_GOOD)
    assert response.status_code == 405


def test_a_header_is_counted_in_every_part_it_is_billed_and_reported_for() -> None:
    reports: list[DeliveryReport] = []
    lock = threading.Lock()

    def take(report: DeliveryReport) -> None:
        with lock:
            reports.append(report)

    with Server(DeliveryReportReceiver(take)) as receiver:
        simulator = LinkSimulator(
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            callback_url=f"http://127.0.0.1:{receiver.port}/dlr",
        )
        with Server(simulator) as server:
            _send(server.url, Userdata="x" * 160, UserdataHeader="050003CC0201")
            wait_until(lambda: len(reports) == 2, what="two reports")
    assert [m.segments for m in simulator.accepted] == [2]
    assert sorted(r.part for r in reports if r.part is not None) == [0, 1]


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_a_report_per_part_in_each_format(fmt: ReportFormat) -> None:
    reports: list[DeliveryReport] = []
    lock = threading.Lock()

    def take(report: DeliveryReport) -> None:
        with lock:
            reports.append(report)

    with Server(DeliveryReportReceiver(take)) as receiver:
        simulator = LinkSimulator(
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            callback_url=f"http://127.0.0.1:{receiver.port}/dlr",
            report_format=fmt,
        )
        with Server(simulator) as server:
            reply = _send(server.url, Userdata="x" * 400, ReferenceId="ref-7")
            message_id = reply.split(";")[2]
            wait_until(lambda: len(reports) == 3, what="three reports")
    assert sorted((r.message_id, r.part) for r in reports) == [(message_id, n) for n in range(3)]
    assert {(r.segments, r.ref_id, r.source, r.destination) for r in reports} == {
        (3, "ref-7", "LINK", "+4746910822")
    }
    assert all(r.result_code.delivered for r in reports)


def test_injected_failures_and_retried_reports() -> None:
    reports: list[DeliveryReport] = []
    refusals = [2]

    def flaky(report: DeliveryReport) -> None:
        if refusals[0]:
            refusals[0] -= 1
            raise RuntimeError("not now")
        reports.append(report)

    with Server(DeliveryReportReceiver(flaky, response_body="ACK")) as receiver:
        simulator = LinkSimulator(
            service_id=SERVICE_ID,
            username=USERNAME,
            password=PASSWORD,
            callback_url=f"http://127.0.0.1:{receiver.port}/",
            report_ack_body="ACK",
            report_retry_interval=0.01,
            unknown_subscriber_share=0.5,
            not_delivered_share=0.5,
            seed=7,
        )
        with Server(simulator) as server:
            for _ in range(10):
                _send(server.url)
            wait_until(lambda: len(reports) == 10, what="ten reports")
    codes = {int(r.result_code) for r in reports}
    assert codes == {1006, 2104}
    assert simulator.reports_delivered == 10


def test_the_record_of_accepted_messages_holds_no_credentials() -> None:
    simulator = LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)
    with Server(simulator) as server:
        _send(server.url)
    assert len(simulator.accepted) == 1
    assert PASSWORD not in repr(simulator.accepted) and PASSWORD not in repr(simulator)


# --- TLS: exactly what the guide lists (# LINK guide: Appendix 2) ---

# The suites the guide says were removed on 2025-10-15, by OpenSSL name.
_REMOVED_CBC = (
    "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:"
    "AES256-SHA256:AES128-SHA256"
)
_REMOVED_DHE = "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"


@pytest.fixture(scope="module")
def tls_port(server_tls: tuple[Path, Path]) -> Iterator[int]:
    simulator = LinkSimulator(service_id=SERVICE_ID, username=USERNAME, password=PASSWORD)
    with Server(simulator, tls=server_tls) as server:
        yield server.port


def _handshake(port: int, context: ssl.SSLContext) -> tuple[str, str, bytes]:
    """(TLS version, cipher, the server's certificate) of one real handshake."""
    with (
        socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        version, cipher = tls.version(), tls.cipher()
        certificate = tls.getpeercert(binary_form=True)
        assert version is not None and cipher is not None and certificate is not None
        return version, cipher[0], certificate


def _tls12_only(client_tls: ssl.SSLContext, ciphers: str) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.load_verify_locations(cadata=_trusted(client_tls))
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(ciphers)
    return context


def _trusted(client_tls: ssl.SSLContext) -> str:
    return "".join(
        ssl.DER_cert_to_PEM_cert(der) for der in client_tls.get_ca_certs(binary_form=True)
    )


def test_the_link_clients_default_tls_negotiates_tls13_with_a_listed_suite(
    tls_port: int, client_tls: ssl.SSLContext
) -> None:
    version, cipher, _ = _handshake(tls_port, verifying_context(client_tls))
    assert version == "TLSv1.3" and cipher in LINK_TLS13_CIPHERS


def test_a_default_client_held_to_tls12_negotiates_an_ecdhe_rsa_aead_suite(
    tls_port: int, client_tls: ssl.SSLContext
) -> None:
    context = _tls12_only(client_tls, "DEFAULT")
    version, cipher, certificate = _handshake(tls_port, context)
    assert version == "TLSv1.2" and cipher in LINK_TLS12_CIPHERS.split(":")
    # ECDHE-RSA needs an RSA certificate: an ECDSA one negotiates none of the guide's suites.
    key = x509.load_der_x509_certificate(certificate).public_key()
    assert isinstance(key, rsa.RSAPublicKey)


@pytest.mark.parametrize(
    "suite",
    # 0xc02f, 0xc030, 0xcca8 (the guide misprints the last as 0xccaa8).
    ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"],
)
def test_each_listed_tls12_suite_is_offered(
    tls_port: int, client_tls: ssl.SSLContext, suite: str
) -> None:
    assert _handshake(tls_port, _tls12_only(client_tls, suite))[:2] == ("TLSv1.2", suite)


@pytest.mark.parametrize("removed", [_REMOVED_CBC, _REMOVED_DHE], ids=["CBC", "DHE"])
def test_a_client_offering_only_removed_suites_is_refused(
    tls_port: int, client_tls: ssl.SSLContext, removed: str
) -> None:
    # The server hangs up mid-handshake (asyncio sends no alert; the client sees
    # an EOF or a reset), so the reason
    # is shown by contrast: the same client, with one listed suite added, gets
    # exactly that one.
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _handshake(tls_port, _tls12_only(client_tls, removed))
    listed = "ECDHE-RSA-AES128-GCM-SHA256"
    assert _handshake(tls_port, _tls12_only(client_tls, f"{removed}:{listed}"))[1] == listed
