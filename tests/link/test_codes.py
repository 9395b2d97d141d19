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
