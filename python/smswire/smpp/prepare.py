"""A send call's messages as the fused submit path takes them: checked as
:func:`~smswire.smpp.submit.build_submits` checks them, in the same order
and words, then encoded with one :func:`~smswire.smpp.window.encode_window`
call per run of messages that share their options.

What a client's messages mostly share is where they come from and how they
travel: a source is classified once per distinct source in the call, a
destination once per distinct destination, and the options a window shares
(encoding, concatenation, flash, validity, service_type, TLVs) are checked
once per run rather than once per message. The parts carry provisional
sequence numbers (from 1 in each run): whoever writes them stamps the
session's numbers in place.

The client's concatenation reference counts up by one for every message of
a call, refused or not, exactly as the client counts it when it builds each
message with ``build_submits``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple, Union

from smswire.encoding import Profile
from smswire.errors import ConfigurationError, EncodingError, ProtocolError, SmswireError
from smswire.message import SMPP_OPTIONS, Message
from smswire.smpp.addresses import Address, destination_fields
from smswire.smpp.submit import build_submits, resolve_source
from smswire.smpp.window import RECORD, EncodedWindow, encode_window

__all__ = ["Prepared", "Run", "SubmitRules", "prepare"]

# 3GPP TS 23.040 §9.2.3.24.1: the 8-bit concatenation reference.
REFERENCES = 256
# The sequence_number a run's first part carries until it is written.
PROVISIONAL_FIRST_SEQUENCE = 1
# What build_submits refuses a message with; the client sends such a one NOT_SENT.
REFUSALS = (ConfigurationError, EncodingError, ProtocolError)

# An address as the window takes it (TON, NPI, characters), or why it was refused.
_Classified = Union[tuple[int, int, str], SmswireError]


class SubmitRules(NamedTuple):
    """The client's options that shape a submit (``build_submits``' keywords)."""

    default_source: str | None
    profile: Profile
    source_limit: int
    alphanumeric_max: int
    truncate_source: bool
    alphanumeric_destination: bool


class Run(NamedTuple):
    """Consecutive messages of a call sharing their options, and their parts:
    ``indices[k]`` is the call's index of the window's message ``k``."""

    indices: list[int]
    window: EncodedWindow


class Prepared(NamedTuple):
    """A call's messages: the runs that go out, ``(index, error)`` of each
    message refused (in call order, runs' refusals included), and the
    client's reference counter after the call."""

    runs: list[Run]
    refused: list[tuple[int, SmswireError]]
    reference: int

    @property
    def part_count(self) -> int:
        """How many parts go out, all messages together."""
        return sum(len(run.window.records) // RECORD.size for run in self.runs)

    def pending(self, messages: Sequence[Message]) -> Iterator[tuple[int, Message, list[bytes]]]:
        """Each message of ``messages`` (the call's) that goes out, in call
        order: its index in the call, the message and its parts' PDUs (slices
        of its window's wire, numbered provisionally), as the send pump queues
        them. Read as they are asked for: a window's records are not unpacked
        all at once."""
        for run in self.runs:
            wire, indices = run.window.wire, run.indices
            records = RECORD.iter_unpack(run.window.records)
            pdus: list[bytes] = []
            last = next(records, None)
            while last is not None:
                message, part, parts, _, offset = last
                last = next(records, None)
                pdus.append(wire[offset : len(wire) if last is None else last[4]])
                if part + 1 == parts:
                    index = indices[message]
                    yield index, messages[index], pdus
                    pdus = []


def prepare(messages: Sequence[Message], rules: SubmitRules, reference: int) -> Prepared:
    """The fused windows of ``messages``; ``reference`` is the client's
    counter before the call (message ``i`` carries ``reference + 1 + i``)."""
    sources: dict[str | None, _Classified] = {}
    destinations: dict[str, _Classified] = {}
    runs: list[Run] = []
    refused: list[tuple[int, SmswireError]] = []
    # The run being gathered: its options, indices and window tuples.
    key: tuple[object, ...] | None = None
    indices: list[int] = []
    tuples: list[tuple[int, int, str, int, int, str, str]] = []
    for index, message in enumerate(messages):
        error = _refusal(message, rules, sources, destinations)
        if error is not None:
            # A message refused here takes no place in a window: the run ends,
            # so that each window's references count from its first message.
            if indices:
                _encode(messages, rules, reference, key, indices, tuples, runs, refused)
                indices, tuples = [], []
            refused.append((index, error))
            continue
        options = _options(message)
        if indices and options != key:
            _encode(messages, rules, reference, key, indices, tuples, runs, refused)
            indices, tuples = [], []
        source = sources[message.source]
        destination = destinations[message.destination]
        assert isinstance(source, tuple) and isinstance(destination, tuple)
        key = options
        indices.append(index)
        tuples.append((*source, *destination, message.text))
    if indices:
        _encode(messages, rules, reference, key, indices, tuples, runs, refused)
    refused.sort(key=lambda entry: entry[0])
    return Prepared(runs, refused, (reference + len(messages)) % REFERENCES)


def _options(message: Message) -> tuple[object, ...]:
    """What a window shares: messages that differ here go in different runs."""
    return (
        message.national,
        message.smart,
        message.concatenation,
        message.flash,
        message.registered_delivery,
        message.service_type,
        message.validity_period,
        message.tlvs,
    )


def _refusal(
    message: Message,
    rules: SubmitRules,
    sources: dict[str | None, _Classified],
    destinations: dict[str, _Classified],
) -> SmswireError | None:
    """Why build_submits would refuse ``message`` before its text is encoded,
    checked in its order; the addresses are classified once per call."""
    try:
        message.refuse_options("SMPP", SMPP_OPTIONS)
    except ConfigurationError as exc:
        return exc
    if not message.text:
        # As build_submits refuses it, in its words.
        return ConfigurationError("text is empty: there is nothing to send")
    source = sources.get(message.source)
    if source is None:
        source = sources[message.source] = _source(message, rules)
    if not isinstance(source, tuple):
        return source
    destination = destinations.get(message.destination)
    if destination is None:
        # Classified here, not in a function of its own: every message of a
        # campaign to distinct numbers comes this way.
        try:
            destination = destination_fields(
                message.destination, alphanumeric=rules.alphanumeric_destination
            )
        except REFUSALS as exc:
            destination = exc
        destinations[message.destination] = destination
    return None if isinstance(destination, tuple) else destination


def _source(message: Message, rules: SubmitRules) -> _Classified:
    try:
        address = resolve_source(
            message,
            rules.default_source,
            limit=rules.source_limit,
            alphanumeric_max=rules.alphanumeric_max,
            truncate=rules.truncate_source,
        )
    except REFUSALS as exc:
        return exc
    return _fields(address)


def _fields(address: Address) -> tuple[int, int, str]:
    return (address.ton, address.npi, address.value)


def _encode(
    messages: Sequence[Message],
    rules: SubmitRules,
    reference: int,
    key: tuple[object, ...] | None,
    indices: list[int],
    tuples: list[tuple[int, int, str, int, int, str, str]],
    runs: list[Run],
    refused: list[tuple[int, SmswireError]],
) -> None:
    """One run through the fused call; its refusals under the call's indices."""
    first = messages[indices[0]]
    assert key == _options(first)
    try:
        window = encode_window(
            tuples,
            PROVISIONAL_FIRST_SEQUENCE,
            reference=(reference + 1 + indices[0]) % REFERENCES,
            profile=rules.profile,
            national=first.national,
            smart=first.smart,
            concatenation=first.concatenation,
            flash=first.flash,
            registered_delivery=first.registered_delivery,
            service_type=first.service_type,
            validity_period=first.validity_period,
            tlvs=first.tlvs,
        )
    except ConfigurationError as shared:
        # An option the window shares is refused (a service_type, validity,
        # TLV or language SMPP 3.4 does not allow): each message then gets
        # the reason build_submits gives it, which may be its text's first.
        refused.extend(
            (index, _why(messages[index], rules, reference, index) or shared) for index in indices
        )
        return
    refused.extend((indices[position], error) for position, error in window.refused)
    runs.append(Run(indices, window))


def _why(message: Message, rules: SubmitRules, reference: int, index: int) -> SmswireError | None:
    """What build_submits refuses ``message`` with (None if it takes it)."""
    try:
        build_submits(
            message,
            default_source=rules.default_source,
            reference=(reference + 1 + index) % REFERENCES,
            profile=rules.profile,
            source_limit=rules.source_limit,
            alphanumeric_max=rules.alphanumeric_max,
            truncate_source=rules.truncate_source,
            alphanumeric_destination=rules.alphanumeric_destination,
        )
    except REFUSALS as exc:
        return exc
    return None
