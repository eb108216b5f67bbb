"""Hooks a conftest.py (or plugin) implements to shape the fake.

Both are called through the test's own hook relay, so a conftest.py applies to the
tests of its directory only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .fake import FakeChime


@pytest.hookspec
def pytest_chime_configure(fake: FakeChime) -> None:
    """Called when a test's fake starts, before its markers' errors are queued.

    Preset quotas, errors or options for a directory::

        def pytest_chime_configure(fake):
            fake.quota = 5
            fake.fail("ThrottlingException", optional=True)
    """


@pytest.hookspec
def pytest_chime_meeting_created(meeting: dict[str, Any], params: dict[str, Any]) -> None:
    """Called for every meeting the fake creates, before it is stored and returned.

    ``meeting`` is the Meeting as it will be returned (change it in place);
    ``params`` is the decoded request.
    """


@pytest.hookspec
def pytest_chime_attendee_created(attendee: dict[str, Any], meeting: dict[str, Any], params: dict[str, Any]) -> None:
    """Called for every attendee the fake creates, before it is stored and returned.

    ``attendee`` is the Attendee as it will be returned (change it in place);
    ``meeting`` is its meeting; ``params`` is the request's item for it (CreateAttendee's
    request, or one item of BatchCreateAttendee's or CreateMeetingWithAttendees'
    ``Attendees``).
    """


@pytest.hookspec
def pytest_chime_event(fake: FakeChime, event: dict[str, Any]) -> None:
    """Called for every meeting event the fake emits, in order, before it is delivered.

    ``event`` is shaped as Chime sends it to EventBridge (``event["detail"]["eventType"]``...).
    An exception undoes what emitted the event (the call is not answered) and is the hook's
    :class:`~pytest_chime.HookError`.
    """
