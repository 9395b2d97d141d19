"""``smswire simulate link`` and ``smswire receive-reports`` as a user runs them."""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from ports import steady_port

from smswire.cli import main
from smswire.link import LinkMobilityClient, ResultCode
from smswire.sim import LocalAuthority

from .support import PATIENCE, wait_until

PASSWORD = "link pass&word=1"


def _free_port() -> int:
    """A port for a server started on it by number: see tests/ports.py."""
    return steady_port()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def _smswire(*args: str, port: int) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "SMSWIRE_LINK_PASSWORD": PASSWORD}
    process = subprocess.Popen(
        [sys.executable, "-m", "smswire", *args, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        wait_until(lambda: _listening(port) or process.poll() is not None, what="the server")
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        yield process
    finally:
        process.terminate()
        process.wait(PATIENCE)


def _line(process: subprocess.Popen[str]) -> str:
    """The next line the process prints, waiting at most PATIENCE seconds.

    readline() runs in a thread: a line already in the reader's buffer comes
    back at once, where select() on the pipe would wait for bytes that never
    come when one readline() had buffered both lines.
    """
    assert process.stdout is not None
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        return pool.submit(process.stdout.readline).result(timeout=PATIENCE)
    except concurrent.futures.TimeoutError:
        raise AssertionError("no line from the receiver") from None
    finally:
        pool.shutdown(wait=False)  # the process ends with the test, and its readline


def test_the_simulator_reports_to_the_receiver_which_prints_json_lines(
    authority: LocalAuthority,
) -> None:
    receiver_port, simulator_port = _free_port(), _free_port()
    tls = ["--certfile", str(authority.certfile), "--keyfile", str(authority.keyfile)]
    callback = f"http://127.0.0.1:{receiver_port}/dlr"
    with (
        _smswire(
            "receive-reports", "--path", "/dlr", "--response-body", "OK", port=receiver_port
        ) as receiver,
        _smswire(
            "simulate",
            "link",
            *tls,
            "--callback-url",
            callback,
            "--report-delay",
            "0",
            "--report-ack-body",
            "OK",
            port=simulator_port,
        ),
        LinkMobilityClient(
            f"https://127.0.0.1:{simulator_port}/smscsimplehttp",
            service_id=1,
            username="user",
            password=PASSWORD,
            ssl_context=authority.client_context(),
        ) as client,
    ):
        result = client.send("+4746910822", "x" * 200, source="LINK")
        lines = [json.loads(_line(receiver)) for _ in range(2)]
    assert result.status is ResultCode.SENT
    assert sorted(line["part"] for line in lines) == [0, 1]
    assert {line["message_id"] for line in lines} == {result.message_id}
    assert {line["result_code"] for line in lines} == {1001}
    assert lines[0]["custom_parameters"]["destination"] == "+4746910822"


def test_simulate_without_a_target_shows_its_targets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate"]) == 2
    assert "link" in capsys.readouterr().out


def test_certfile_without_keyfile_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "link", "--certfile", "x.pem"]) == 1
    assert "--keyfile" in capsys.readouterr().err


def test_the_receivers_allow_list_preset_needs_no_addresses_typed() -> None:
    port = _free_port()
    with _smswire("receive-reports", "--allow", "link", port=port):
        response = httpx.post(f"http://127.0.0.1:{port}/", json={"id": "m", "resultCode": 1})
    assert response.status_code == 403


def test_receive_reports_says_where_it_listens() -> None:
    port = _free_port()
    with _smswire("receive-reports", "--path", "/dlr", port=port) as receiver:
        assert receiver.stderr is not None
        pool = concurrent.futures.ThreadPoolExecutor(1)
        try:
            first = pool.submit(receiver.stderr.readline).result(timeout=PATIENCE)
        finally:
            pool.shutdown(wait=False)  # the process ends with the test, and its readline
    assert first == (
        f"LINK report receiver on http://127.0.0.1:{port}, path /dlr; "
        "one JSON line per report on stdout\n"
    )


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (("--path", "dlr"), "--path must start with '/', not 'dlr'"),
        (("--allow", "link", "--allow", "999.1.1.1"), "--allow: '999.1.1.1' does not appear"),
        (("--trusted-proxy", "proxy.example"), "--trusted-proxy: 'proxy.example' does not"),
    ],
)
def test_receive_reports_names_a_bad_flag_and_says_it_listens_nowhere(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], complaint: str
) -> None:
    assert main(["receive-reports", "--port", "0", *args]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"smswire: error: {complaint}"), line


def test_a_port_out_of_range_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["receive-reports", "--port", "99999"])
    assert exit_.value.code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "argument --port: a port is 0 to 65535, not 99999" in line


@pytest.mark.parametrize("command", [("receive-reports",), ("simulate", "link")])
def test_a_port_in_use_is_one_line_and_no_claim_to_listen(
    capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main([*command, "--port", str(port)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"smswire: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_missing_tls_files_are_named_before_any_claim_to_listen(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.pem"
    tls = ["--certfile", str(missing), "--keyfile", str(missing)]
    assert main(["receive-reports", "--port", "0", *tls]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        f"smswire: error: cannot load --certfile {missing} with --keyfile {missing}: "
        "No such file or directory"
    )
