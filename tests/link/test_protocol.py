"""Validation and the query, as the LINK guide defines them (the reply: test_replies.py)."""

from __future__ import annotations

import math
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smswire.errors import ConfigurationError, MessageTooLong
from smswire.link import InvalidParameter
from smswire.link.protocol import (
    USERDATA_MAX_GSM7_SEPTETS,
    USERDATA_MAX_UCS2_CHARACTERS,
    Credentials,
    build_query,
    check_source,
    check_user_data,
    parse_user_data_header,
    prepare,
    render_query,
)
from smswire.message import Concatenation, Message

from .conftest import PASSWORD

CREDENTIALS = Credentials(42, "user", PASSWORD)


def _message(**overrides: object) -> Message:
    fields: dict[str, object] = {"source": "LINK", "destination": "+4746910822", "text": "Hello"}
    fields.update(overrides)
    return Message(**fields)  # type: ignore[arg-type]


# --- LINK guide: Query parameters, validation before any request leaves ---


@pytest.mark.parametrize(
    "source",
    [
        "+46732594084",
        "72401",
        "LINK",
        "Shop 24",
        "A.B-C_D&E",
        # GSM 7-bit default alphabet letters (3GPP TS 23.038 §6.2.1), as Nordic senders need.
        "Bl\u00f8k",
        "\u00c5hl\u00e9ns",
        "Caf\u00e9",
        "\u00d8rsted \u00c6\u00c9\u00dc",
        "@\u00a3$\u00a5\u00e8\u00f9\u00ec\u00f2\u00c7\u00d8\u00f8",
        "\u0394\u03a6\u0393\u039b\u03a9",  # the Greek capitals of the default alphabet
    ],
)
def test_source_accepts_international_short_and_text(source: str) -> None:
    assert check_source(source) == source
    prepare(_message(source=source))


