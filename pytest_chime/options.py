"""The options of a fake, declared once: where each is set, its default, what it must be, its help.

Cheap to import: the plugin reads this table at start-up.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Generic, Literal, TypeVar, overload

from . import facts

T = TypeVar("T")


# --- what a type hint allows ------------------------------------------------------------------


def allows(hint: Any, value: object) -> bool:
    """Whether ``value`` is of the type ``hint`` names (``int``, ``str | None``, ``Mapping[str, Any]``...).

    Strict as a checker is: a bool is no ``int``, though an ``int`` is a ``float``.
    """
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(allows(member, value) for member in typing.get_args(hint))
    if origin is not None:  # Mapping[str, Any], tuple[str, ...]: the container's type only
        return isinstance(value, origin)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


_WORDS = {bool: "True or False", int: "an int", float: "a number", str: "a str"}


def type_words(hint: Any) -> str:
    """``an int or None``: what ``hint`` allows, in words."""
    if hint is None or hint is type(None):
        return "None"
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_words(member) for member in typing.get_args(hint))
    if origin is not None:
        return f"a {getattr(origin, '__name__', str(origin)).lower()}"
    return _WORDS.get(hint, f"a {getattr(hint, '__name__', hint)}")


def check_type(name: str, value: object, hint: Any) -> None:
    """Raise TypeError, saying what ``name`` must be, when ``value`` is not of the type ``hint`` names."""
    if not allows(hint, value):
        raise TypeError(f"{name}={value!r} is not valid: {name} must be {type_words(hint)}")


# --- the options ------------------------------------------------------------------------------


class Option(Generic[T]):
    """One option of a fake, and the attribute of :class:`~pytest_chime.FakeChime` that holds it.

    As a class attribute it is a descriptor: reading gives the value, assigning checks it.
    """

    def __init__(
        self,
        *,
        name: str,
        kind: Any,
        default: T,
        valid: str,
        help: str,
        test: Callable[[T], bool] = lambda value: True,
        parse: Callable[[str], T] | None = None,
        flag: str | None = None,
        metavar: str | None = None,
        ini_default: str | None = None,
        doc: str = "",
    ) -> None:
        #: The ``FakeChime`` keyword and attribute, and the ``fake_chime`` marker keyword.
        self.name = name
        #: The Python type of a value (a type hint: ``int``, ``int | str``).
        self.kind = kind
        self.default = default
        #: What a valid value is, in words: ``"an integer >= 0"``.
        self.valid = valid
        #: One line of help, for ``pytest --help`` and the docs.
        self.help = help
        #: A test of a value of the right type (``lambda quota: quota >= 0``).
        self.test = test
        #: Ini or command-line text to a value; ValueError when the text cannot be one.
        self.parse = parse
        #: The command-line flag (``--chime-chaos``), if there is one.
        self.flag = flag
        self.metavar = metavar
        #: The ini default, when not the default itself (``seed``: unset, so that pytest-randomly's seed counts).
        self.ini_default = ini_default
        #: More for the docs table (reStructuredText), after ``help``.
        self.doc = doc
        self.__doc__ = f"{help[0].upper()}{help[1:]}: {valid} (default {default!r})."

    def __repr__(self) -> str:
        return f"<Option {self.name}={self.default!r}>"

    @property
    def ini(self) -> str:
        """The ini option: ``chime_quota``."""
        return f"chime_{self.name}"

    @property
    def dest(self) -> str:
        """Where argparse keeps the command-line value."""
        return f"chime_{self.name}"

    @property
    def ini_fallback(self) -> object:
        """What ``getini`` gives when the ini file leaves the option out."""
        if self.ini_default is not None:
            return self.ini_default
        return self.default if self.kind is bool else str(self.default)

    @property
    def valid_text(self) -> str:
        """What valid ini or command-line text is: ``valid``, but ``true or false`` for a switch."""
        return "true or false" if self.kind is bool else self.valid

    @property
    def ini_type(self) -> Literal["bool", "string"]:
        """pytest's ini type: bools are read by pytest, everything else as text."""
        return "bool" if self.kind is bool else "string"

    def check(self, value: object, *, where: str) -> T:
        """``value`` if it is valid; else TypeError (wrong type) or ValueError (out of range), saying what is."""
        return self._checked(value, f"{where}: {self.name}={value!r}")

    def from_text(self, text: object, *, where: str) -> T:
        """A value from ini or command-line text (pytest gives bools parsed); ValueError naming ``where``."""
        try:
            return self._checked(self.parse(text) if self.parse is not None and isinstance(text, str) else text, where)
        except (TypeError, ValueError):
            raise ValueError(f"{where} is not valid: use {self.valid_text}") from None

    def _checked(self, value: object, said: str) -> T:
        if not allows(self.kind, value):
            raise TypeError(f"{said} is not valid: use {self.valid}")
        if not self.test(value):  # type: ignore[arg-type]  # allows() checked the type
            raise ValueError(f"{said} is not valid: use {self.valid}")
        return value  # type: ignore[return-value]

    # --- as FakeChime's attribute ---

    def __set_name__(self, owner: type, name: str) -> None:
        if name != self.name:
            raise TypeError(f"the option {self.name!r} is set as the attribute {name!r} of {owner.__name__}")

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Option[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object, owner: type | None = None) -> T | Option[T]:
        if instance is None:
            return self
        return instance.__dict__[self.name]  # type: ignore[no-any-return]

    def __set__(self, instance: object, value: T) -> None:
        instance.__dict__[self.name] = self._checked(value, f"{type(instance).__name__}.{self.name} = {value!r}")


