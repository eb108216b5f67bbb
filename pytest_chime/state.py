"""The fake service's resources, behind methods that journal every change."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

Record = dict[str, Any]
#: What a journaled table entry holds when there is none.
_ABSENT: Any = object()
Tags = list[dict[str, str]]


@dataclass
class PipelineInfo:
    """What the fake keeps of a media pipeline beyond its record."""

    #: The service that created it, and its kind (the record's key in GetMediaPipeline's answer).
    service: str
    kind: str
    #: The MeetingId (or, for a concatenation, the MediaPipelineId) it takes its media from.
    source: str
    token: str | None = None
    #: Where a stopped capture writes its artifacts: (bucket, key prefix), or None.
    sink: tuple[str, str] | None = None
    #: Its creation number (listings page in that order).
    number: int = 0


@dataclass
class Presence:
    """An attendee connected to its meeting through a client SDK."""

    network: str
    video: bool = False
    content: bool = False


class State:
    """Meetings, attendees, tags, idempotency tokens, transcriptions, dial-outs, presence, the
    events emitted and the clock of one fake.

    Every change goes through a method here, and each method journals its own undo step:
    inside :meth:`transaction`, a call that fails leaves the state as it found it. Ending a
    meeting, by any path, ends everything it holds.
    """

    def __init__(self, now: dt.datetime) -> None:
        #: The fake's clock: it moves only when a test advances it, from ``started``.
        self.now = self.started = now
        self._meetings: dict[str, Record] = {}
        #: MeetingId -> the service that created it (a meeting added by hand has none: any service sees it).
        self._owners: dict[str, str] = {}
        self._attendees: dict[str, dict[str, Record]] = {}
        #: MeetingId -> ExternalUserId -> AttendeeId (an ExternalUserId names one attendee of a meeting).
        self._externals: dict[str, dict[Any, str]] = {}
        #: Meeting or attendee id -> its creation number (listings page in that order).
        self._numbers: dict[str, int] = {}
        self._counter = itertools.count(1)
        #: (service, ClientRequestToken) -> MeetingId, and back.
        self._tokens: dict[tuple[str, str], str] = {}
        self._token_of: dict[str, tuple[str, str]] = {}
        #: Resource ARN -> its tags, as the list operations answer them.
        self._tags: dict[str, Tags] = {}
        #: Meeting or attendee id -> the ARN its tags are kept under.
        self._arns: dict[str, str] = {}
        self._transcriptions: dict[str, Record] = {}
        self._dial_outs: list[Record] = []
        #: MeetingId -> when it was created, and since when nobody is joined (None: somebody is).
        self._created_at: dict[str, dt.datetime] = {}
        self._idle_since: dict[str, dt.datetime | None] = {}
        #: MeetingId -> its NotificationsConfiguration, which no answer shows.
        self._notifications: dict[str, Record] = {}
        #: (MeetingId, AttendeeId) -> the attendee's connection, while joined.
        self._presence: dict[tuple[str, str], Presence] = {}
        #: MediaPipelineId -> the media pipeline as Get answers it, and what the fake knows of it.
        self._pipelines: dict[str, Record] = {}
        self._pipeline_info: dict[str, PipelineInfo] = {}
        #: (service, ClientRequestToken) -> MediaPipelineId of a pipeline still held.
        self._pipeline_tokens: dict[tuple[str, str], str] = {}
        #: PoolName -> the Kinesis Video Stream pool as Get answers it, and its creation number.
        self._pools: dict[str, Record] = {}
        self._pool_numbers: dict[str, int] = {}
        #: Every event emitted, in order (as the engine records them).
        self.events: list[Any] = []
        #: How a meeting removed by hand ends (the engine's, with its events); else :meth:`end_meeting`.
        self.ender: Callable[[str], None] = self.end_meeting
        #: The undo steps of each transaction under way, innermost last.
        self._journals: list[list[Callable[[], object]]] = []
        self.meetings = Meetings(self)
        self.attendees = Attendees(self)
        self.tags: Mapping[str, Tags] = MappingProxyType(self._tags)
        self.transcriptions: Mapping[str, Record] = MappingProxyType(self._transcriptions)
        self.pipelines: Mapping[str, Record] = MappingProxyType(self._pipelines)
        self.pools: Mapping[str, Record] = MappingProxyType(self._pools)

    @property
    def dial_outs(self) -> list[Record]:
        """Every dial-out made, in order (a copy)."""
        return list(self._dial_outs)

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Changes made inside are undone, last first, if the block raises."""
        self.begin()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def in_transaction(self) -> bool:
        """Whether a transaction is under way."""
        return bool(self._journals)

    def begin(self) -> None:
        """Start journaling a transaction (transactions nest: the innermost journals)."""
        self._journals.append([])

    def commit(self) -> None:
        """The innermost transaction holds."""
        self._journals.pop()

    def rollback(self) -> None:
        """Undo the innermost transaction's changes, last first."""
        journal = self._journals[-1]
        self._journals[-1] = []  # the undo steps journal their own changes: dropped
        for step in reversed(journal):
            step()
        self._journals.pop()

    def _undo(self, step: Callable[[], object]) -> None:
        if self._journals:
            self._journals[-1].append(step)

    def _put(self, table: dict[Any, Any], key: Any, value: Any = _ABSENT) -> None:
        """Set ``table[key]`` to ``value``, or remove it (no value), journaling the step back."""
        previous = table.get(key, _ABSENT)
        if value is _ABSENT:
            if previous is _ABSENT:
                return
            del table[key]
        else:
            table[key] = value

        def undo() -> None:
            if previous is _ABSENT:
                table.pop(key, None)
            else:
                table[key] = previous

        self._undo(undo)

    # --- meetings --------------------------------------------------------------------------

    def meeting(self, meeting_id: str, service: str) -> Record | None:
        """The meeting ``meeting_id`` of ``service`` (another service's meetings are not found), or None."""
        found = self._meetings.get(meeting_id)
        if found is None or self._owners.get(meeting_id, service) != service:
            return None
        return found

    def replicas_of(self, meeting_id: str) -> list[str]:
        """The active meetings whose PrimaryMeetingId is ``meeting_id``."""
        return [key for key, meeting in self._meetings.items() if meeting.get("PrimaryMeetingId") == meeting_id]

    def meetings_of(self, service: str) -> list[tuple[int, Record]]:
        """``service``'s meetings with their creation numbers, oldest first."""
        return sorted(
            (
                (self._number(key), meeting)
                for key, meeting in self._meetings.items()
                if self.owner(key) in (None, service)
            ),
            key=_first,
        )

    def owner(self, meeting_id: str) -> str | None:
        """The service that created ``meeting_id`` (None: added by hand)."""
        return self._owners.get(meeting_id)

    def meeting_count(self) -> int:
        """How many meetings are active."""
        return len(self._meetings)

    def by_token(self, service: str, token: str) -> Record | None:
        """The active meeting ``service`` created for ``token``, or None."""
        meeting_id = self._tokens.get((service, token))
        return None if meeting_id is None else self._meetings.get(meeting_id)

    def add_meeting(
        self, meeting: Record, *, service: str | None, token: str | None = None, notifications: Record | None = None
    ) -> None:
        """Keep a new meeting (``service``: its creator; ``token``: its ClientRequestToken;
        ``notifications``: where its events go)."""
        meeting_id = meeting["MeetingId"]
        self._meetings[meeting_id] = meeting
        self._attendees[meeting_id] = {}
        self._externals[meeting_id] = {}
        self._numbers[meeting_id] = next(self._counter)
        self._created_at[meeting_id] = self._idle_since[meeting_id] = self.now
        if notifications:
            self._notifications[meeting_id] = notifications
        if service is not None:
            self._owners[meeting_id] = service
            if token is not None:
                self._tokens[(service, token)] = meeting_id
                self._token_of[meeting_id] = (service, token)
        self._undo(lambda: self.end_meeting(meeting_id))

    def end_meeting(self, meeting_id: str) -> None:
        """End a meeting: it, its attendees, token, transcription, tags and presence are gone."""
        if meeting_id not in self._meetings:
            return
        attendees = list(self._attendees.get(meeting_id, {}))
        token = self._token_of.get(meeting_id)
        # Every entry kept under the meeting's id, or one of its attendees' ids, leaves with it.
        for table in self._by_meeting():
            self._put(table, meeting_id)
        for key in attendees:
            self._put(self._numbers, key)
            self._put(self._presence, (meeting_id, key))
        if token is not None:
            self._put(self._tokens, token)
        for key in (meeting_id, *attendees):
            self._drop_tags(key)

    def _by_meeting(self) -> tuple[dict[Any, Any], ...]:
        """The tables keyed by MeetingId."""
        return (
            self._meetings,
            self._owners,
            self._attendees,
            self._externals,
            self._numbers,
            self._token_of,
            self._transcriptions,
            self._created_at,
            self._idle_since,
            self._notifications,
        )

    # --- attendees -------------------------------------------------------------------------

    def attendees_of(self, meeting_id: str) -> dict[str, Record]:
        """The meeting's attendees by AttendeeId, in creation order (read-only by convention: change them here)."""
        return self._attendees.get(meeting_id) or {}

    def attendee_for(self, meeting_id: str, external_user_id: object) -> Record | None:
        """The meeting's attendee with this ExternalUserId, or None."""
        found = self._externals.get(meeting_id, {}).get(external_user_id)
        attendee = None if found is None else self._attendees[meeting_id].get(found)
        return attendee if attendee is not None and attendee.get("ExternalUserId") == external_user_id else None

    def numbered_attendees(self, meeting_id: str) -> list[tuple[int, Record]]:
        """The meeting's attendees with their creation numbers, oldest first (every attendee is
        numbered as it is added, so the meeting's dict is in that order already)."""
        present = self._attendees.get(meeting_id) or {}
        numbers = self._numbers
        return [(numbers.get(key) or self._number(key), attendee) for key, attendee in present.items()]

    def add_attendee(self, meeting_id: str, attendee: Record) -> None:
        """Keep a new attendee of an active meeting."""
        attendee_id = attendee["AttendeeId"]
        present = self._attendees[meeting_id]
        present[attendee_id] = attendee
        self._externals[meeting_id].setdefault(attendee.get("ExternalUserId"), attendee_id)
        self._numbers[attendee_id] = next(self._counter)
        self._undo(lambda: self.remove_attendee(meeting_id, attendee_id))

    def remove_attendee(self, meeting_id: str, attendee_id: str) -> None:
        """An attendee leaves the meeting for good: its record, creation number and tags are gone."""
        present = self._attendees.get(meeting_id)
        if present is None or attendee_id not in present:
            return
        external = present[attendee_id].get("ExternalUserId")
        self._put(present, attendee_id)
        self._put(self._numbers, attendee_id)
        self._drop_tags(attendee_id)
        externals = self._externals.get(meeting_id, {})
        if externals.get(external) == attendee_id:
            self._put(externals, external)
        self.disconnect(meeting_id, attendee_id)

    def set_member(self, records: list[Record], name: str, value: Any) -> None:
        """Set member ``name`` of attendee or pipeline records to ``value`` (each gets its own copy of a dict)."""
        before = [(record, record.get(name)) for record in records]
        copied = isinstance(value, dict)
        for record in records:
            record[name] = dict(value) if copied else value

        def undo() -> None:
            for record, previous in before:
                record[name] = previous

        self._undo(undo)

    # --- presence and time ----------------------------------------------------------------

    def presence(self, meeting_id: str, attendee_id: str) -> Presence | None:
        """The attendee's connection, or None when it is not joined."""
        return self._presence.get((meeting_id, attendee_id))

    def connect(self, meeting_id: str, attendee_id: str, presence: Presence) -> None:
        """The attendee joins: the meeting is no longer empty."""
        self._put(self._presence, (meeting_id, attendee_id), presence)
        if meeting_id in self._idle_since:
            self._put(self._idle_since, meeting_id, None)

    def disconnect(self, meeting_id: str, attendee_id: str) -> None:
        """The attendee is gone; the meeting is empty from now if it was the last one."""
        if (meeting_id, attendee_id) not in self._presence:
            return
        self._put(self._presence, (meeting_id, attendee_id))
        if meeting_id in self._idle_since and not self.joined(meeting_id):
            self._put(self._idle_since, meeting_id, self.now)

    def update_presence(self, presence: Presence, **changes: bool) -> None:
        """Turn a joined attendee's video or content share on or off."""
        before = {name: getattr(presence, name) for name in changes}
        for name, value in changes.items():
            setattr(presence, name, value)

        def undo() -> None:
            for name, value in before.items():
                setattr(presence, name, value)

        self._undo(undo)

    def joined(self, meeting_id: str) -> list[str]:
        """The AttendeeIds joined to the meeting."""
        return [attendee for (meeting, attendee) in self._presence if meeting == meeting_id]

    def created_at(self, meeting_id: str) -> dt.datetime:
        """When the meeting was created (or added by hand)."""
        return self._created_at[meeting_id]

    def idle_since(self, meeting_id: str) -> dt.datetime | None:
        """Since when nobody has been joined to the meeting (None: somebody is)."""
        return self._idle_since.get(meeting_id)

    def notifications(self, meeting_id: str) -> Record:
        """The meeting's NotificationsConfiguration ({} when it has none)."""
        return self._notifications.get(meeting_id, {})

    def add_event(self, event: Any) -> None:
        """Record an emitted event (the engine's record of it)."""
        self.events.append(event)
        self._undo(self.events.pop)  # undone last first: the last event is this one

    # --- tags ------------------------------------------------------------------------------

    def tags_of(self, arn: str) -> Tags:
        """The tags of the resource ``arn`` ([] when it has none)."""
        return self._tags.get(arn, [])

    def set_tags(self, owner_id: str, arn: str, tags: Tags) -> None:
        """Give the resource ``owner_id`` (meeting, attendee, pipeline, pool), named ``arn``, these tags ([]: none)."""
        if tags:
            self._put(self._tags, arn, tags)
            self._put(self._arns, owner_id, arn)
        else:
            self._put(self._tags, arn)
            self._put(self._arns, owner_id)

    def _drop_tags(self, owner_id: str) -> None:
        """The resource ``owner_id`` is gone: its tags too."""
        arn = self._arns.get(owner_id)
        if arn is not None:
            self.set_tags(owner_id, arn, [])

    # --- transcriptions and dial-outs --------------------------------------------------------

    def set_transcription(self, meeting_id: str, transcription: Record | None) -> None:
        """Start (a record) or stop (None) the meeting's transcription."""
        if transcription is None:
            self._put(self._transcriptions, meeting_id)
        else:
            self._put(self._transcriptions, meeting_id, transcription)

    def add_dial_out(self, transaction: Record) -> None:
        """Record a dial-out."""
        self._dial_outs.append(transaction)
        self._undo(lambda: self._dial_outs.remove(transaction))

    # --- media pipelines ------------------------------------------------------------------

    def pipeline_info(self, pipeline_id: str) -> PipelineInfo | None:
        """What the fake knows of a media pipeline it holds, or None."""
        return self._pipeline_info.get(pipeline_id)

    def pipeline_by_token(self, service: str, token: str) -> str | None:
        """The MediaPipelineId ``service`` created for ``token``, while that pipeline is held."""
        return self._pipeline_tokens.get((service, token))

    def numbered_pipelines(self, service: str, kinds: tuple[str, ...] | None = None) -> list[tuple[int, Record]]:
        """``service``'s media pipelines (of ``kinds``; None: of any) with their creation numbers, oldest first."""
        found = [
            (info.number, self._pipelines[key])
            for key, info in self._pipeline_info.items()
            if info.service == service and (kinds is None or info.kind in kinds)
        ]
        return sorted(found, key=_first)

    def pipelines_of(self, source_id: str) -> list[str]:
        """The MediaPipelineIds of the pipelines whose source is ``source_id`` (a meeting or a pipeline)."""
        return [key for key, info in self._pipeline_info.items() if info.source == source_id]

    def add_pipeline(self, record: Record, info: PipelineInfo) -> None:
        """Keep a new media pipeline (``record``: as Get answers it)."""
        pipeline_id = record["MediaPipelineId"]
        info.number = next(self._counter)
        self._pipelines[pipeline_id] = record
        self._pipeline_info[pipeline_id] = info
        if info.token is not None:
            self._pipeline_tokens[(info.service, info.token)] = pipeline_id
        self._undo(lambda: self.remove_pipeline(pipeline_id))

    def update_pipeline(self, pipeline_id: str, **members: Any) -> None:
        """Set members of a held pipeline's record (its Status, UpdatedTimestamp)."""
        record = self._pipelines[pipeline_id]
        for name, value in members.items():
            self.set_member([record], name, value)

    def remove_pipeline(self, pipeline_id: str) -> None:
        """A media pipeline is gone (deleted, or stopped with its meeting): its record, token and tags."""
        info = self._pipeline_info.get(pipeline_id)
        if info is None:
            return
        self._put(self._pipelines, pipeline_id)
        self._put(self._pipeline_info, pipeline_id)
        if info.token is not None:
            self._put(self._pipeline_tokens, (info.service, info.token))
        self._drop_tags(pipeline_id)

    def set_pool(self, name: str, pool: Record | None) -> None:
        """Keep (a record) or delete (None) the Kinesis Video Stream pool ``name``; a deleted pool's tags go."""
        if pool is None:
            self._put(self._pools, name)
            self._put(self._pool_numbers, name)
            self._drop_tags(name)
        else:
            self._put(self._pools, name, pool)
            if name not in self._pool_numbers:
                self._put(self._pool_numbers, name, next(self._counter))

    def numbered_pools(self) -> list[tuple[int, Record]]:
        """The pools with their creation numbers, oldest first."""
        return sorted(((self._pool_numbers[name], pool) for name, pool in self._pools.items()), key=_first)

    # --- numbering -------------------------------------------------------------------------

    def _number(self, key: str) -> int:
        """The creation number of a meeting or attendee (one is given to those added by hand)."""
        number = self._numbers.get(key)
        if number is None:
            number = self._numbers[key] = next(self._counter)
        return number


