"""Every option of `send` and `send-csv` is checked before anything connects or
is written: one line naming the flag, and no results file left behind."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .support import run_cli

LINK_ENV = {
    "SMSWIRE_LINK_SERVICE_ID": "7",
    "SMSWIRE_LINK_USERNAME": "acme",
    "SMSWIRE_LINK_PASSWORD": "pw&secret",
}


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "campaign.csv"
    path.write_text("destination,text\n+4746910001,hello\n+4746910002,again\n", encoding="utf-8")
    return path


def _listener() -> socket.socket:
    """A socket that accepts nothing: a client that connects shows in its backlog."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    return server


@pytest.mark.parametrize(
    ("option", "complaint"),
    [
        (("--rate", "0"), "--rate must be a positive number of messages a second, not 0"),
        (("--rate", "-5"), "--rate must be a positive number of messages a second, not -5"),
        (("--rate", "nan"), "--rate must be a positive number of messages a second, not nan"),
        (("--batch", "0"), "--batch must be at least 1, not 0"),
        (("--lanes", "0"), "--lanes must be at least 1, not 0"),
    ],
)
async def test_an_invalid_option_fails_in_one_line_before_connecting_or_writing(
    tmp_path: Path, option: tuple[str, ...], complaint: str
) -> None:
    out = tmp_path / "results.csv"
    with _listener() as server:
        port = server.getsockname()[1]
        env = {**LINK_ENV, "SMSWIRE_LINK_URL": f"https://127.0.0.1:{port}/smscsimplehttp"}
        run = await run_cli(
            "send-csv", _csv(tmp_path), "--via", "link", "--source", "ACME", "--out", out,
            *option, env=env,
        )  # fmt: skip
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
    assert run.returncode == 1
    assert run.stderr.splitlines() == [f"smswire: error: {complaint}"]
    assert not out.exists()


async def test_a_non_number_is_one_line_from_the_parser(tmp_path: Path) -> None:
    run = await run_cli(
        "send-csv", _csv(tmp_path), "--via", "link", "--out", tmp_path / "o.csv",
        "--lanes", "many",
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "smswire send-csv: error: argument --lanes: invalid int value: 'many' (see --help)"
    ]


async def test_plain_http_is_refused_in_the_words_of_the_command_line(tmp_path: Path) -> None:
    env = {**LINK_ENV, "SMSWIRE_LINK_URL": "http://127.0.0.1:9/smscsimplehttp"}
    run = await run_cli("send", "+4746910822", "hi", "--via", "link", "--source", "A", env=env)
    assert run.returncode == 1
    [line] = run.stderr.splitlines()
    assert "pass --allow-insecure-http" in line
    assert "allow_insecure_http" not in line


async def test_a_missing_ca_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "ca.pem"
    env = {**LINK_ENV, "SMSWIRE_LINK_URL": "https://127.0.0.1:9/smscsimplehttp"}
    for via, extra in (("link", env), ("smpp", {"SMSWIRE_SMPP_URL": "smpps://a@127.0.0.1:9",
                                                 "SMSWIRE_SMPP_PASSWORD": "x"})):  # fmt: skip
        run = await run_cli(
            "send", "+4746910822", "hi", "--via", via, "--source", "A", "--ca-file", missing,
            env=extra,
        )  # fmt: skip
        assert run.returncode == 1
        [line] = run.stderr.splitlines()
        assert str(missing) in line and "No such file" in line, line


async def test_a_dry_run_needs_no_results_file_and_a_real_run_does(tmp_path: Path) -> None:
    dry = await run_cli("send-csv", _csv(tmp_path), "--via", "link", "--source", "A", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    real = await run_cli("send-csv", _csv(tmp_path), "--via", "link", "--source", "A")
    assert real.returncode == 1
    assert real.stderr.splitlines() == [
        "smswire: error: --out is needed: the results file each row's outcome goes to"
    ]


# The flags `send-csv` and `worker` share, each with a value the outbox or the
# client would refuse only after the bind, in the library's words (`send-csv`'s
# --rate, --batch 0 and --lanes are in the test above).
_CONCURRENCY = (("--concurrency", "0"), "--concurrency must be at least 1, not 0")
_LEASE = (("--lease", "0"), "--lease must be a number of seconds, more than 0, not 0")


SECONDS, SHARE = "a number of seconds, 0 or more", "a share from 0 to 1"


@pytest.mark.parametrize(
    ("command", "flag", "value", "wanted"),
    [
        ("link", "--report-delay", "-1", SECONDS),
        ("link", "--report-delay", "nan", SECONDS),
        ("link", "--not-delivered-share", "1.5", SHARE),
        ("link", "--unknown-subscriber-share", "-0.1", SHARE),
        ("smpp", "--receipt-delay", "-2", SECONDS),
        ("smpp", "--failure-rate", "2", SHARE),
    ],
)
async def test_a_simulator_refuses_a_negative_delay_or_a_share_past_1_by_its_flag(
    command: str, flag: str, value: str, wanted: str
) -> None:
    # Accepted, a negative delay delivered every report at once and a failure
    # share of 2 failed every message, with nothing said.
    run = await run_cli("simulate", command, "--port", "0", flag, value)
    assert run.returncode == 1
    assert run.stderr.splitlines() == [f"smswire: error: {flag} must be {wanted}, not {value}"]
