"""What workers and receivers report to the Redis outbox: parts, outcomes, receipts.

These read a message's state, decide in Python with the functions both stores
share (:mod:`smswire.outbox.receipts`), and write in one ``MULTI`` (its
writes in one script call, :mod:`.writes`) under ``WATCH`` of every key they
read: if another client changed one meanwhile, nothing is written and the
call starts again (optimistic concurrency), so each call is one atomic
commit, fenced like the claims' scripts.

Correlation: each accepted part's id is a key of its own
(``id:{route}:{id_key}``) naming the part, with the correlation TTL as its
expiry, so a receipt finds its part by every form of its id in one look and an
id past the TTL is gone. A receipt whose id is not recorded yet waits in a
list per form (``wait:...``, same expiry); ``seen:{route}:{fingerprint}``
remembers each receipt (and what it matched) so the same one twice is stored once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Sequence
from typing import Any, Callable, NamedTuple, TypeVar

from redis.exceptions import WatchError

from smswire.errors import ClaimError, StoreBusy
from smswire.message import Outcome
from smswire.outbox.receipts import (
    combine_part,
    message_billed,
    message_state,
    part_key,
    receipt_billed,
    receipt_keys,
    receipt_message_id,
    receipt_state,
)
from smswire.outbox.records import AcceptedPart, DeliveryState, EventKind, Inbound, Settled, Via
from smswire.outbox.redis.keys import GROUP, Keys
from smswire.outbox.redis.rows import Part, StoredReceipt, event_fields, parse_parts
from smswire.outbox.redis.writes import Writes
from smswire.outbox.serial import decode_receipt, encode_inbound, encode_status, fingerprint
from smswire.smpp.userdata import MobileOriginated

__all__ = ["record", "record_inbound", "transact"]

T = TypeVar("T")

# How often a call starts again because another client wrote what it read,
# before it gives up with StoreBusy (each retry is one round trip or three).
MAX_RETRIES = 50
# Reads, on the watched connection, every key a call needs in one round trip.
_ROW_FIELDS = (
    "route",
    "attempt",
    "owner",
    "outcome",
    "settled_attempt",
    "part_count",
    "delivery",
    "entry",
)
_SNAPSHOT = (
    ("local ROW_FIELDS = {" + ", ".join(f"'{name}'" for name in _ROW_FIELDS) + "}")
    + """
local out = {}
for i, key in ipairs(KEYS) do
  local kind = ARGV[i]
  if kind == 'h' then out[i] = redis.call('HGETALL', key)
  elseif kind == 'r' then
    -- A message row without its payload (reports never need the message itself).
    local row = {}
    if redis.call('EXISTS', key) == 1 then
      local values = redis.call('HMGET', key, unpack(ROW_FIELDS))
      for j, name in ipairs(ROW_FIELDS) do
        if values[j] then row[#row + 1] = name; row[#row + 1] = values[j] end
      end
    end
    out[i] = row
  elseif kind == 'l' then out[i] = redis.call('LRANGE', key, 0, -1)
  else
    local value = redis.call('GET', key)
    if value then out[i] = {value} else out[i] = {} end
  end
end
return out
"""
)
_PENDING = DeliveryState.PENDING


async def transact(client: Any, operation: str, body: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``body`` (WATCH, read, MULTI, write, EXEC) until no watched key moved."""
    for _ in range(MAX_RETRIES):
        async with client.pipeline(transaction=True) as pipe:
            try:
                return await body(pipe)
            except WatchError:
                continue
    raise StoreBusy(
        f"other clients kept changing what {operation} read ({MAX_RETRIES} tries)",
        operation=operation,
    )


async def _read(pipe: Any, kinds: Sequence[tuple[str, str]]) -> list[list[str]]:
    """Watch and read ``(kind, key)``: ``h`` a hash (flat), ``r`` a message row
    without its payload (flat), ``l`` a list, ``s`` a string."""
    if not kinds:
        return []
    keys = [key for _, key in kinds]
    await pipe.watch(*keys)
    found: list[list[str]] = await pipe.eval(
        _SNAPSHOT, len(keys), *keys, *(kind for kind, _ in kinds)
    )
    return found


def _hash(flat: list[str]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2]))


class _Messages:
    """The messages a call touches: their rows and parts, as the call changes them."""

    def __init__(self, keys: Keys) -> None:
        self.keys = keys
        self.rows: dict[str, dict[str, str]] = {}
        self.parts: dict[str, dict[str, Part]] = {}

    async def load(self, pipe: Any, wanted: set[str]) -> None:
        wanted -= self.rows.keys()
        order = sorted(wanted)
        kinds = [("r", self.keys.message(key)) for key in order]
        kinds += [("h", self.keys.parts(key)) for key in order]
        found = await _read(pipe, kinds)
        for key, row, parts in zip(order, found, found[len(order) :]):
            if row:
                self.rows[key] = _hash(row)
                self.parts[key] = {p.field: p for p in parse_parts(_hash(parts))}

    def delivery(self, key: str, attempt: int) -> tuple[DeliveryState, bool | None] | None:
        """The message's new final delivery state (and billing) if ``attempt``
        settled it as accepted and its parts make a final state it had not."""
        row = self.rows[key]
        if row.get("outcome") != Outcome.ACCEPTED.value or row.get("settled_attempt") != str(
            attempt
        ):
            return None
        parts = [p for p in self.parts[key].values() if p.attempt == attempt]
        count = max([int(row.get("part_count", 0)), *(p.number + 1 for p in parts)])
        by_index = {p.number: p.state for p in parts}
        state = message_state([by_index.get(i, _PENDING) for i in range(count)])
        if not state.final or state.value == row.get("delivery"):
            return None
        row["delivery"] = state.value
        return state, message_billed(p.billed for p in parts)


