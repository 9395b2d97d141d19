"""`smswire receive` against the SMPP simulator over TLS, and `smswire send` and
`send-csv` leaving receipts with the SMSC for it: nothing acknowledged before it
is written."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from smswire import AsyncSmppClient, Message
from smswire.sim import LocalAuthority
from smswire.smpp import SmscSimulator

from .support import PATIENCE, run_cli, start_cli

ACCOUNT, PASSWORD = "acme", "Pw0rd&x"


def _env(sim: SmscSimulator) -> dict[str, str]:
    return {
        "SMSWIRE_SMPP_URL": f"smpps://{ACCOUNT}@127.0.0.1:{sim.port}",
        "SMSWIRE_SMPP_PASSWORD": PASSWORD,
    }


async def _until(condition: object, what: str) -> None:
    async def wait() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(wait(), PATIENCE)
    except asyncio.TimeoutError:
        raise AssertionError(f"gave up waiting for {what}") from None


async def test_send_binds_as_transmitter_and_receive_then_takes_the_receipts(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    tls = authority.server_context()
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=tls, receipt_delay=0.0) as sim:
        env = _env(sim)
        ca = ("--ca-file", authority.ca_file)
        sent = await run_cli(
            "send", "+4746910001", "Hello", "--via", "smpp", "--source", "SHOP", *ca, "--json",
            env=env,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        message_id = json.loads(sent.stdout)["message_ids"][0]
        await _until(lambda: sim.receipts_pending == 1, "the receipt to be owed")
        # The sender bound as a transmitter: the receipt is still the SMSC's.
        assert sim.receipts_delivered == 0
        sim.send_mo("4746910002", "1919", "Stop", system_id=ACCOUNT)
        output = tmp_path / "inbound.jsonl"
        received = await run_cli("receive", *ca, "--output", output, "--count", "2", env=env)
        assert received.returncode == 0, received.stderr
        assert (sim.receipts_delivered, sim.messages_delivered) == (1, 1)
        binds = [connection.bind for connection in sim.record.connections]
    assert binds == ["transmitter", "receiver"]
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    by_type = {r["type"]: r for r in records}
    assert by_type.keys() == {"receipt", "message"} and len(records) == 2
    assert by_type["receipt"]["message_id"] == message_id
    assert by_type["receipt"]["state"] == "DELIVRD"
    assert (by_type["message"]["source"], by_type["message"]["text"]) == ("4746910002", "Stop")
    assert PASSWORD not in sent.stdout + sent.stderr + received.stdout + received.stderr


async def test_send_csv_binds_as_transmitter_and_leaves_the_accounts_receipts(
    authority: LocalAuthority, tmp_path: Path
) -> None:
    tls = authority.server_context()
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=tls, receipt_delay=0.0) as sim:
        # Another process's messages, whose receipts its receiver has yet to take.
        async with AsyncSmppClient(
            "127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD,
            tls=authority.ca_file, bind="transmitter",
        ) as other:  # fmt: skip
            sent = await other.send_many(
                [Message("+4746910001", f"other {i}", source="SHOP") for i in range(3)]
            )
        assert all(result.ok for result in sent)
        await _until(lambda: sim.receipts_pending == 3, "the other's receipts to be owed")
        campaign = tmp_path / "campaign.csv"
        campaign.write_text("destination,text\n+4746910002,Hello\n", encoding="utf-8")
        run = await run_cli(
            "send-csv", campaign, "--via", "smpp", "--source", "SHOP", "--ca-file",
            authority.ca_file, "--store", tmp_path / "outbox.db", "--out",
            tmp_path / "results.csv", env=_env(sim),
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        owed = lambda: sim.receipts_pending + sim.receipts_delivered  # noqa: E731
        await _until(lambda: owed() == 4, "the campaign's receipt to be owed")
        # None taken: the other's receipts, and the campaign's, wait for a receiver.
        assert (sim.receipts_pending, sim.receipts_delivered) == (4, 0)
        binds = [connection.bind for connection in sim.record.connections]
    assert binds == ["transmitter", "transmitter"]


async def test_receive_acknowledges_nothing_it_could_not_write(
    authority: LocalAuthority,
) -> None:
    tls = authority.server_context()
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=tls) as sim:
        # Every write to /dev/full fails (ENOSPC).
        process = await start_cli(
            "receive", "--ca-file", authority.ca_file, "--output", "/dev/full", env=_env(sim)
        )
        assert process.stderr is not None
        try:
            await asyncio.wait_for(process.stderr.readline(), PATIENCE)  # bound
            sim.send_mo("4746910003", "1919", "Yes", system_id=ACCOUNT)
            # The client says it refused it, for the SMSC to deliver again.
            refusal = b""
            while b"ESME_RX_T_APPN" not in refusal:
                refusal = await asyncio.wait_for(process.stderr.readline(), PATIENCE)
                assert refusal, "the receiver ended without refusing the message"
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), PATIENCE)
        assert sim.messages_delivered == 0
        assert sim.receipts_pending == 1  # the SMSC keeps it


async def test_send_can_still_bind_as_transceiver_when_asked(
    authority: LocalAuthority,
) -> None:
    tls = authority.server_context()
    async with SmscSimulator(accounts={ACCOUNT: PASSWORD}, tls=tls) as sim:
        run = await run_cli(
            "send", "+4746910001", "Hi", "--via", "smpp", "--source", "SHOP", "--bind",
            "transceiver", "--ca-file", authority.ca_file, env=_env(sim),
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert [connection.bind for connection in sim.record.connections] == ["transceiver"]
