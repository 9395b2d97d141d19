"""The shared vocabulary: one Message, one Outcome, one SendResult."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from typing import Callable

import pytest

import smswire
from smswire.errors import ConfigurationError, OutcomeUnknown, RequestNotSent, TransportError
from smswire.message import (
    LINK_OPTIONS,
    SMPP_OPTIONS,
    Concatenation,
    Delivery,
    Message,
    Outcome,
    SendResult,
)
from smswire.pdu import CommandStatus, Tlv


def test_destination_and_text_come_first_and_the_rest_is_keyword_only() -> None:
    message = Message("+4746910822", "Hello", source="ACME")
    assert (message.destination, message.text, message.source) == ("+4746910822", "Hello", "ACME")
    with pytest.raises(TypeError):
        Message("+4746910822", "Hello", "ACME")  # type: ignore[misc]


def test_a_lone_national_language_is_one_language_not_its_letters() -> None:
    assert Message("1", "x", national="tr").national == ("tr",)
    assert Message("1", "x", national=["tr", "es"]).national == ("tr", "es")


@pytest.mark.parametrize("field", ["destination", "text"])
def test_destination_and_text_must_be_strings(field: str) -> None:
    values = {"destination": "+4746910822", "text": "Hello", field: b"bytes"}
    with pytest.raises(ConfigurationError, match=field):
        Message(**values)  # type: ignore[arg-type]


def test_messages_compare_hash_pickle_and_replace_as_values() -> None:
    message = Message("+4746910822", "Hello", source="ACME", tlvs=[Tlv(0x1400, b"x")])
    assert message == Message("+4746910822", "Hello", source="ACME", tlvs=(Tlv(0x1400, b"x"),))
    assert hash(message) == hash(pickle.loads(pickle.dumps(message)))
    assert dataclasses.replace(message, text="Bye").text == "Bye"


def test_options_set_lists_only_way_specific_options_away_from_their_default() -> None:
    assert Message("1", "x", source="A", smart=True, national=("tr",)).options_set() == ()
    message = Message("1", "x", flash=True, tariff="SEK0", registered_delivery=False)
    assert set(message.options_set()) == {"flash", "registered_delivery", "tariff"}


@pytest.mark.parametrize(
    ("way", "understood", "option", "value"),
    [
        ("LINK", LINK_OPTIONS, "flash", True),
        ("LINK", LINK_OPTIONS, "concatenation", Concatenation.SAR),
        ("LINK", LINK_OPTIONS, "tlvs", (Tlv(0x1400, b"x"),)),
        ("SMPP", SMPP_OPTIONS, "tariff", "SEK100"),
        ("SMPP", SMPP_OPTIONS, "charge_only", True),
        ("SMPP", SMPP_OPTIONS, "user_data_header", b"\x00"),
    ],
)
def test_an_option_of_the_other_way_out_is_refused_by_name(
    way: str, understood: frozenset[str], option: str, value: object
) -> None:
    message = Message("+4746910822", "Hello", **{option: value})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=rf"^{option} is not an option {way}"):
        message.refuse_options(way, understood)


def test_a_way_out_accepts_its_own_options() -> None:
    Message("1", "x", flash=True, service_type="CMT").refuse_options("SMPP", SMPP_OPTIONS)
    Message("1", "x", tariff="SEK0", vat=25.0).refuse_options("LINK", LINK_OPTIONS)


def test_ok_means_accepted_and_nothing_else() -> None:
    message = Message("1", "x")
    assert [SendResult(message, outcome).ok for outcome in Outcome] == [
        outcome is Outcome.ACCEPTED for outcome in Outcome
    ]


def test_message_id_is_the_first_part_id() -> None:
    message = Message("1", "x")
    result = SendResult(message, Outcome.ACCEPTED, ("a", "b"), CommandStatus.ESME_ROK, parts=2)
    assert result.message_id == "a"
    assert SendResult(message, Outcome.NOT_SENT).message_id is None


def test_a_replaced_message_knows_its_own_options() -> None:
    plain = Message("1", "x", source="A")
    flashing = dataclasses.replace(plain, flash=True)
    assert flashing.options_set() == ("flash",)
    assert plain.options_set() == ()
    with pytest.raises(ConfigurationError, match=r"^flash"):
        flashing.refuse_options("LINK", LINK_OPTIONS)
    assert pickle.loads(pickle.dumps(flashing)).options_set() == ("flash",)


@pytest.mark.parametrize("outcome", [Outcome.ACCEPTED, Outcome.REJECTED])
def test_raise_for_outcome_returns_what_the_provider_answered(outcome: Outcome) -> None:
    result = SendResult(Message("1", "x"), outcome, status=CommandStatus.ESME_RINVDSTADR)
    assert result.raise_for_outcome() is result


def test_raise_for_outcome_raises_what_was_not_answered_with_the_result() -> None:
    message = Message("1", "x")
    not_sent = SendResult(message, Outcome.NOT_SENT, error="never written")
    with pytest.raises(RequestNotSent, match="never written") as caught:
        not_sent.raise_for_outcome()
    assert caught.value.result is not_sent
    unknown = SendResult(message, Outcome.UNKNOWN, error="response lost")
    with pytest.raises(OutcomeUnknown, match="response lost") as unsure:
        unknown.raise_for_outcome()
    assert unsure.value.result is unknown
    # The httpx habit, `except TransportError: retry`, must never resend it.
    assert isinstance(caught.value, TransportError)
    assert not isinstance(unsure.value, TransportError)


def test_the_vocabulary_is_at_the_top_level() -> None:
    for name in ("Message", "Outcome", "SendResult", "Delivery", "Concatenation"):
        assert getattr(smswire, name) is globals()[name]
    assert {d.value for d in Delivery} == {"at_least_once", "at_most_once"}
    for name in ("Timeouts", "Limits", "Backoff", "OutcomeUnknown", "ClientClosed"):
        assert name in smswire.__all__
    for name in ("SmppClient", "AsyncSmppClient", "LinkMobilityClient", "AsyncLinkMobilityClient"):
        assert name in smswire.__all__


def _shape(method: Callable[..., object]) -> list[tuple[str, object, object]]:
    parameters = inspect.signature(method).parameters.values()
    return [(p.name, p.kind, p.default) for p in parameters]


@pytest.mark.parametrize("name", ["send", "send_message", "send_many"])
def test_both_ways_out_send_in_the_same_shapes_sync_and_async(name: str) -> None:
    clients = {
        smswire.SmppClient: False,
        smswire.AsyncSmppClient: True,
        smswire.LinkMobilityClient: False,
        smswire.AsyncLinkMobilityClient: True,
    }
    shapes = {client.__name__: _shape(getattr(client, name)) for client in clients}
    assert len({repr(shape) for shape in shapes.values()}) == 1, shapes
    for client, asynchronous in clients.items():
        assert inspect.iscoroutinefunction(getattr(client, name)) is asynchronous, client
    if name == "send":
        (_, destination, text, source, options) = shapes["SmppClient"]
        assert [destination[:2], text[:2], source, options[:2]] == [
            ("destination", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            ("text", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            ("source", inspect.Parameter.KEYWORD_ONLY, None),
            ("options", inspect.Parameter.VAR_KEYWORD),
        ]


def test_a_result_is_equal_shown_copied_and_frozen_as_its_fields_say() -> None:
    # SendResult fills its fields in a hand-written __init__ (a generated
    # frozen one costs three times as much): it must still behave as one.
    message = Message("+4512345678", "Hello")
    result = SendResult(message, Outcome.ACCEPTED, ("a1", "a2"), CommandStatus.ESME_ROK, None, 2)
    assert tuple(getattr(result, f.name) for f in dataclasses.fields(result)) == (
        message,
        Outcome.ACCEPTED,
        ("a1", "a2"),
        CommandStatus.ESME_ROK,
        None,
        2,
    )
    assert SendResult(message, Outcome.NOT_SENT) == SendResult(
        message, Outcome.NOT_SENT, (), None, None, 0
    )
    assert hash(result) == hash(dataclasses.replace(result))
    assert repr(result).startswith("SendResult(message=Message(")
    assert dataclasses.replace(result, parts=3).parts == 3
    assert pickle.loads(pickle.dumps(result)) == result
    assert list(inspect.signature(SendResult).parameters) == [
        f.name for f in dataclasses.fields(SendResult)
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.parts = 1  # type: ignore[misc]
