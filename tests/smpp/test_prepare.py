"""prepare() gives, message for message, what the client's path gives today:
build_submits for each message (its reference counted up per message,
refused ones included), each part encoded; or the same refusal, type and
words. Runs on whichever backend this run uses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smswire.encoding import LINK_MOBILITY, STANDARD, Profile
from smswire.errors import SmswireError
from smswire.message import Concatenation, Message
from smswire.pdu import Tlv, TlvTag, encode
from smswire.smpp import prepare as prepare_module
from smswire.smpp.prepare import Prepared, SubmitRules, prepare
from smswire.smpp.submit import build_submits

SMALL = Profile("small", max_parts=3, gsm7_limit=400, ucs2_part_cap=20)
RULES = SubmitRules(None, STANDARD, 15, 11, False, False)

TEXTS = st.sampled_from(
    ["", "Hello {world}", "a" * 160, "a" * 161, "€" * 80, "Привет, 世界", "😀" * 40, "x" * 1400]
)
SOURCES = st.sampled_from([None, "Acme", "+4512345678", "LINK SMS", "A" * 12, "Acme&Co!!"])
DESTINATIONS = st.sampled_from(["+4746910822", "004512345678", "1919", "12", "+1" * 12, "abc"])
# A few sets of the options a window shares; the last two are refused by SMPP 3.4.
OPTION_SETS = st.sampled_from(
    [
        {},
        {"flash": True, "national": ("tr",)},
        {"concatenation": Concatenation.SAR, "registered_delivery": False},
        {"concatenation": Concatenation.PAYLOAD, "smart": True},
        {"tlvs": (Tlv(TlvTag.USER_MESSAGE_REFERENCE, b"\x00\x09"),), "service_type": "CMT"},
        {"service_type": "TOOLONG"},
        {"validity_period": "1d"},
        {"tariff": "100"},
    ]
)


def todays_path(
    messages: list[Message], rules: SubmitRules, reference: int
) -> list[list[bytes] | tuple[str, str]]:
    """Per message: its parts encoded (build_submits leaves sequence_number 0),
    or its refusal."""
    out: list[list[bytes] | tuple[str, str]] = []
    for index, message in enumerate(messages):
        try:
            pdus = build_submits(
                message,
                default_source=rules.default_source,
                reference=(reference + 1 + index) % 256,
                profile=rules.profile,
                source_limit=rules.source_limit,
                alphanumeric_max=rules.alphanumeric_max,
                truncate_source=rules.truncate_source,
                alphanumeric_destination=rules.alphanumeric_destination,
            )
        except SmswireError as exc:
            out.append((type(exc).__name__, str(exc)))
        else:
            out.append([encode(pdu) for pdu in pdus])
    return out


def as_today(prepared: Prepared, count: int) -> list[list[bytes] | tuple[str, str]]:
    """prepare()'s answer in todays_path's shape, sequence numbers set to 0
    after checking they are consecutive within each run."""
    out: list[Any] = [None] * count
    for index, error in prepared.refused:
        assert out[index] is None
        out[index] = (type(error).__name__, str(error))
    for run in prepared.runs:
        expected_sequence = 1
        for record in run.window.parts():
            assert record.sequence_number == expected_sequence
            expected_sequence += 1
            index = run.indices[record.message]
            if record.part == 0:
                assert out[index] is None
                out[index] = []
            pdu = run.window.pdu(record)
            out[index].append(pdu[:12] + b"\0\0\0\0" + pdu[16:])
            assert len(out[index]) == record.part + 1 <= record.parts
    return out


@settings(max_examples=150, deadline=None)
@given(
    window=st.lists(st.tuples(SOURCES, DESTINATIONS, TEXTS, OPTION_SETS), max_size=10),
    reference=st.integers(0, 255),
    profile=st.sampled_from([STANDARD, LINK_MOBILITY, SMALL]),
    default_source=st.sampled_from([None, "Acme"]),
    alphanumeric_destination=st.booleans(),
)
def test_prepare_gives_what_build_submits_gives_message_for_message(
    window: list[tuple[str | None, str, str, dict[str, Any]]],
    reference: int,
    profile: Profile,
    default_source: str | None,
    alphanumeric_destination: bool,
) -> None:
    rules = SubmitRules(default_source, profile, 15, 11, False, alphanumeric_destination)
    messages = [Message(d, t, source=s, **o) for s, d, t, o in window]
    prepared = prepare(messages, rules, reference)
    assert as_today(prepared, len(messages)) == todays_path(messages, rules, reference)
    assert prepared.reference == (reference + len(messages)) % 256
    assert [i for i, _ in prepared.refused] == sorted(i for i, _ in prepared.refused)


def test_a_window_of_alike_messages_is_one_run_its_addresses_classified_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = {"source": 0, "destination": 0}

    def counted(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        prepare_module, "resolve_source", counted("source", prepare_module.resolve_source)
    )
    monkeypatch.setattr(
        prepare_module,
        "destination_fields",
        counted("destination", prepare_module.destination_fields),
    )
    messages = [
        Message(f"+474691082{i % 3}", "a" * 200, source=("Acme", "1919")[i % 2]) for i in range(64)
    ]
    prepared = prepare(messages, RULES, 255)
    assert calls == {"source": 2, "destination": 3}
    (run,) = prepared.runs
    assert run.indices == list(range(64))
    assert len(list(run.window.parts())) == 128
    assert not prepared.refused and prepared.reference == 63


def test_a_refused_message_or_new_options_start_a_new_run_references_counting_on() -> None:
    messages = [
        Message("+4746910822", "a" * 200, source="Acme"),
        Message("+4746910822", "", source="Acme"),
        Message("+4746910822", "a" * 200, source="Acme"),
        Message("+4746910822", "a" * 200, source="Acme", flash=True),
    ]
    prepared = prepare(messages, RULES, 0)
    assert [run.indices for run in prepared.runs] == [[0], [2], [3]]
    assert [(i, str(e)) for i, e in prepared.refused] == [
        (1, "text is empty: there is nothing to send")
    ]
    # 3GPP TS 23.040 §9.2.3.24.1: the UDH's reference octet (after 05 00 03).
    references = [
        run.window.wire[run.window.wire.index(b"\x05\x00\x03") + 3] for run in prepared.runs
    ]
    assert references == [1, 3, 4]
