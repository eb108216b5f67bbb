"""One fake per asyncio task or thread: each answers its own calls, and they stop in any order."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from pytest_chime import FakeChime, FakeChimeStateError, facts, wire
from tests.conftest import make_client, valid_request

MODERN = "chime-sdk-meetings"
#: How long a thread waits for the other before the test fails (instead of hanging).
WAIT = 30.0
#: Which of the two fakes stops first: the one started first, or the one started last.
ORDERS = ["first-started-stops-first", "last-started-stops-first"]


def create(client: Any, token: str) -> str:
    return str(client.create_meeting(**valid_request(MODERN, ClientRequestToken=token))["Meeting"]["MeetingId"])


def tokens(fake: FakeChime) -> list[str]:
    return [call.params["ClientRequestToken"] for call in fake.calls]


def assert_nothing_left_active() -> None:
    assert wire.active_fakes() == ()
    assert wire.active() is None
    assert os.environ.get("AWS_ACCESS_KEY_ID") != facts.DUMMY_ACCESS_KEY_ID


def stop_order(order: str) -> list[int]:
    return [0, 1] if order == ORDERS[0] else [1, 0]


async def all_set(events: list[asyncio.Event]) -> None:
    await asyncio.gather(*(event.wait() for event in events))


async def two_tasks(order: str, call: Callable[[str], Awaitable[None]]) -> list[FakeChime]:
    """Two concurrent tasks, each starting its fake, both calling while both fakes are active, stopping in ``order``."""
    fakes = [FakeChime(seed=n) for n in range(2)]
    started = [asyncio.Event() for _ in fakes]
    may_stop = [asyncio.Event() for _ in fakes]

    async def task(n: int) -> None:
        fakes[n].start()
        started[n].set()
        await asyncio.wait_for(all_set(started), WAIT)  # both fakes active from here on
        await call(f"task-{n}-a")
        await asyncio.sleep(0)  # the other task calls in between
        await call(f"task-{n}-b")
        await asyncio.wait_for(may_stop[n].wait(), WAIT)
        fakes[n].stop()

    running = [asyncio.create_task(task(n)) for n in range(2)]
    await asyncio.wait_for(all_set(started), WAIT)
    for n in stop_order(order):
        may_stop[n].set()
        await running[n]
    return fakes


@pytest.mark.parametrize("order", ORDERS)
def test_two_asyncio_tasks_with_sync_clients_each_see_only_their_own_calls(order: str) -> None:
    client = make_client(MODERN)

    async def call(token: str) -> None:
        create(client, token)

    fakes = asyncio.run(two_tasks(order, call))
    assert [tokens(fake) for fake in fakes] == [["task-0-a", "task-0-b"], ["task-1-a", "task-1-b"]]
    assert_nothing_left_active()


@pytest.mark.parametrize("order", ORDERS)
def test_two_asyncio_tasks_with_aiobotocore_clients_each_see_only_their_own_calls(order: str) -> None:
    session = pytest.importorskip("aiobotocore.session", reason="aiobotocore is not installed (pytest-chime[aio])")

    async def call(token: str) -> None:
        async with session.get_session().create_client(
            MODERN, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret"
        ) as client:
            await client.create_meeting(**valid_request(MODERN, ClientRequestToken=token))

    fakes = asyncio.run(two_tasks(order, call))
    assert [tokens(fake) for fake in fakes] == [["task-0-a", "task-0-b"], ["task-1-a", "task-1-b"]]
    assert_nothing_left_active()


@pytest.mark.parametrize("order", ORDERS)
def test_two_threads_each_see_only_their_own_calls(order: str) -> None:
    client = make_client(MODERN)
    fakes = [FakeChime(seed=n) for n in range(2)]
    both_started = threading.Barrier(3, timeout=WAIT)
    both_called = threading.Barrier(3, timeout=WAIT)
    may_stop = [threading.Event() for _ in fakes]
    errors: list[BaseException] = []

    def thread(n: int) -> None:
        try:
            fakes[n].start()
            both_started.wait()
            create(client, f"thread-{n}-a")
            create(client, f"thread-{n}-b")
            both_called.wait()
            assert may_stop[n].wait(WAIT)
            fakes[n].stop()
        except BaseException as error:  # pragma: no cover - what this test looks for
            errors.append(error)
            both_started.abort()
            both_called.abort()

    threads = [threading.Thread(target=thread, args=(n,)) for n in range(2)]
    for worker in threads:
        worker.start()
    try:
        both_started.wait()
        both_called.wait()
    except threading.BrokenBarrierError:  # pragma: no cover - a thread failed: errors says why
        pass
    for n in stop_order(order):
        may_stop[n].set()
        threads[n].join(WAIT)
    assert errors == []
    assert [tokens(fake) for fake in fakes] == [["thread-0-a", "thread-0-b"], ["thread-1-a", "thread-1-b"]]
    assert_nothing_left_active()


def test_a_fake_started_in_a_thread_can_be_stopped_from_another() -> None:
    fake = FakeChime()
    worker = threading.Thread(target=fake.start)
    worker.start()
    worker.join()
    with FakeChime() as mine:
        fake.stop()
        create(make_client(MODERN), "mine")
    assert (tokens(fake), tokens(mine)) == ([], ["mine"])
    assert_nothing_left_active()


def test_a_task_started_inside_a_fakes_task_is_answered_by_that_fake() -> None:
    client = make_client(MODERN)

    async def parent() -> FakeChime:
        with FakeChime() as fake:
            await asyncio.create_task(asyncio.to_thread(create, client, "in-a-thread-of-a-child-task"))
            await asyncio.create_task(child())
        return fake

    async def child() -> None:
        create(client, "in-a-child-task")

    with FakeChime() as outside:
        inside = asyncio.run(parent())
    assert tokens(inside) == ["in-a-thread-of-a-child-task", "in-a-child-task"]
    assert tokens(outside) == []


def test_a_thread_without_a_fake_is_answered_by_the_innermost_started_anywhere(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)
    worker = threading.Thread(target=create, args=(client, "from-a-worker"))
    worker.start()
    worker.join()
    assert tokens(fake_chime) == ["from-a-worker"]


def test_fakes_in_tasks_take_their_tasks_calls_from_the_fixtures_fake(fake_chime: FakeChime) -> None:
    client = make_client(MODERN)

    async def call(token: str) -> None:
        create(client, token)

    fakes = asyncio.run(two_tasks(ORDERS[0], call))
    create(client, "the-test-itself")
    assert [tokens(fake) for fake in fakes] == [["task-0-a", "task-0-b"], ["task-1-a", "task-1-b"]]
    assert tokens(fake_chime) == ["the-test-itself"]
    assert wire.active_fakes() == (fake_chime,)


def test_nested_fakes_in_one_task_stop_innermost_first() -> None:
    outer = FakeChime().start()
    inner = FakeChime().start()
    with pytest.raises(FakeChimeStateError, match="not the innermost active FakeChime"):
        outer.stop()
    create(make_client(MODERN), "inner")
    inner.stop()
    outer.stop()
    assert (tokens(outer), tokens(inner)) == ([], ["inner"])
    assert_nothing_left_active()


def test_a_fake_stops_only_after_a_fake_started_inside_it_in_a_child_task() -> None:
    async def main() -> None:
        outer = FakeChime().start()
        inner_started, release = asyncio.Event(), asyncio.Event()

        async def child() -> None:
            with FakeChime():
                inner_started.set()
                await asyncio.wait_for(release.wait(), WAIT)

        task = asyncio.create_task(child())
        await asyncio.wait_for(inner_started.wait(), WAIT)
        with pytest.raises(FakeChimeStateError, match="not the innermost active FakeChime"):
            outer.stop()
        release.set()
        await task
        outer.stop()

    asyncio.run(main())
    assert_nothing_left_active()


def test_stopping_a_fake_twice_says_it_is_not_started() -> None:
    fake = FakeChime().start()
    fake.stop()
    with pytest.raises(FakeChimeStateError, match="not started"):
        fake.stop()


def test_the_environment_keeps_its_dummy_keys_until_the_last_fake_anywhere_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    first = FakeChime()
    worker = threading.Thread(target=first.start)
    worker.start()
    worker.join()
    second = FakeChime().start()
    first.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == facts.DUMMY_ACCESS_KEY_ID
    second.stop()
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert_nothing_left_active()
