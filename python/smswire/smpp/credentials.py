"""Who binds to an SMSC, and how: system_id, password, system_type and the bind."""

from __future__ import annotations

from dataclasses import dataclass, field

from smswire.errors import ConfigurationError
from smswire.pdu import BindReceiver, BindTransceiver, BindTransmitter, Pdu

__all__ = ["BINDS", "PASSWORD_LIMIT", "SYSTEM_ID_LIMIT", "SYSTEM_TYPE_LIMIT", "Credentials"]

# SMPP 3.4 §4.1: the three binds, by the name a caller gives.
BINDS: dict[str, type[BindTransceiver] | type[BindTransmitter] | type[BindReceiver]] = {
    "transceiver": BindTransceiver,
    "transmitter": BindTransmitter,
    "receiver": BindReceiver,
}
# SMPP 3.4 §4.1.1: the longest system_id, password and system_type, without the NUL.
SYSTEM_ID_LIMIT = 15
PASSWORD_LIMIT = 8
SYSTEM_TYPE_LIMIT = 12


@dataclass(frozen=True)
class Credentials:
    """Who binds, and how: ``bind`` is "transceiver", "transmitter" or "receiver".

    The password never shows in the repr."""

    system_id: str
    password: str = field(repr=False)
    system_type: str = ""
    bind: str = "transceiver"

    def __post_init__(self) -> None:
        if self.bind not in BINDS:
            raise ConfigurationError(f"bind must be one of {', '.join(BINDS)}, not {self.bind!r}")
        # SMPP 3.4 §4.1.1: C-Octet Strings of at most 16, 9 and 13 octets with the NUL.
        for name, value, limit in (
            ("system_id", self.system_id, SYSTEM_ID_LIMIT),
            ("password", self.password, PASSWORD_LIMIT),
            ("system_type", self.system_type, SYSTEM_TYPE_LIMIT),
        ):
            if len(value.encode("latin-1", errors="replace")) > limit:
                raise ConfigurationError(f"{name} is longer than the {limit} octets SMPP allows")

    def request(self) -> Pdu:
        """The bind_* request these credentials make."""
        return BINDS[self.bind](
            system_id=self.system_id, password=self.password, system_type=self.system_type
        )