class _Trigger(NamedTuple):
    """The receipt that made a part final: its place in the call, part, id."""

    position: int
    number: int
    message_id: str
    payload: str


def _move(part: Part, receipt_text: str) -> tuple[Part, bool]:
    """``part`` after one more receipt; True when that made it final."""
    receipt = decode_receipt(receipt_text)
    state, billed = combine_part(
        (part.state, part.billed), (receipt_state(receipt), receipt_billed(receipt))
    )
    moved = part._replace(state=state, billed=billed)
    return moved, state.final and not part.state.final


def _write_delivery(
    writes: Writes,
    keys: Keys,
    now: float,
    key: str,
    row: dict[str, str],
    change: tuple[DeliveryState, bool | None],
    trigger: _Trigger | None,
) -> dict[str, str]:
    state, billed = change
    writes.hset(keys.message(key), {"delivery": state.value, "delivered_at": repr(now)})
    return event_fields(
        now,
        EventKind.DELIVERY,
        row["route"],
        key,
        state,
        part=None if trigger is None else trigger.number,
        message_id=None if trigger is None else trigger.message_id,
        billed=billed,
        payload=None if trigger is None else trigger.payload,
    )


async def record(
    pipe: Any,
    keys: Keys,
    now: float,
    ttl_ms: int,
    via: Via,
    parts: Sequence[AcceptedPart],
    settled: Sequence[Settled],
) -> frozenset[str]:
    messages = _Messages(keys)
    located = [(p, part_key(via, p.message_id, p.index)) for p in parts]
    waits = [keys.waiting(p.claim.route, id_key) for p, id_key in located]
    await messages.load(pipe, {p.claim.key for p in parts} | {s.claim.key for s in settled})
    found = await _read(pipe, [("l", wait) for wait in waits])
    waiting = [[json.loads(text) for text in texts] for texts in found]
    # Each waiting receipt's "seen" key says whether another form matched it already.
    seen_keys = {
        entry[2]: keys.seen(p.claim.route, entry[2])
        for (p, _), entries in zip(located, waiting)
        for entry in entries
    }
    digests = sorted(seen_keys)
    found = await _read(pipe, [("s", seen_keys[d]) for d in digests])
    seen = {d: value[0] if value else "" for d, value in zip(digests, found)}
    writes = Writes()
    events: list[dict[str, str]] = []
    for (part, id_key), wait_key, entries in zip(located, waits, waiting):
        c = part.claim
        if c.key not in messages.rows:
            raise ClaimError(f"key {c.key!r} is not in this outbox; it was never claimed")
        row = messages.rows[c.key]
        known = messages.parts[c.key]
        new = Part(c.attempt, part.index, part.message_id, now, _PENDING, None)
        if new.field in known:
            continue  # recorded already: the same report twice changes nothing
        route = row["route"]
        trigger = None
        for payload, received_at, digest in entries:
            # Matched since under another form of its id, or waited past the TTL.
            if seen.get(digest) or received_at < now - ttl_ms / 1000:
                continue
            seen[digest] = c.key
            new, final = _move(new, payload)
            receipt = decode_receipt(payload)
            state, billed = receipt_state(receipt), receipt_billed(receipt)
            stored = StoredReceipt(payload, c.attempt, part.index, state, billed, received_at)
            writes.rpush(keys.receipts(c.key), stored.dump())
            writes.set(keys.seen(route, digest), c.key, keepttl=True)
            if final:
                trigger = _Trigger(-1, part.index, receipt_message_id(receipt), payload)
        if entries:
            writes.delete(wait_key)
        known[new.field] = new
        writes.hset(keys.parts(c.key), {new.field: new.dump()})
        writes.set(keys.part_id(route, id_key), f"{c.key}\t{c.attempt}\t{part.index}", px=ttl_ms)
        change = messages.delivery(c.key, c.attempt) if trigger else None
        if change:
            events.append(_write_delivery(writes, keys, now, c.key, row, change, trigger))
    lost: set[str] = set()
    done: set[str] = set()
    accepted: list[tuple[str, int]] = []
    for s in settled:
        c = s.claim
        row = messages.rows.get(c.key, {})
        holds = (
            row.get("owner") == c.worker
            and row.get("attempt") == str(c.attempt)
            and "outcome" not in row
        )
        if not holds or c.key in done:
            # Recorded already by this very claim (a repeated call) is not lost.
            if c.key in done or (
                row.get("settled_attempt") == str(c.attempt)
                and row.get("outcome") == s.outcome.value
            ):
                continue
            lost.add(c.key)
            continue
        done.add(c.key)
        values = {
            "outcome": s.outcome.value,
            "part_count": str(s.parts),
            "settled_at": repr(now),
            "settled_attempt": str(c.attempt),
        }
        status = encode_status(s.status)
        if status is not None:
            values["status"] = status
        if s.error is not None:
            values["error"] = s.error
        row.update(values)
        writes.hset(keys.message(c.key), values)
        writes.hdel(keys.message(c.key), "owner", "lease_until")
        queue = keys.queue(row["route"])
        writes.xack(queue, GROUP, row["entry"])
        writes.xdel(queue, row["entry"])
        writes.zrem(keys.due(row["route"]), row["entry"])
        writes.srem(keys.held(row["route"]), c.key)
        events.append(
            event_fields(
                now,
                EventKind.OUTCOME,
                row["route"],
                c.key,
                s.outcome,
                status=status,
                error=s.error,
            )
        )
        if s.outcome is Outcome.ACCEPTED:
            row["delivery"] = _PENDING.value
            writes.hset(keys.message(c.key), {"delivery": _PENDING.value})
            accepted.append((c.key, c.attempt))
    for key, attempt in accepted:
        change = messages.delivery(key, attempt)
        if change:
            events.append(_write_delivery(writes, keys, now, key, messages.rows[key], change, None))
    for fields in events:
        writes.xadd(keys.events, fields)
    await writes.commit(pipe, keys.events)
    return frozenset(lost)