SEED: Option[int | str] = Option(
    name="seed",
    kind=int | str,
    default=0,
    valid="an integer or a string",
    help="seed of the fake's ids, URLs and chaos (default: pytest-randomly's seed, else 0)",
    parse=str,
    flag="--chime-seed",
    metavar="SEED",
    ini_default="",
    doc="``--chime-seed`` wins, then the ini option, then pytest-randomly's seed when that plugin is "
    "active. The seed is printed in the header of every run.",
)
CHAOS: Option[float] = Option(
    name="chaos",
    kind=float,
    default=0.0,
    valid="a number from 0 to 1",
    help="fraction of fake-answered calls to fail with retryable modelled errors",
    test=lambda rate: 0.0 <= rate <= 1.0,  # nan fails both comparisons
    parse=float,
    flag="--chime-chaos",
    metavar="RATE",
    doc="See :ref:`chaos`.",
)
REAL_SLEEP: Option[bool] = Option(
    name="real_sleep",
    kind=bool,
    default=False,
    valid="True or False",
    help="really sleep botocore's retry backoff for fake-answered calls",
    flag="--chime-real-sleep",
    doc="See :ref:`no-sleeping`.",
)
QUOTA: Option[int] = Option(
    name="quota",
    kind=int,
    default=facts.DEFAULT_QUOTA,
    valid="an integer >= 0",
    help="active meetings allowed at once; over it, the service's limit error",
    test=lambda quota: quota >= 0,
    parse=int,
)
REGION: Option[str] = Option(
    name="region",
    kind=str,
    default=facts.DEFAULT_REGION,
    valid="a region name such as 'us-east-1'",
    help="control region assumed for a call whose request shows none",
    test=bool,
    parse=str.strip,
    doc="A request shows one by its host or its client's region, so this is a last resort.",
)
MEDIA_REGION: Option[str] = Option(
    name="media_region",
    kind=str,
    default=facts.LEGACY_DEFAULT_MEDIA_REGION,
    valid=f"a media region of the legacy chime service: {', '.join(facts.MEDIA_REGIONS[facts.LEGACY])}",
    help="MediaRegion of a legacy chime meeting whose request leaves it out",
    test=lambda region: region in facts.MEDIA_REGIONS[facts.LEGACY],
    parse=str.strip,
)
ACCOUNT_ID: Option[str] = Option(
    name="account_id",
    kind=str,
    default=facts.DEFAULT_ACCOUNT_ID,
    valid="a string of 12 digits",
    help="account id in MeetingArns and ForbiddenException messages",
    test=lambda account: len(account) == 12 and account.isdigit(),
    parse=str.strip,
)
ASSERT_ALL_ERRORS_USED: Option[bool] = Option(
    name="assert_all_errors_used",
    kind=bool,
    default=True,
    valid="True or False",
    help="fail a test whose injected errors did not all fire",
    doc="See :ref:`unused`.",
)
DELIVER_EVENTS: Option[bool] = Option(
    name="deliver_events",
    kind=bool,
    default=False,
    valid="True or False",
    help="also send each meeting event where Chime sends it: the meeting's SQS queue and SNS topic, and EventBridge",
    flag="--chime-deliver-events",
    doc="Delivery goes through boto3 clients, so moto (or whatever fakes those services) receives it. "
    "See :ref:`delivery`.",
)
DELIVER_ARTIFACTS: Option[bool] = Option(
    name="deliver_artifacts",
    kind=bool,
    default=False,
    valid="True or False",
    help="a media capture or concatenation pipeline that stops writes placeholder artifacts to its S3 bucket",
    flag="--chime-deliver-artifacts",
    doc="Written through boto3 clients, so moto's S3 (or whatever fakes it) holds them. See :doc:`recording`.",
)
EMPTY_MEETING_TIMEOUT: Option[float] = Option(
    name="empty_meeting_timeout",
    kind=float,
    default=facts.EMPTY_MEETING_TIMEOUT_SECONDS,
    valid="a number of seconds > 0",
    help="seconds a meeting may stay without a joined attendee before it ends by itself",
    test=lambda seconds: seconds > 0,
    parse=float,
    doc="Counted from creation, or from the last attendee leaving or dropping. See :ref:`time`.",
)
MAX_MEETING_DURATION: Option[float] = Option(
    name="max_meeting_duration",
    kind=float,
    default=facts.MAX_MEETING_DURATION_SECONDS,
    valid="a number of seconds > 0",
    help="seconds after its creation that a meeting ends by itself",
    test=lambda seconds: seconds > 0,
    parse=float,
    doc="See :ref:`time`.",
)

#: Every option, by name, in the order the docs and ``--help`` show them.
OPTIONS: dict[str, Option[Any]] = {
    option.name: option
    for option in (
        SEED,
        CHAOS,
        REAL_SLEEP,
        QUOTA,
        REGION,
        MEDIA_REGION,
        ACCOUNT_ID,
        ASSERT_ALL_ERRORS_USED,
        DELIVER_EVENTS,
        DELIVER_ARTIFACTS,
        EMPTY_MEETING_TIMEOUT,
        MAX_MEETING_DURATION,
    )
}


def unknown(names: Mapping[str, object], *, where: str) -> None:
    """Raise TypeError listing the valid options when ``names`` has one that is not."""
    wrong = [name for name in names if name not in OPTIONS]
    if wrong:
        raise TypeError(f"{where} got unknown option(s) {', '.join(wrong)}; valid: {', '.join(OPTIONS)}")


def check(given: Mapping[str, object], *, where: str) -> dict[str, Any]:
    """``given`` options checked against the table (unknown names and bad values raise), as a dict."""
    unknown(given, where=where)
    return {name: OPTIONS[name].check(value, where=where) for name, value in given.items()}


def usage() -> str:
    """``seed=0, chaos=0.0, ...``: every option with its default."""
    return ", ".join(f"{option.name}={option.default!r}" for option in OPTIONS.values())
