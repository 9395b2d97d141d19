"""The reply to a send and the redaction of what it may echo, as the LINK guide
defines them (# LINK guide: Returns)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smswire.link import LinkResponseError, ResultCode
from smswire.link.replies import parse_send_response, redact
from smswire.message import Outcome

from .conftest import PASSWORD

# --- LINK guide: Returns ---


def test_reply_with_code_description_and_id() -> None:
    result = parse_send_response(200, b"1000;Sent (to operator);abc123\r\n")
    assert (result.code, result.description, result.message_id) == (
        1000,
        "Sent (to operator)",
        "abc123",
    )
    assert result.outcome is Outcome.ACCEPTED


def test_reply_whose_description_holds_semicolons() -> None:
    result = parse_send_response(200, b"1005;Queued; for later; really;f00d")
    assert (result.description, result.message_id) == ("Queued; for later; really", "f00d")


def test_refusal_without_a_message_id() -> None:
    result = parse_send_response(200, b"2104;Unknown subscriber")
    assert (result.code, result.message_id) == (ResultCode.UNKNOWN_SUBSCRIBER, None)
    assert result.outcome is Outcome.REJECTED


def test_refusal_whose_description_holds_a_semicolon_keeps_it_whole() -> None:
    result = parse_send_response(200, b"2000;Invalid source; alpha too long")
    assert (result.description, result.message_id) == ("Invalid source; alpha too long", None)


def test_empty_trailing_id_is_no_id() -> None:
    result = parse_send_response(200, b"1000;Sent;")
    assert (result.description, result.message_id) == ("Sent", None)


def test_an_unlisted_code_is_read_and_its_outcome_unknown() -> None:
    result = parse_send_response(200, b"9001;Something new;id-9")
    assert (int(result.code), result.message_id) == (9001, "id-9")
    assert result.outcome is Outcome.UNKNOWN


def test_final_code_of_unknown_delivery_is_an_unknown_outcome() -> None:
    assert parse_send_response(200, b"4;Timeout").outcome is Outcome.UNKNOWN


@pytest.mark.parametrize("status", [400, 401, 500, 503])
def test_a_non_200_reply_raises_with_status_and_excerpt(status: int) -> None:
    with pytest.raises(LinkResponseError) as info:
        parse_send_response(status, b"Service Unavailable " + b"x" * 1000)
    assert info.value.status_code == status
    assert info.value.excerpt.startswith("Service Unavailable")
    assert len(info.value.excerpt) < 250
    assert str(status) in str(info.value)


@pytest.mark.parametrize("body", [b"", b"<html>oops</html>", b"OK", b"abc;def;ghi", b"\xff\xfe;x"])
def test_an_unparseable_body_raises_with_an_excerpt(body: bytes) -> None:
    with pytest.raises(LinkResponseError) as info:
        parse_send_response(200, body)
    assert info.value.status_code == 200


def test_a_reply_echoing_the_password_is_redacted() -> None:
    body = f"<html>bad request Password={PASSWORD} {PASSWORD}</html>".encode()
    with pytest.raises(LinkResponseError) as info:
        parse_send_response(500, body, secrets=[PASSWORD])
    assert PASSWORD not in str(info.value) and PASSWORD not in info.value.excerpt


_ID = st.text(alphabet="abcdef0123456789-", min_size=1, max_size=40)
_DESCRIPTION = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60
).map(str.strip)


@given(code=st.sampled_from([1000, 1005, 1011]), description=_DESCRIPTION, message_id=_ID)
def test_accepted_replies_round_trip(code: int, description: str, message_id: str) -> None:
    result = parse_send_response(200, f"{code};{description};{message_id}".encode())
    assert (int(result.code), result.description, result.message_id) == (
        code,
        description,
        message_id,
    )


# A refusal whose description ends in ';' reads as one with an empty id field.
@given(
    code=st.sampled_from([2104, 4002, 0]),
    description=_DESCRIPTION.filter(lambda d: not d.endswith(";")),
)
def test_refusals_round_trip(code: int, description: str) -> None:
    result = parse_send_response(200, f"{code};{description}".encode())
    assert (int(result.code), result.description, result.message_id) == (code, description, None)


def test_redact_hides_the_query_value_and_every_encoding_of_the_secret() -> None:
    from urllib.parse import quote, quote_plus

    text = (
        f"POST /x?Username=u&Password={quote_plus(PASSWORD)}&Source=1 {quote(PASSWORD)} {PASSWORD}"
    )
    cleaned = redact(text, [PASSWORD])
    assert PASSWORD not in cleaned
    assert quote_plus(PASSWORD) not in cleaned and quote(PASSWORD) not in cleaned
    assert "Username=u" in cleaned and "Source=1" in cleaned


# A reply is a peer's text: whatever it holds, the parser answers a LinkReply
# or a LinkResponseError (the client makes that the message's UNKNOWN), never
# a bare ValueError that would take a whole batch down with it.
@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"9" * 5000 + b";Sent;id", "over 2147483647"),
        (b"2147483648;Sent;id", "over 2147483647"),
        (b"-1;Unknown error", "not decimal digits"),
        (b"+1000;Sent;id", "not decimal digits"),
        ("\u0661\u0660\u0660\u0660;Sent;id".encode(), "not decimal digits"),
        (b"1000", "no ';'"),
    ],
)
def test_a_reply_with_an_unreadable_code_is_a_response_error(body: bytes, says: str) -> None:
    with pytest.raises(LinkResponseError) as info:
        parse_send_response(200, body)
    assert says in str(info.value) and info.value.status_code == 200
    assert len(str(info.value)) < 500


@given(st.binary(max_size=200) | st.text(max_size=60).map(str.encode))
def test_any_reply_is_a_result_or_a_response_error(body: bytes) -> None:
    try:
        result = parse_send_response(200, body)
    except LinkResponseError:
        return
    assert 0 <= int(result.code) <= 2**31 - 1


@given(
    digits=st.text(alphabet=st.characters(whitelist_categories=("Nd",)), min_size=1, max_size=12)
)
def test_only_ascii_digits_are_a_result_code(digits: str) -> None:
    body = f"{digits};Sent;id-1".encode()
    if digits.isascii() and int(digits) <= 2**31 - 1:
        assert parse_send_response(200, body).code == int(digits)
    else:
        with pytest.raises(LinkResponseError):
            parse_send_response(200, body)