@pytest.mark.parametrize(
    "source",
    [
        "",
        "+",
        "+0123",
        "+4673259408412345",  # 16 digits: over E.164's 15
        "1234567890123456",
        "TwelveChars1",  # alphanumeric over 11
        "\u00c5hl\u00e9ns Caf\u00e9s",  # GSM 7-bit, but 12 characters
        "Shop\u4e2d",  # not in the GSM 7-bit default alphabet
        "Caf\u00ea",  # ê is not either (é is)
        "Shop\u20ac",  # the euro sign is an extension character (two septets)
        "[LINK]",
        "ab+c",
        "a\nb",
        "a\rb",
        "   ",
        "\u0664\u0666\u0667",  # Arabic-Indic digits are not a number, nor GSM 7-bit
    ],
)
def test_source_refuses_what_is_neither_number_nor_short_text(source: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        prepare(_message(source=source))
    assert info.value.parameter == "Source"
    assert "Source" in str(info.value)
    # Refused before any request: a configuration error, not a made-up LINK answer.
    assert isinstance(info.value, ConfigurationError)
    assert not hasattr(info.value, "result_code")


def test_the_alphanumeric_length_can_be_raised_for_a_route_that_takes_more() -> None:
    long_name = "\u00c5hl\u00e9ns Caf\u00e9s"  # 12 characters
    with pytest.raises(InvalidParameter, match="over the limit of 11"):
        prepare(_message(source=long_name))
    assert prepare(_message(source=long_name), alphanumeric_max=12).message.source == long_name
    with pytest.raises(InvalidParameter, match="over the limit of 12"):
        prepare(_message(source=long_name + "s"), alphanumeric_max=12)


@pytest.mark.parametrize("limit", [0, -1, True, 11.0])
def test_the_alphanumeric_limit_must_be_a_positive_int(limit: object) -> None:
    with pytest.raises(ConfigurationError, match="alphanumeric_max"):
        check_source("LINK", alphanumeric_max=limit)  # type: ignore[arg-type]


@pytest.mark.parametrize("destination", ["", "LINK", "+46 73", "+", "+0467", "1" * 16, "46-73"])
def test_destination_must_be_a_number(destination: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        prepare(_message(destination=destination))
    assert info.value.parameter == "Destination"


def test_userdata_at_the_gsm7_limit_passes_and_one_more_septet_fails() -> None:
    prepared = prepare(_message(text="a" * USERDATA_MAX_GSM7_SEPTETS))
    assert (prepared.encoding, prepared.units, prepared.segments) == ("gsm7", 1377, 9)
    with pytest.raises(MessageTooLong) as info:
        prepare(_message(text="a" * (USERDATA_MAX_GSM7_SEPTETS + 1)))
    assert (info.value.limit, info.value.units) == (1377, 1378)
    assert "Userdata" in str(info.value) and "GSM7 septets" in str(info.value)
    assert "1 over" in str(info.value)


def test_an_extension_character_counts_two_septets_toward_the_limit() -> None:
    # LINK guide: Userdata, "Extended GSM characters need 2 bytes for one character".
    assert prepare(_message(text="a" * 1375 + "\u20ac")).units == USERDATA_MAX_GSM7_SEPTETS
    with pytest.raises(MessageTooLong) as info:
        prepare(_message(text="a" * 1376 + "\u20ac"))
    assert info.value.units == USERDATA_MAX_GSM7_SEPTETS + 1


def test_userdata_at_the_ucs2_limit_passes_and_one_more_character_fails() -> None:
    prepared = prepare(
        _message(text="\u00e5\u4e2d" + "\u4e2d" * (USERDATA_MAX_UCS2_CHARACTERS - 2))
    )
    assert (prepared.encoding, prepared.units, prepared.segments) == ("ucs2", 567, 9)
    with pytest.raises(MessageTooLong) as info:
        prepare(_message(text="\u4e2d" * (USERDATA_MAX_UCS2_CHARACTERS + 3)))
    assert (info.value.limit, info.value.units) == (567, 570)
    assert "UCS2 characters" in str(info.value) and "3 over" in str(info.value)


def test_the_segment_count_billed_is_known_before_sending() -> None:
    assert prepare(_message(text="a" * 160)).segments == 1
    assert prepare(_message(text="a" * 161)).segments == 2
    assert prepare(_message(text="\u4e2d" * 70)).segments == 1
    assert prepare(_message(text="\u4e2d" * 71)).segments == 2


def test_userdata_must_not_be_empty_unless_charge_only() -> None:
    with pytest.raises(InvalidParameter) as info:
        prepare(_message(text=""))
    assert info.value.parameter == "Userdata"
    prepare(_message(text="", charge_only=True, tariff="SEK1000"))


def test_userdata_that_cannot_be_encoded_is_invalid_user_data() -> None:
    with pytest.raises(InvalidParameter) as info:
        prepare(_message(text="lone \ud800 surrogate"))
    assert info.value.parameter == "Userdata"


# LINK guide: Tariff, "Set to null or SEK0 for bulk messages".
@pytest.mark.parametrize("tariff", ["SEK1000", "SEK0", "NOK250", "EUR1", "null"])
def test_tariff_is_a_currency_code_and_minor_units_or_null(tariff: str) -> None:
    prepared = prepare(_message(tariff=tariff))
    assert ("Tariff", tariff) in build_query(CREDENTIALS, prepared)


@pytest.mark.parametrize(
    "tariff",
    ["", "SEK", "1000", "sek1000", "SEK10.00", "SEK-1", "SEKR100", "NULL", "None", "SEK\u0661"],
)
def test_tariff_in_another_shape_is_refused(tariff: str) -> None:
    with pytest.raises(InvalidParameter) as info:
        prepare(_message(tariff=tariff))
    assert info.value.parameter == "Tariff"


@pytest.mark.parametrize("vat", [0, 0.0, 25.0, 12.5, 100])
def test_vat_is_a_percentage(vat: float) -> None:
    prepare(_message(vat=vat))


@pytest.mark.parametrize("vat", [-0.1, 100.01, math.nan, math.inf, True, "25"])
def test_vat_outside_0_to_100_is_refused(vat: object) -> None:
    with pytest.raises(InvalidParameter) as info:
        prepare(_message(vat=vat))
    assert info.value.parameter == "Vat"


@pytest.mark.parametrize("udh", [b"", b"\x05\x00\x03\x01\x02", b"\x06\x00\x03\x01\x02\x01"])
def test_user_data_header_length_octet_must_count_the_rest(udh: bytes) -> None:
    with pytest.raises(InvalidParameter) as info:
        prepare(_message(user_data_header=udh))
    assert info.value.parameter == "UserdataHeader"


@pytest.mark.parametrize("text", ["", "0", "zz", "05000301020"])
def test_user_data_header_from_the_query_must_be_hex_octets(text: str) -> None:
    with pytest.raises(InvalidParameter):
        parse_user_data_header(text)
    assert parse_user_data_header("050003CC0201") == bytes.fromhex("050003CC0201")


@pytest.mark.parametrize(
    ("service_id", "username", "password"),
    [("42", "u", "p"), (True, "u", "p"), (-1, "u", "p"), (1, "", "p"), (1, "u", "")],
)
def test_credentials_are_checked(service_id: object, username: str, password: str) -> None:
    with pytest.raises(ConfigurationError):
        Credentials(service_id, username, password)  # type: ignore[arg-type]


def test_credentials_repr_hides_the_password() -> None:
    assert PASSWORD not in repr(CREDENTIALS)
    assert "user" in repr(CREDENTIALS)


# --- LINK guide: Query parameters, the request ---


def test_query_carries_exactly_the_guides_parameters_in_order() -> None:
    query = build_query(
        CREDENTIALS,
        prepare(
            _message(
                user_data_header=bytes.fromhex("050003cc0201"),
                reference_id="in-123",
                tariff="SEK1000",
                vat=25,
                charge_only=False,
                asynchronous=True,
            )
        ),
    )
    assert query == (
        ("ServiceId", "42"),
        ("Username", "user"),
        ("Password", PASSWORD),
        ("Source", "LINK"),
        ("Destination", "+4746910822"),
        ("Userdata", "Hello"),
        ("UserdataHeader", "050003CC0201"),
        ("ReferenceId", "in-123"),
        ("Tariff", "SEK1000"),
        ("Vat", "25.0"),
        ("ChargeOnly", "false"),
        ("Async", "true"),
    )


def test_optional_parameters_are_left_out_when_not_set() -> None:
    names = [name for name, _ in build_query(CREDENTIALS, prepare(_message()))]
    assert names == [
        "ServiceId",
        "Username",
        "Password",
        "Source",
        "Destination",
        "Userdata",
        "ChargeOnly",
        "Async",
    ]


# --- LINK guide: UserdataHeader, priced with the header in every part ---


@pytest.mark.parametrize(
    ("header_octets", "text", "parts"),
    [
        # 3GPP TS 23.040 §9.2.3.24: a 6-octet header leaves 153 septets (fill bits included).
        (6, "a" * 153, 1),
        (6, "a" * 154, 2),
        (6, "a" * 160, 2),  # 160 GSM characters are one part only without a header
        (6, "a" * 306, 2),
        (6, "a" * 307, 3),
        (7, "a" * 152, 1),  # 7 octets: 8 septets with the fill bits
        (7, "a" * 153, 2),
        (1, "a" * 158, 1),  # UDHL alone
        (1, "a" * 159, 2),
        # An extension character's two septets stay in one part.
        (6, "a" * 152 + "\u20ac", 2),
        (6, "a" * 151 + "\u20ac", 1),
        # UCS2: a 6-octet header leaves 67 UTF-16 units.
        (6, "\u4e2d" * 67, 1),
        (6, "\u4e2d" * 68, 2),
        (6, "\u4e2d" * 66 + "\U0001f600", 2),  # a surrogate pair never straddles
        (6, "\u4e2d" * 65 + "\U0001f600", 1),
        (139, "a", 1),  # one septet of room
        (139, "a" * 9, 9),
    ],
)
def test_a_user_data_header_is_counted_in_every_part(
    header_octets: int, text: str, parts: int
) -> None:
    header = bytes((header_octets - 1,)) + b"\x00" * (header_octets - 1)
    assert prepare(_message(text=text, user_data_header=header)).segments == parts
    _, _, segments = check_user_data(text, user_data_header=header)
    assert segments == parts


def test_a_header_that_leaves_no_room_for_the_text_is_refused() -> None:
    full = bytes((139,)) + b"\x00" * 139  # 140 octets: the whole part
    with pytest.raises(InvalidParameter, match="UserdataHeader of 140 octets") as info:
        prepare(_message(text="a", user_data_header=full))
    assert info.value.parameter == "UserdataHeader"
    one_septet = bytes((138,)) + b"\x00" * 138  # room for one septet, not an escape pair
    with pytest.raises(InvalidParameter, match="too few"):
        prepare(_message(text="\u20ac", user_data_header=one_septet))
    with pytest.raises(InvalidParameter, match="over the 255"):
        prepare(_message(text="a" * 256, user_data_header=one_septet))


def test_charge_only_with_a_header_and_no_text_is_one_part() -> None:
    header = bytes.fromhex("050003CC0201")
    prepared = prepare(_message(text="", charge_only=True, user_data_header=header))
    assert prepared.segments == 1


# --- the shared Message on LINK ---


@pytest.mark.parametrize(
    ("option", "value"),
    [("flash", True), ("concatenation", Concatenation.SAR), ("registered_delivery", False)],
)
def test_an_option_only_smpp_understands_is_refused_by_name(option: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=rf"^{option} is not an option LINK"):
        prepare(_message(**{option: value}))


def test_national_tables_are_refused_with_the_reason() -> None:
    # LINK encodes Userdata itself: its query cannot name shift tables.
    with pytest.raises(ConfigurationError, match="cannot name national language shift tables"):
        prepare(_message(national=("tr",)))


def test_smart_replaces_look_alikes_before_the_text_leaves() -> None:
    prepared = prepare(_message(text="It’s “on” – see you…", smart=True))
    assert (prepared.text, prepared.encoding) == ('It\'s "on" - see you...', "gsm7")
    assert dict(build_query(CREDENTIALS, prepared))["Userdata"] == prepared.text
    assert prepare(_message(text="It’s")).encoding == "ucs2"


def test_the_default_source_applies_only_to_messages_that_name_none() -> None:
    anonymous = Message("+4746910822", "Hello")
    assert prepare(anonymous, default_source="Shop").source == "Shop"
    assert prepare(_message(), default_source="Shop").source == "LINK"
    with pytest.raises(ConfigurationError, match="no source"):
        prepare(anonymous)


@given(st.text(st.characters(codec="utf-16", exclude_categories=("Cs",)), min_size=1, max_size=70))
def test_the_rendered_query_is_the_form_encoding_of_the_parameters(text: str) -> None:
    # The query is rendered once a message (issue 17); it must be byte for byte
    # what urlencode made of the same parameters, and read back whole.
    prepared = prepare(_message(text=text, reference_id="ref &=+ 1", tariff="SEK100"))
    query = build_query(CREDENTIALS, prepared)
    rendered = render_query(CREDENTIALS, prepared)
    assert rendered == urlencode(query)
    assert tuple(parse_qsl(rendered, keep_blank_values=True)) == query
