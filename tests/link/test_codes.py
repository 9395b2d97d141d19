"""ResultCode against every row of the guide's "Result Codes" table."""

from __future__ import annotations

from pathlib import Path

import pytest

from smswire.link import ResultCode

_TABLE = Path(__file__).parent / "data" / "result_codes.tsv"


def _rows() -> list[tuple[int, str, str]]:
    rows = []
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, description, state = line.split("\t")
            rows.append((int(code), description, state))
    return rows


def _state(text: str) -> tuple[bool | None, bool | None, bool | None]:
    """(final, delivered, billed) as the guide's Transaction State words say."""
    final = True if text.startswith("FINAL") else False if text.startswith("TEMP") else None
    delivery = text.split(":")[-1]
    # The guide writes "UNKOWN DELIVERY" once (1010): both spellings mean unknown.
    unknown_delivery = "UNKOWN DELIVERY" in delivery or "UNKNOWN DELIVERY" in delivery
    delivered = None if unknown_delivery else "NOT DELIVERED" not in delivery
    billed = None if "UNKNOWN BILLING" in delivery else "NOT BILLED" not in delivery
    return final, delivered, billed


@pytest.mark.parametrize(("value", "description", "state"), _rows(), ids=lambda v: str(v)[:20])
def test_every_row_of_the_table_is_a_member_with_its_description_and_state(
    value: int, description: str, state: str
) -> None:
    code = ResultCode(value)
    assert code.is_known
    assert code.description == description
    final, delivered, billed = _state(state)
    # The guide gives 2103 no FINAL/TEMP word; smswire takes it as FINAL (see codes.py).
    assert code.is_final is (True if value == 2103 else final)
    assert code.delivered is delivered
    assert code.billed is billed


def test_the_enum_holds_exactly_the_table() -> None:
    assert sorted(int(c) for c in ResultCode) == sorted(v for v, _, _ in _rows())


def test_2103_has_no_final_word_in_the_guide_and_is_taken_as_final() -> None:
    state = {v: s for v, _, s in _rows()}[2103]
    assert not state.startswith(("FINAL", "TEMP"))
    assert ResultCode.OPERATION_BLOCKED.is_final is True


def test_a_code_the_guide_does_not_list_stays_readable_with_unknown_state() -> None:
    code = ResultCode(4242)
    assert code == 4242
    assert not code.is_known
    assert "4242" in code.description and "4242" in repr(code)
    assert (code.is_final, code.delivered, code.billed) == (None, None, None)


def test_delivered_and_billed_answer_without_a_table_in_user_code() -> None:
    assert ResultCode(1001).delivered and ResultCode(1001).billed and ResultCode(1001).is_final
    assert ResultCode(1005).is_final is False
    assert ResultCode(4).delivered is None


def test_str_shows_the_code_and_what_it_means() -> None:
    assert str(ResultCode.UNKNOWN_SUBSCRIBER) == "2104 Unknown subscriber"


def test_text_does_not_convert() -> None:
    with pytest.raises(ValueError):
        ResultCode("1001")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1001", 1001), (" 2104\r\n", 2104), ("0", 0), ("0001000", 1000), ("2147483647", 2**31 - 1)],
)
def test_from_text_reads_decimal_digits(text: str, expected: int) -> None:
    assert ResultCode.from_text(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not decimal digits"),
        ("-1", "not decimal digits"),
        ("+1001", "not decimal digits"),
        ("1_001", "not decimal digits"),
        ("10 01", "not decimal digits"),
        ("\u0661\u0660\u0660\u0661", "not decimal digits"),  # Arabic-Indic 1001
        ("\uff11\uff10\uff10\uff11", "not decimal digits"),  # fullwidth 1001
        ("\u00b9", "not decimal digits"),  # superscript one: str.isdigit says yes
        ("2147483648", "over 2147483647"),
        ("9" * 5000, "over 2147483647"),
        ("0" * 5000 + "1" * 11, "over 2147483647"),
    ],
)
def test_from_text_refuses_anything_else_with_a_value_error(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as info:
        ResultCode.from_text(text, name="resultCode")
    assert str(info.value).startswith("resultCode ")
    assert len(str(info.value)) < 120  # a long value is quoted in part


@pytest.mark.parametrize("value", [-1, 2**31, 10**5000], ids=["negative", "2**31", "10**5000"])
def test_a_number_no_result_code_can_be_does_not_convert(value: int) -> None:
    with pytest.raises(ValueError):
        ResultCode(value)
