"""``smswire simulate smpp``: the simulator from the command line, over TLS unless
asked otherwise, as inMobile accepts nothing else."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from smswire.cli import main
from smswire.smpp import AsyncSmppClient

CLI = [sys.executable, "-c", "import sys; from smswire.cli import main; sys.exit(main())"]


async def test_simulate_smpp_serves_tls_with_a_minted_ca(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    env = dict(os.environ, SMSWIRE_SMPP_PASSWORD="pw")
    # No --tls: TLS is the default, as inMobile serves nothing else.
    process = await asyncio.create_subprocess_exec(
        *CLI,
        *("simulate", "smpp", "--port", "0", "--ca-out", str(ca_file)),
        *("--account", "demo", "--receipt-delay", "0"),
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
        match = re.search(r"smpps://127\.0\.0\.1:(\d+) \(trust (.+)\)", line)
        assert match, line
        assert Path(match.group(2)) == ca_file.resolve()
        port = int(match.group(1))
        async with AsyncSmppClient(
            "127.0.0.1", port, system_id="demo", password="pw", tls=ca_file
        ) as smpp:
            result = await smpp.send("+4512345678", "from the CLI", source="Demo")
            receipt = await smpp.receipts().__anext__()
        assert result.ok
        assert receipt.message_id == result.message_ids[0]
    finally:
        process.terminate()
        await process.wait()


async def test_simulate_smpp_serves_plain_tcp_only_when_asked(tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    process = await asyncio.create_subprocess_exec(
        *CLI,
        *("simulate", "smpp", "--port", "0", "--no-tls", "--ca-out", str(ca_file)),
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
        match = re.search(r" smpp://127\.0\.0\.1:(\d+)$", line.strip())
        assert match, line
        async with AsyncSmppClient(
            "127.0.0.1", int(match.group(1)), system_id="any", password="pw", tls=False
        ) as smpp:
            assert (await smpp.send("+4512345678", "in the clear", source="Demo")).ok
    finally:
        process.terminate()
        await process.wait()
    assert not ca_file.exists()  # no CA minted for plain TCP


def test_an_account_without_its_password_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SMSWIRE_SMPP_PASSWORD", raising=False)
    assert main(["simulate", "smpp", "--account", "demo"]) == 1
    assert "SMSWIRE_SMPP_PASSWORD" in capsys.readouterr().err


def test_simulate_without_a_target_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate"]) == 2
    assert "smpp" in capsys.readouterr().out