async def record_inbound(
    pipe: Any, keys: Keys, now: float, ttl_ms: int, route: str, items: Sequence[Inbound]
) -> list[str | None]:
    payloads = [encode_inbound(item) for item in items]
    receipts: list[tuple[int, Any, tuple[str, ...], str]] = [
        (position, item, receipt_keys(item), fingerprint(payloads[position]))
        for position, item in enumerate(items)
        if not isinstance(item, MobileOriginated)
    ]
    digests = sorted({digest for *_, digest in receipts})
    forms = sorted({form for _, _, item_forms, _ in receipts for form in item_forms})
    found = await _read(
        pipe,
        [("s", keys.seen(route, d)) for d in digests]
        + [("s", keys.part_id(route, f)) for f in forms],
    )
    stored: dict[str, str] = {d: v[0] for d, v in zip(digests, found) if v}
    named: dict[str, tuple[str, int, int]] = {}
    for form, value in zip(forms, found[len(digests) :]):
        if value:
            named_key, named_attempt, named_index = value[0].split("\t")
            named[form] = (named_key, int(named_attempt), int(named_index))
    messages = _Messages(keys)
    await messages.load(pipe, {key for key, _, _ in named.values()})
    writes = Writes()
    matched: list[str | None] = [None] * len(items)
    events: list[tuple[int, dict[str, str]]] = [
        (
            position,
            event_fields(now, EventKind.MOBILE_ORIGINATED, route, payload=payloads[position]),
        )
        for position, item in enumerate(items)
        if isinstance(item, MobileOriginated)
    ]
    moved: dict[tuple[str, int], _Trigger] = {}
    for position, receipt, item_forms, digest in receipts:
        if digest in stored:
            # The same receipt again (an acknowledgement the SMSC never got): stored once.
            matched[position] = stored[digest] or None
            continue
        part = next((named[f] for f in item_forms if f in named), None)
        if part is not None and f"{part[1]}:{part[2]}" not in messages.parts.get(part[0], {}):
            part = None
        key = "" if part is None else part[0]
        stored[digest] = key
        matched[position] = key or None
        writes.set(keys.seen(route, digest), key, px=ttl_ms)
        if part is None:
            entry = json.dumps([payloads[position], now, digest])
            for form in item_forms:
                writes.rpush(keys.waiting(route, form), entry)
                writes.pexpire(keys.waiting(route, form), ttl_ms)
            continue
        key, attempt, index = part
        old = messages.parts[key][f"{attempt}:{index}"]
        new, final = _move(old, payloads[position])
        state, billed = receipt_state(receipt), receipt_billed(receipt)
        record_ = StoredReceipt(payloads[position], attempt, index, state, billed, now)
        writes.rpush(keys.receipts(key), record_.dump())
        if new != old:
            messages.parts[key][new.field] = new
            writes.hset(keys.parts(key), {new.field: new.dump()})
        if final:
            moved[(key, attempt)] = _Trigger(
                position, index, receipt_message_id(receipt), payloads[position]
            )
    for (key, attempt), trigger in moved.items():
        change = messages.delivery(key, attempt)
        if change:
            row = messages.rows[key]
            fields = _write_delivery(writes, keys, now, key, row, change, trigger)
            events.append((trigger.position, fields))
    events.sort(key=lambda event: event[0])
    for _, fields in events:
        writes.xadd(keys.events, fields)
    await writes.commit(pipe, keys.events)
    return matched
