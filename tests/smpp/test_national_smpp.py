"""National language shift tables and smart encoding through the SMPP client and the
simulator: the tables named in every part's UDH (UDHI set, a single part's too), and
mobile-originated national text decoded through the IEIs it carries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from smswire.pdu import SubmitSm, SubmitSmResp
from smswire.smpp import Concatenation, MobileOriginated, SmppClient, SmscSimulator
from smswire.smpp.session import Session
from smswire.smpp.userdata import decode_text, split_user_data

from .support import ACCOUNT, PASSWORD, ScriptedSmsc

ESM_CLASS_UDHI = 0x40  # SMPP 3.4 §5.2.12
TURKISH = "Sayın müşterimiz, siparişiniz yola çıktı. Kargo şirketi yarın sizi arayacak."
HINDI = "नमस्ते! आपका ऑर्डर भेज दिया गया है और कल तक पहुँच जाएगा। धन्यवाद! " * 4


def connect(sim: SmscSimulator, ca_file: Path) -> SmppClient:
    return SmppClient("127.0.0.1", sim.port, system_id=ACCOUNT, password=PASSWORD, tls=ca_file)


async def first(messages: AsyncIterator[MobileOriginated]) -> MobileOriginated:
    async for message in messages:
        return message
    raise AssertionError("the message iterator ended")


async def test_a_single_national_part_has_udhi_and_the_shift_ie() -> None:
    submitted: list[SubmitSm] = []

    def accept(session: Session, pdu: SubmitSm) -> bytes:
        submitted.append(pdu)
        return session.send(SubmitSmResp(message_id="m1", sequence_number=pdu.sequence_number))

    async with (
        ScriptedSmsc(accept) as smsc,
        SmppClient("127.0.0.1", smsc.port, system_id="x", password="y", tls=False) as smpp,
    ):
        result = await smpp.send("+905321234567", TURKISH, source="Acme", national=("tr",))
    assert result.ok
    (pdu,) = submitted
    assert pdu.esm_class & ESM_CLASS_UDHI
    assert pdu.data_coding == 0x00
    # UDHL 3, IEI 0x25 (locking shift), length 1, Turkish.
    assert pdu.short_message.startswith(bytes.fromhex("03250101"))


async def test_national_text_round_trips_through_the_simulator(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        short = await smpp.send("+905321234567", TURKISH, source="Acme", national=("tr",))
        long = await smpp.send("+919812345678", HINDI, source="Acme", national=("hi", "tr"))
    assert short.ok and long.ok
    turkish, hindi = sim.received
    assert (turkish.text, turkish.parts, turkish.data_coding) == (TURKISH, 1, 0x00)
    assert (hindi.text, hindi.data_coding) == (HINDI, 0x00)
    assert hindi.parts == len(long.message_ids) == 2  # 4 in UCS2


async def test_without_a_udh_the_tables_cannot_be_named_so_plain_ucs2_goes(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        await smpp.send(
            "+905321234567",
            TURKISH,
            source="Acme",
            national=("tr",),
            concatenation=Concatenation.SAR,
        )
    (received,) = sim.received
    assert (received.text, received.data_coding) == (TURKISH, 0x08)


@pytest.mark.parametrize("concatenation", [Concatenation.UDH, Concatenation.PAYLOAD])
async def test_smart_encoding_sends_the_replaced_text(
    sim: SmscSimulator, ca_file: Path, concatenation: Concatenation
) -> None:
    async with connect(sim, ca_file) as smpp:
        await smpp.send(
            "+4512345678",
            "It’s “on” – see you…",
            source="Acme",
            smart=True,
            concatenation=concatenation,
        )
    (received,) = sim.received
    assert (received.text, received.data_coding) == ('It\'s "on" - see you...', 0x00)


async def test_mobile_originated_national_text_is_decoded_through_its_udh(
    sim: SmscSimulator, ca_file: Path
) -> None:
    async with connect(sim, ca_file) as smpp:
        sim.send_mo("905321234567", "1919", TURKISH, system_id=ACCOUNT, national=("tr",))
        single = await first(smpp.messages())
        sim.send_mo("919812345678", "1919", HINDI, system_id=ACCOUNT, national=("hi",))
        multi = await first(smpp.messages())
    assert (single.text, single.data_coding, single.parts) == (TURKISH, 0x00, 1)
    assert (multi.text, multi.data_coding, multi.parts) == (HINDI, 0x00, 2)


def test_split_user_data_keeps_the_udh_for_decoding() -> None:
    body = bytes.fromhex("080003420201250101") + b"\x07"
    user_data = split_user_data(body, ESM_CLASS_UDHI)
    assert (user_data.reference, user_data.total, user_data.index) == (0x42, 2, 1)
    assert user_data.udh == body[:9]
    assert decode_text(user_data.payload, 0x00, user_data.udh) == "ı"
    assert decode_text(user_data.payload, 0x00) == "ì"