def _first(pair: tuple[int, Record]) -> int:
    return pair[0]


class _View:
    """What the views share: iteration, length and repr over the dict they show (a snapshot of its keys)."""

    def _data(self) -> Mapping[str, Any]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._data()))

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return repr(self._data())


class Meetings(_View, MutableMapping[str, Record]):
    """``FakeChime.meetings``: MeetingId -> the Meeting as GetMeeting answers it.

    Removing a meeting by any path (``del``, ``pop``, ``popitem``, ``clear``) ends it as
    DeleteMeeting does; a meeting set by hand is seen by every service.
    """

    def __init__(self, state: State) -> None:
        self._state = state

    def _data(self) -> dict[str, Record]:
        return self._state._meetings

    def __getitem__(self, key: str) -> Record:
        return self._state._meetings[key]

    def __setitem__(self, key: str, meeting: Record) -> None:
        if key in self._state._meetings:
            self._state._meetings[key] = meeting
        else:
            self._state.add_meeting(
                {**meeting, "MeetingId": key} if meeting.get("MeetingId") != key else meeting, service=None
            )

    def __delitem__(self, key: str) -> None:
        if key not in self._state._meetings:
            raise KeyError(key)
        self._state.ender(key)


class MeetingAttendees(_View, MutableMapping[str, Record]):
    """One meeting's attendees: AttendeeId -> the Attendee as GetAttendee answers it.

    Removing one by any path removes it as DeleteAttendee does.
    """

    def __init__(self, state: State, meeting_id: str) -> None:
        self._state = state
        self._meeting_id = meeting_id

    def _data(self) -> dict[str, Record]:
        return self._state._attendees.get(self._meeting_id) or {}

    def __getitem__(self, key: str) -> Record:
        return self._data()[key]

    def __setitem__(self, key: str, attendee: Record) -> None:
        present = self._data()
        if key in present:
            present[key] = attendee
        elif self._meeting_id in self._state._attendees:
            self._state.add_attendee(self._meeting_id, {**attendee, "AttendeeId": key})
        else:
            raise KeyError(f"no active meeting {self._meeting_id}")

    def __delitem__(self, key: str) -> None:
        if key not in self._data():
            raise KeyError(key)
        self._state.remove_attendee(self._meeting_id, key)


class Attendees(_View, Mapping[str, MeetingAttendees]):
    """``FakeChime.attendees``: MeetingId -> that meeting's attendees (every active meeting has an entry)."""

    def __init__(self, state: State) -> None:
        self._state = state

    def _data(self) -> dict[str, dict[str, Record]]:
        return self._state._attendees

    def __getitem__(self, key: str) -> MeetingAttendees:
        if key not in self._state._attendees:
            raise KeyError(key)
        return MeetingAttendees(self._state, key)
