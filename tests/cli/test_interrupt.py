"""Ctrl-C during `send-csv`, sent as SIGINT to a real child process: the first
stops submitting, waits for the answers to what is out and journals every
other row not_sent; the second quits at once."""

from __future__ import annotations

import asyncio
import csv
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .support import PATIENCE, start_cli

ROWS = 300


class SlowLink:
    """A LINK endpoint on plain HTTP that answers each request after ``delay``
    (or never), logging the destinations it answered."""

    def __init__(self, delay: float | None) -> None:
        self.delay = delay
        self.received: list[str] = []
        self.answered: list[str] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode()
                destination = parse_qs(urlsplit(target).query)["Destination"][0]
                self.received.append(destination)
                if self.delay is None:
                    await asyncio.sleep(PATIENCE)
                await asyncio.sleep(self.delay or 0)
                body = f"1000;Sent;id-{destination}".encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                await writer.drain()
                self.answered.append(destination)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def _serving(link: SlowLink) -> AsyncIterator[str]:
    server = await asyncio.start_server(link.serve, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/smscsimplehttp"


def _campaign(tmp_path: Path) -> Path:
    path = tmp_path / "campaign.csv"
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(("destination", "text"))
        writer.writerows((f"+4746{n:06d}", f"message {n}") for n in range(ROWS))
    return path


def _last_outcomes(out: Path) -> dict[int, dict[str, str]]:
    with out.open(newline="", encoding="utf-8") as stream:
        return {int(r["line"]): r for r in csv.DictReader(stream)}


async def _start(tmp_path: Path, url: str) -> tuple[asyncio.subprocess.Process, Path]:
    out = tmp_path / "results.csv"
    env = {
        "SMSWIRE_LINK_URL": url,
        "SMSWIRE_LINK_SERVICE_ID": "7",
        "SMSWIRE_LINK_USERNAME": "acme",
        "SMSWIRE_LINK_PASSWORD": "pw",
    }
    process = await start_cli(
        "send-csv", _campaign(tmp_path), "--via", "link", "--source", "ACME", "--out", out,
        "--allow-insecure-http", "--lanes", "1", "--batch", "4", "--store", tmp_path / "outbox.db",
        "--json", env=env,
    )  # fmt: skip
    return process, out


async def _stderr_through(process: asyncio.subprocess.Process, mark: bytes) -> bytes:
    """The child's stderr up to and including the first line with ``mark`` (bounded)."""
    assert process.stderr is not None
    deadline = time.monotonic() + PATIENCE
    lines = b""
    while mark not in lines:
        line = await asyncio.wait_for(
            process.stderr.readline(), max(0.0, deadline - time.monotonic())
        )
        assert line, f"the child ended without saying {mark!r}: {lines!r}"
        lines += line
    return lines


async def _until(condition: object, what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.01)


async def test_the_first_ctrl_c_stops_submitting_and_accounts_for_every_row(
    tmp_path: Path,
) -> None:
    # Each batch of 4 is out this long: "at most two batches more after the
    # signal" must hold however long a loaded machine takes to deliver the
    # signal to the child and run its handler, up to about this long.
    link = SlowLink(delay=0.5)
    async with _serving(link) as url:
        process, out = await _start(tmp_path, url)
        await _until(lambda: len(link.answered) >= 8, "the campaign to get going")
        process.send_signal(signal.SIGINT)
        out_at_signal = len(link.received)
        stdout, stderr = await asyncio.wait_for(process.communicate(), PATIENCE)
    assert process.returncode == 130, stderr.decode()
    assert "stopping (again to quit at once)" in stderr.decode()
    rows = _last_outcomes(out)
    assert len(rows) == ROWS  # every row has its line
    outcomes = {line: r["outcome"] for line, r in rows.items()}
    # Everything that left was answered within the grace: no row is unknown.
    assert set(outcomes.values()) == {"accepted", "not_sent"}
    accepted = {rows[line]["destination"] for line, o in outcomes.items() if o == "accepted"}
    assert accepted == set(link.answered) == set(link.received)
    # Claiming stopped at once: at most the claim on the wire (4) more left
    # after the signal, not the rest of the campaign.
    assert len(link.received) <= out_at_signal + 8, (out_at_signal, len(link.received))
    # Stopped early: most rows never left, and each of those says why.
    not_sent = [r for r in rows.values() if r["outcome"] == "not_sent"]
    assert len(not_sent) > ROWS // 2
    assert {r["destination"] for r in not_sent}.isdisjoint(link.received)
    assert all(r["error"] for r in not_sent)
    assert '"interrupted": true' in stdout.decode()


async def test_the_second_ctrl_c_quits_at_once(tmp_path: Path) -> None:
    link = SlowLink(delay=None)  # never answers: the first Ctrl-C would wait out its grace
    async with _serving(link) as url:
        process, _ = await _start(tmp_path, url)
        await _until(lambda: len(link.received) >= 4, "requests to be out")
        process.send_signal(signal.SIGINT)
        # The first one handled: the child says so. (A fixed sleep assumed it;
        # a child not yet scheduled would get both signals pending at once,
        # which the kernel delivers as one, and wait out the whole grace.)
        before = await _stderr_through(process, b"stopping")
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, rest = await asyncio.wait_for(process.communicate(), PATIENCE)
        quit_after = time.monotonic() - started
    stderr = before + rest
    assert process.returncode == 130
    assert "quitting at once" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    # The close grace is 10 s; the second Ctrl-C did not wait for it.
    assert quit_after < 5.0, quit_after
