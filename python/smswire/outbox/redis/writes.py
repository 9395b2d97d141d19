"""A transaction's writes, sent as one script call inside its MULTI.

A report for a window of messages is thousands of small writes; queued one
by one in a MULTI, each comes back as its own ``QUEUED`` reply, and reading
those replies costs the client more than Redis spends doing the writes. So
the writes are collected here and sent as one ``EVAL`` of a script that
applies them in order: still inside the MULTI (so WATCH still guards them),
one reply instead of thousands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["Writes"]

# ARGV[1]: a JSON list of commands, each a list of strings. KEYS[1] names the
# outbox's slot (every key shares its hash tag).
_APPLY = """
local commands = cjson.decode(ARGV[1])
for _, command in ipairs(commands) do redis.call(unpack(command)) end
return #commands
"""


class Writes:
    """Redis commands to run together, in order (the few the reports need)."""

    def __init__(self) -> None:
        self._commands: list[list[str]] = []

    def __len__(self) -> int:
        return len(self._commands)

    def hset(self, key: str, mapping: Mapping[str, str]) -> None:
        command = ["HSET", key]
        for field, value in mapping.items():
            command += (field, value)
        self._commands.append(command)

    def hdel(self, key: str, *fields: str) -> None:
        self._commands.append(["HDEL", key, *fields])

    def xack(self, key: str, group: str, entry: str) -> None:
        self._commands.append(["XACK", key, group, entry])

    def xdel(self, key: str, entry: str) -> None:
        self._commands.append(["XDEL", key, entry])

    def zrem(self, key: str, member: str) -> None:
        self._commands.append(["ZREM", key, member])

    def srem(self, key: str, member: str) -> None:
        self._commands.append(["SREM", key, member])

    def set(self, key: str, value: str, *, px: int | None = None, keepttl: bool = False) -> None:
        command = ["SET", key, value]
        if px is not None:
            command += ("PX", str(px))
        if keepttl:
            command.append("KEEPTTL")
        self._commands.append(command)

    def rpush(self, key: str, value: str) -> None:
        self._commands.append(["RPUSH", key, value])

    def pexpire(self, key: str, milliseconds: int) -> None:
        self._commands.append(["PEXPIRE", key, str(milliseconds)])

    def delete(self, key: str) -> None:
        self._commands.append(["DEL", key])

    def xadd(self, key: str, fields: Mapping[str, str]) -> None:
        command = ["XADD", key, "*"]
        for field, value in fields.items():
            command += (field, value)
        self._commands.append(command)

    async def commit(self, pipe: Any, slot_key: str) -> None:
        """MULTI, the writes, EXEC on ``pipe`` (watching what the call read);
        raises WatchError, having written nothing, if a watched key moved."""
        pipe.multi()
        if self._commands:
            pipe.eval(_APPLY, 1, slot_key, json.dumps(self._commands))
        await pipe.execute()
