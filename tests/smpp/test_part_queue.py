"""The send pump's queue: a call's messages become parts only as the window
takes them, in the order the calls came, with parts put back going first."""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator

from smswire.message import Delivery, Message, Outcome
from smswire.options import Backoff, Limits
from smswire.smpp.batch import Batch
from smswire.smpp.jobs import Job
from smswire.smpp.part_queue import PartQueue, Pending
from smswire.smpp.pump import SendPump

from .test_pump import Wire, encoded

WINDOW = 16


def counted(count: int, read: list[int], parts: int = 1) -> Iterator[Pending]:
    """``count`` messages of ``parts`` parts, counting in ``read`` how many were taken."""
    for index in range(count):
        read[0] += 1
        pdus = [encoded(destination_addr=str(index), sequence_number=p) for p in range(parts)]
        yield index, Message("+4512345678", f"m{index}", source="Acme"), pdus


def texts(parts: list[object]) -> list[str]:
    return [part.job.message.text for part in parts]  # type: ignore[attr-defined]


async def test_a_send_of_many_makes_parts_only_for_what_the_window_takes() -> None:
    wire = Wire(window=WINDOW)
    sender = SendPump(
        wire,
        limits=Limits(window=WINDOW),
        backoff=Backoff(initial=0.01),
        delivery=Delivery.AT_LEAST_ONCE,
        rng=random.Random(1),
    )
    read = [0]
    jobs_before = sum(isinstance(o, Job) for o in gc.get_objects())
    batch = sender.batch(10_000)
    sender.add(batch, counted(10_000, read), 10_000)
    sender.pump()
    assert len(wire.submitted()) == WINDOW
    assert read[0] == WINDOW
    assert sum(isinstance(o, Job) for o in gc.get_objects()) - jobs_before == WINDOW
    # What has not been read still counts as waiting.
    assert sender.backlog == 10_000
    sender.give_up("the test is over")
    sender.abandon_in_flight("the test is over")
    results = await batch.future
    never_read = [result.outcome for result in results[WINDOW:]]
    assert never_read == [Outcome.NOT_SENT] * (10_000 - WINDOW)


async def test_calls_go_out_in_the_order_they_came_and_parts_put_back_first() -> None:
    queue = PartQueue()
    first, second = Batch(2, None), Batch(2, None)
    queue.add(first, counted(2, [0]), 2)
    queue.add(second, counted(2, [0], parts=2), 4)
    head = queue.take(1)
    assert len(queue) == 5
    queue.put_back(head)
    taken = queue.take(6)
    assert [part.job.batch for part in taken] == [first, first, second, second, second, second]
    assert texts(taken) == ["m0", "m1", "m0", "m0", "m1", "m1"]
    assert [part.index for part in taken[2:]] == [0, 1, 0, 1]
    assert not queue and queue.take(1) == []


async def test_withdrawing_a_call_takes_its_parts_read_or_not_and_leaves_the_rest() -> None:
    queue = PartQueue()
    gone, kept = Batch(3, None), Batch(2, None)
    queue.add(gone, counted(3, [0]), 3)
    queue.add(kept, counted(2, [0]), 2)
    queue.put_back(queue.take(2))  # two of the first call made into parts already
    withdrawn = queue.withdraw(gone)
    assert texts(withdrawn) == ["m0", "m1", "m2"]
    assert {part.job.batch for part in withdrawn} == {gone}
    assert len(queue) == 2
    assert texts(queue.clear()) == ["m0", "m1"]
    assert len(queue) == 0 and not queue
