"""smpplib's client (the common pure-Python ESME) against our simulator over TLS."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path
from typing import Any

import pytest
import trustme

from smswire.smpp import SmscSimulator

smpplib_client = pytest.importorskip("smpplib.client")
smpplib_gsm = pytest.importorskip("smpplib.gsm")
smpplib_consts = pytest.importorskip("smpplib.consts")

ACCOUNT, PASSWORD = "smpplib", "pw"


def run_smpplib(port: int, ca_file: Path, texts: list[str]) -> tuple[list[str], list[bytes]]:
    """Bind, submit each text (split by smpplib), read every response and receipt, unbind."""
    context = ssl.create_default_context(cafile=str(ca_file))
    # smpplib wraps its socket without server_hostname; the chain is still verified.
    context.check_hostname = False
    client = smpplib_client.Client(
        "127.0.0.1", port, ssl_context=context, timeout=10, allow_unknown_opt_params=True
    )
    sent: list[str] = []
    receipts: list[bytes] = []

    def on_sent(pdu: Any) -> None:
        sent.append(pdu.message_id.decode())

    def on_received(pdu: Any) -> None:
        receipts.append(pdu.short_message)

    client.set_message_sent_handler(on_sent)
    client.set_message_received_handler(on_received)
    client.connect()
    client.bind_transceiver(system_id=ACCOUNT, password=PASSWORD)
    parts_sent = 0
    for text in texts:
        parts, encoding, esm_class = smpplib_gsm.make_parts(text)
        for part in parts:
            client.send_message(
                source_addr_ton=smpplib_consts.SMPP_TON_ALNUM,
                source_addr="Acme",
                dest_addr_ton=smpplib_consts.SMPP_TON_INTL,
                destination_addr="4512345678",
                short_message=part,
                data_coding=encoding,
                esm_class=esm_class,
                registered_delivery=True,
            )
            parts_sent += 1
    while len(sent) < parts_sent or len(receipts) < parts_sent:
        client.read_once()
    client.unbind()
    client.disconnect()
    return sent, receipts


async def test_smpplib_submits_over_tls_and_gets_every_receipt(
    tmp_path: Path,
) -> None:
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    texts = ["Hello from smpplib", "Grüße aus Köln", "Ελληνικά και 中文", "part " * 70]
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=server_tls) as sim:
        sent, receipts = await asyncio.to_thread(run_smpplib, sim.port, ca_file, texts)
        await asyncio.sleep(0.05)  # the unbind reaches the simulator
    assert sorted(m.text for m in sim.received) == sorted(texts)
    ids = {i for m in sim.received for i in m.message_ids}
    assert set(sent) == ids
    assert {r.split()[0].decode().removeprefix("id:") for r in receipts} == ids
    assert all(b"stat:DELIVRD" in r for r in receipts)
