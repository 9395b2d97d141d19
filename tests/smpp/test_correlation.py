"""The receipt correlation table: one key per id, found under any of its forms,
holding no message alive, bounded."""

from __future__ import annotations

import gc
import itertools

import pytest

from smswire import Message
from smswire.smpp.correlation import Correlation, correlation_key, receipt_keys
from smswire.smpp.receipts import message_id_keys

# Forms SMSCs give ids in: decimal, hex of either case, padded, UUIDs, digits
# whose hex reading is itself all digits, and scripts' own digits.
IDS = [
    "16", "10", "0010", "000016", "abc", "ABC", "0abc", "2748", "4d2", "1234",
    "00000000000000001234", "18446744073709551615", "ffffffffffffffff",
    "6f1b1a9e-2a52-4c3b-9d55-0e6c2f1e4a10", "²³", "Â¹", "0", "000", " 42 ",
]  # fmt: skip


def matched_before(submitted: str, quoted: str) -> bool:
    """The rule the table replaced: any form shared."""
    return bool(set(message_id_keys(submitted)) & set(message_id_keys(quoted)))


@pytest.mark.parametrize(("submitted", "quoted"), list(itertools.product(IDS, IDS)))
def test_a_receipt_finds_every_id_the_old_all_forms_table_found(
    submitted: str, quoted: str
) -> None:
    if matched_before(submitted, quoted):
        assert correlation_key(submitted) in receipt_keys(quoted)


def test_one_key_per_id_whatever_its_padding_or_case() -> None:
    assert {correlation_key(i) for i in ("0ABC", "abc", "000abc", " ABC ")} == {"abc"}
    assert correlation_key("") == ""


def test_the_table_keeps_no_message_alive() -> None:
    table = Correlation()
    message = Message("+4512345678", "hello", source="Acme")
    table.remember("77", message)
    assert table.find("4d") == ("77", message)  # 77 in hex finds it
    assert table.find("77") == ("77", message)
    del message
    gc.collect()
    assert table.find("77") == ("77", None)  # known, no longer held


def test_the_oldest_ids_go_beyond_the_bound_and_forget_drops_one() -> None:
    table = Correlation(limit=3)
    messages = [Message("+4512345678", f"m{i}", source="Acme") for i in range(5)]
    for i, message in enumerate(messages):
        table.remember(f"id{i}", message)
    assert len(table) == 3
    assert table.find("id1") is None and table.find("id2") == ("id2", messages[2])
    table.forget("id2")
    assert table.find("id2") is None and len(table) == 2
