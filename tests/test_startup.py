"""What starting smswire loads: one way out does not pay for the other.

The LINK sender brings aiohttp and httpx (and, with the ``cli`` extra
installed, httpx imports rich): about 0.3 s of the 0.4 s ``import smswire``
took before its LINK names were loaded lazily (``smswire._lazy``). An SMPP
sender, an outbox worker and a short ``smswire status`` start without them;
naming a LINK class loads it, and it is the same class either way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from types import ModuleType

import pytest

import smswire
import smswire.link

# What only the LINK sender, the HTTP servers and the terminal need.
HEAVY = ("aiohttp", "httpx", "httpcore", "yarl", "uvicorn", "rich", "trustme")

_LOADED = """
import json, sys
{code}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(sys.argv[1:]))))
"""


def _loaded_after(code: str) -> list[str]:
    """The HEAVY packages a fresh interpreter holds after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", _LOADED.format(code=code), *HEAVY],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "code",
    [
        "import smswire",
        "from smswire import AsyncSmppClient, Message, SmppClient, segment",
        "import smswire.outbox",
        "from smswire.outbox import Outbox, OutboxWorker, InboundRecorder",
        "from smswire.link import DeliveryReport, ResultCode, ReportFormat",
        # The command line's parser: every command registered, none run.
        "from smswire.cli import _parser; _parser()",
    ],
)
def test_starting_without_link_loads_no_http_stack(code: str) -> None:
    assert _loaded_after(code) == []


def test_naming_a_link_class_loads_the_link_sender() -> None:
    assert {"aiohttp", "httpx"} <= set(_loaded_after("from smswire import LinkMobilityClient"))


@pytest.mark.parametrize("package", [smswire, smswire.link], ids=["smswire", "smswire.link"])
def test_every_exported_name_is_there_and_listed(package: ModuleType) -> None:
    names: list[str] = package.__all__
    missing = [name for name in names if not hasattr(package, name)]
    assert missing == []
    assert set(names) <= set(dir(package))


def test_a_lazy_name_is_the_class_its_module_defines() -> None:
    from smswire.link.blocking import LinkMobilityClient
    from smswire.link.client import AsyncLinkMobilityClient

    assert smswire.AsyncLinkMobilityClient is AsyncLinkMobilityClient
    assert smswire.link.LinkMobilityClient is LinkMobilityClient


def test_a_name_the_package_does_not_export_is_an_attribute_error() -> None:
    misspelt = "LinkClient"
    with pytest.raises(AttributeError, match="module 'smswire' has no attribute 'LinkClient'"):
        getattr(smswire, misspelt)
    with pytest.raises(ImportError):
        exec("from smswire.link import Receiver", {})
