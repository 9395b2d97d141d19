"""What every command shares: errors one line (JSON on stdout with --json),
--debug before or after the command, warnings one line, and a password typed
on the command line refused without being echoed."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from .support import PATIENCE, cli_env, run_cli

NO_SERVER = "no SMPP server: give --url, SMSWIRE_SMPP_URL or url in the [smpp] table"


@pytest.mark.parametrize(
    "args",
    [
        ("send", "+4746910822", "hi", "--via", "link", "--password", "s3cret"),
        ("send", "+4746910822", "hi", "--via", "link", "--password=s3cret"),
        ("--password", "s3cret", "send-csv", "x.csv", "--via", "smpp"),
    ],
)
async def test_a_password_flag_is_refused_without_echoing_it(args: tuple[str, ...]) -> None:
    run = await run_cli(*args)
    assert run.returncode == 2
    assert "s3cret" not in run.stdout + run.stderr
    [line] = run.stderr.splitlines()
    assert line.startswith("smswire: error: passwords are not taken on the command line")
    assert "SMSWIRE_LINK_PASSWORD" in line


async def test_an_unknown_option_is_named_but_its_value_is_not_echoed() -> None:
    run = await run_cli("send", "+4746910822", "hi", "--via", "link", "--passwd", "hunter2")
    assert run.returncode == 2
    assert "hunter2" not in run.stdout + run.stderr
    assert run.stderr.splitlines() == [
        "smswire: error: unrecognized option(s): --passwd (see --help)"
    ]


@pytest.mark.parametrize("where", ["before", "after"])
async def test_debug_shows_the_traceback_before_or_after_the_command(where: str) -> None:
    command = ["send", "+4746910822", "hi", "--via", "smpp", "--source", "A"]
    args = ["--debug", *command] if where == "before" else [*command, "--debug"]
    run = await run_cli(*args)
    assert run.returncode != 0
    assert "Traceback" in run.stderr and NO_SERVER in run.stderr


async def test_without_debug_an_error_is_one_line() -> None:
    run = await run_cli("send", "+4746910822", "hi", "--via", "smpp", "--source", "A")
    assert run.returncode == 1
    assert run.stderr.splitlines() == [f"smswire: error: {NO_SERVER}"]


async def test_with_json_an_error_is_a_json_object_on_stdout_and_the_exit_is_not_zero() -> None:
    run = await run_cli("send", "+4746910822", "hi", "--via", "smpp", "--source", "A", "--json")
    assert run.returncode == 1
    assert json.loads(run.stdout) == {"error": NO_SERVER, "type": "ConfigurationError"}


async def _accept_every_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nConnection: close\r\n\r\n1000;Sent;id1")
    await writer.drain()
    writer.close()


async def test_the_insecure_transport_warning_is_one_line() -> None:
    server = await asyncio.start_server(_accept_every_request, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/smscsimplehttp"
    env = {
        "SMSWIRE_LINK_URL": url,
        "SMSWIRE_LINK_SERVICE_ID": "7",
        "SMSWIRE_LINK_USERNAME": "acme",
        "SMSWIRE_LINK_PASSWORD": "pw",
    }
    async with server:
        run = await run_cli(
            "send", "+4746910822", "hi", "--via", "link", "--source", "A",
            "--allow-insecure-http", "--json", env=env,
        )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["outcome"] == "accepted"
    assert run.stderr.splitlines() == [
        f"smswire: warning: LINK client on plain HTTP ({url}): "
        "the password crosses the network readable"
    ]
    assert "warnings.warn" not in run.stderr


async def test_an_unknown_backend_is_one_line_from_the_command_line() -> None:
    run = await run_cli("analyze", "hello", env={"SMSWIRE_BACKEND": "bogus"})
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "smswire: error: SMSWIRE_BACKEND='bogus' is not a backend; choose one of auto, native, pure"
    ]


async def test_the_installed_script_says_it_in_one_line_too() -> None:
    script = Path(sys.executable).parent / "smswire"
    if not script.exists():
        pytest.skip(f"no smswire script beside {sys.executable} (not installed as a package)")
    process = await asyncio.create_subprocess_exec(
        str(script), "analyze", "hello",
        env=cli_env({"SMSWIRE_BACKEND": "bogus"}),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), PATIENCE)
    assert process.returncode == 2
    assert len(stderr.decode().splitlines()) == 1 and b"bogus" in stderr
