"""pytest wiring: the ``fake_chime`` fixture, markers, options, hooks and reporting."""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from . import hookspecs, wire
from .errors import ChimeFakeError
from .options import OPTIONS, SEED, Option, check, usage

if TYPE_CHECKING:  # imported when a test first asks for the fixture: start-up stays light
    from .fake import FakeChime
    from .injection import ErrorInjection

_seed_key = pytest.StashKey[str]()
_settings_key = pytest.StashKey[dict[str, Any]]()
_before_key = pytest.StashKey[tuple["FakeChime", ...]]()  # the fakes active before a test's setup
_chaos_key = pytest.StashKey[list[int]]()  # [faults, calls]
_call_report_key = pytest.StashKey[pytest.TestReport]()
_fake_key = pytest.StashKey["FakeChime"]()  # the fixture's fake, for the report section


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The command-line flags and ini options of the options table (pytest_chime.options)."""
    group = parser.getgroup("chime", "pytest-chime: a fake Amazon Chime service")
    for option in OPTIONS.values():
        if option.flag is not None:
            if option.kind is bool:
                group.addoption(option.flag, dest=option.dest, action="store_true", default=None, help=option.help)
            else:
                group.addoption(option.flag, dest=option.dest, default=None, metavar=option.metavar, help=option.help)
        parser.addini(option.ini, option.help, type=option.ini_type, default=option.ini_fallback)


@pytest.hookimpl(trylast=True)  # after pytest-randomly's pytest_configure has resolved its seed
def pytest_configure(config: pytest.Config) -> None:
    from .injection import arguments_text  # the registered text is the injection's own signature

    config.addinivalue_line(
        "markers",
        f"chime_error{arguments_text()}: inject a modelled Chime error into the fake_chime fixture",
    )
    config.addinivalue_line("markers", f"fake_chime({usage()}): per-test options of the fake_chime fixture")
    # Bad settings stop the run now, naming the option and what is valid.
    try:
        settings = {option.name: _setting(config, option) for option in OPTIONS.values()}
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_seed_key] = str(settings["seed"])
    config.stash[_chaos_key] = [0, 0]
    config.stash[_settings_key] = settings
    wire.hold()
    config.add_cleanup(wire.release)


def pytest_report_header(config: pytest.Config) -> str:
    chaos = config.stash[_settings_key]["chaos"]
    extra = f", chaos={chaos}" if chaos else ""
    return f"chime: seed={config.stash[_seed_key]}{extra} (repeat with --chime-seed={config.stash[_seed_key]})"


def _setting(config: pytest.Config, option: Option[Any]) -> Any:
    """An option's value for the run: its command-line flag, else its ini option, else its default.

    The seed falls back to pytest-randomly's seed before its default. ValueError for a value
    that cannot work, naming where it was given.
    """
    if option.flag is not None:
        given = config.getoption(option.dest)
        if given is not None and given != "":
            return option.from_text(given, where=option.flag if given is True else f"{option.flag}={given}")
    try:
        raw = config.getini(option.ini)
    except (ValueError, pytest.UsageError):  # pytest's own bool parsing
        raise ValueError(f"ini option {option.ini} is not valid: use {option.valid_text}") from None
    if option is SEED and raw == "":
        randomly = getattr(config.option, "randomly_seed", None)
        return str(randomly) if isinstance(randomly, int) else str(option.default)
    return option.from_text(raw, where=f"ini option {option.ini} = {raw!r}")


def _fake_options(config: pytest.Config, item: pytest.Item) -> dict[str, Any]:
    """Ini and command-line settings, overridden key by key by fake_chime markers, the closest winning."""
    settings: dict[str, Any] = config.stash[_settings_key]
    options = dict(settings)
    for marker in reversed(list(item.iter_markers("fake_chime"))):
        if marker.args:
            raise ChimeFakeError(
                f"@pytest.mark.fake_chime takes keyword arguments only, got {marker.args!r}; "
                f"valid: {', '.join(OPTIONS)}"
            )
        options.update(check(marker.kwargs, where="@pytest.mark.fake_chime"))
    return options


def _error_markers(item: pytest.Item) -> Iterator[pytest.Mark]:
    """chime_error markers in reading order: function decorators top first, then class, then module."""
    for node in reversed(item.listchain()):
        marks = [m for m in node.own_markers if m.name == "chime_error"]
        if isinstance(node, (pytest.Function, pytest.Class)):
            marks.reverse()  # decorators are stored bottom first
        yield from marks


def _injection_from(mark: pytest.Mark, where: str) -> ErrorInjection:
    from .injection import make

    origin = f"@pytest.mark.chime_error{_format_args(mark)}"
    try:
        return make(mark.args, mark.kwargs, origin=origin, name="chime_error")
    except TypeError as exc:
        raise ChimeFakeError(f"bad {exc} (on {where})") from None


def _format_args(mark: pytest.Mark) -> str:
    parts = [repr(a) for a in mark.args] + [f"{k}={v!r}" for k, v in mark.kwargs.items()]
    return f"({', '.join(parts)})"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Fail a test with chime_error markers that does not use the fixture: they would do nothing."""
    if item.get_closest_marker("chime_error") is not None and "fake_chime" not in getattr(item, "fixturenames", ()):
        pytest.fail(
            "pytest-chime: this test has a @pytest.mark.chime_error but does not use the fake_chime fixture, "
            "so no error would be injected. Request fake_chime (an argument fake_chime, or "
            "@pytest.mark.usefixtures('fake_chime')).",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        item.stash[_call_report_key] = report
    _add_section(item, report)
    if report.when == "teardown" and _fake_key in item.stash:
        del item.stash[_fake_key]  # the test is over: its item, kept to the session's end, lets the fake go
    return report


def _add_section(item: pytest.Item, report: pytest.TestReport) -> None:
    """Give the report of a test that used the fixture the "chime fake" section.

    Every call report gets it (pytest shows it for a failure, and for a pass under -rP or
    -rA); a setup or teardown report only when that phase failed. Sections travel with
    the report, so pytest-xdist's controller shows them too.
    """
    fake = item.stash.get(_fake_key, None)
    if fake is None or (report.when != "call" and not report.failed):
        return
    full = item.config.get_verbosity() >= 2
    from . import report as report_section

    report.sections.append((report_section.TITLE, fake.summary(full=full)))


@pytest.fixture
def fake_chime(request: pytest.FixtureRequest) -> Iterator[FakeChime]:
    """A FakeChime answering every botocore client's Chime calls for this test."""
    from .fake import FakeChime

    config = request.config
    node = request.node
    try:
        options = _fake_options(config, node)
        injections = [_injection_from(mark, node.nodeid) for mark in _error_markers(node)]
        fake = FakeChime(scope=node.nodeid, **options)
    except (ChimeFakeError, ValueError, TypeError) as exc:
        misuse = str(exc)
    else:
        misuse = ""
    if misuse:
        pytest.fail(misuse, pytrace=False)
    node.stash[_fake_key] = fake
    _relay_hooks(fake, node)
    node.ihook.pytest_chime_configure(fake=fake)
    for item in injections:
        fake._queue(item)
    before = wire.active_fakes()
    threads = frozenset(threading.enumerate())
    fake.start()
    try:
        yield fake
    finally:
        left = wire.stop_fakes(_left_since(config, (*before, fake)))
        fake.stop()
        wire.leave_threads(threads, f"test {node.nodeid}")
        totals = config.stash[_chaos_key]
        totals[0] += fake.chaos_faults
        totals[1] += len(fake.calls)
    report = node.stash.get(_call_report_key, None)
    # Only a test that ran to a pass (an xpass too) is checked for unused injections and
    # refused calls: a failed, skipped or xfailed test has said what went wrong already.
    problem = fake.problems(check_unused=report is not None and report.passed)
    if left:
        problem = "\n".join(filter(None, [_left_message(left), problem]))
    if problem:
        pytest.fail(f"pytest-chime: {problem}", pytrace=False)


@pytest.fixture
def fake_chime_server(fake_chime: FakeChime) -> Iterator[FakeChime]:
    """``fake_chime``, also served on 127.0.0.1, with its ``environ`` in ``os.environ`` for the test:
    a subprocess, the aws CLI or a Node.js script started by the test reaches it."""
    fake_chime.serve()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in fake_chime.environ.items():
            patch.setenv(name, value)
        yield fake_chime


def _relay_hooks(fake: FakeChime, node: Any) -> None:
    """Call the conftest hooks for the fake's new resources (only when some plugin implements them)."""
    hooks = node.config.pluginmanager.hook
    if hooks.pytest_chime_meeting_created.get_hookimpls():

        def pytest_chime_meeting_created(meeting: dict[str, Any], params: dict[str, Any]) -> None:
            node.ihook.pytest_chime_meeting_created(meeting=meeting, params=params)

        fake.meeting_hooks.append(pytest_chime_meeting_created)
    if hooks.pytest_chime_attendee_created.get_hookimpls():

        def pytest_chime_attendee_created(
            attendee: dict[str, Any], meeting: Mapping[str, Any], params: dict[str, Any]
        ) -> None:
            node.ihook.pytest_chime_attendee_created(attendee=attendee, meeting=meeting, params=params)

        fake.attendee_hooks.append(pytest_chime_attendee_created)
    if hooks.pytest_chime_event.get_hookimpls():

        def pytest_chime_event(event: dict[str, Any]) -> None:
            node.ihook.pytest_chime_event(fake=fake, event=event)

        fake.event_hooks.append(pytest_chime_event)


def _left_message(left: list[FakeChime], by: str = "this test") -> str:
    names = ", ".join(repr(fake) for fake in left)
    return (
        f"{by} left {len(left)} FakeChime(s) started ({names}); they were stopped so that they answer no "
        "later test. Stop every fake a test or fixture starts (with FakeChime() as fake: ... stops it)."
    )


#: Fixture (of broader than function scope) -> the fakes started while it was set up: they are its own.
_owned_key = pytest.StashKey[dict[Any, list["FakeChime"]]]()
#: Fixture name -> the fakes it still had started when it was torn down.
_released_key = pytest.StashKey[dict[str, list["FakeChime"]]]()


def _owned(config: pytest.Config) -> list[FakeChime]:
    """The fakes of the fixtures of broader than function scope now set up."""
    return [fake for fakes in config.stash.get(_owned_key, {}).values() for fake in fakes]


def _left_since(config: pytest.Config, before: tuple[FakeChime, ...]) -> list[FakeChime]:
    """The fakes started since ``before`` was taken and still active, but for those a wider fixture owns."""
    owned = _owned(config)
    return [fake for fake in wire.active_fakes() if fake not in before and fake not in owned]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    """Note the fakes active before the test's setup: those it leaves started are the ones started since."""
    item.stash[_before_key] = wire.active_fakes()
    yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, None, None]:
    """After every fixture is torn down: stop the fakes the test (or a wider fixture) left started, and fail it."""
    problems: list[str] = []
    try:
        yield
    finally:
        config = item.config
        released = config.stash.get(_released_key, {})
        if released:
            del config.stash[_released_key]
        for name, fakes in released.items():
            stopped = wire.stop_fakes(fakes)
            if stopped:
                problems.append(_left_message(stopped, f"the fixture {name!r}, torn down,"))
        before = item.stash.get(_before_key, None)
        if before is not None:
            stopped = wire.stop_fakes(_left_since(config, before))
            if stopped:
                problems.append(_left_message(stopped))
    if problems:
        pytest.fail("pytest-chime: " + "\n".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True, specname="pytest_fixture_setup")
def pytest_fixture_setup_owns_fakes(fixturedef: Any, request: pytest.FixtureRequest) -> Generator[None, object, object]:
    """A fake started while a fixture of broader than function scope is set up is that fixture's.

    It serves every test of the fixture's scope: the check for fakes a test leaves started passes it by.
    """
    if fixturedef.scope == "function":
        return (yield)
    before = wire.active_fakes()
    try:
        return (yield)
    finally:
        config = request.config
        owned = _owned(config)
        started = [fake for fake in wire.active_fakes() if fake not in before and fake not in owned]
        if started:
            config.stash.setdefault(_owned_key, {}).setdefault(fixturedef, []).extend(started)


def pytest_fixture_post_finalizer(fixturedef: Any, request: pytest.FixtureRequest) -> None:
    """A wider fixture is torn down: a fake it left started fails the test whose teardown tore it down."""
    fakes = request.config.stash.get(_owned_key, {}).pop(fixturedef, [])
    left = [fake for fake in fakes if fake in wire.active_fakes()]
    if left:
        request.config.stash.setdefault(_released_key, {}).setdefault(fixturedef.argname, []).extend(left)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Generator[None, object, object]:
    """Give Faker's ``faker`` fixture (or a project's override of it) the ``chime_*`` provider.

    faker is imported only when a test uses a fixture named ``faker``.
    """
    value = yield
    if fixturedef.argname == "faker" and value is not None:
        from .providers import add_to

        add_to(value)
    return value


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker reports its totals to the controller
        totals = session.config.stash[_chaos_key]
        workeroutput["chime_chaos"] = totals.copy()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    output = getattr(node, "workeroutput", {}).get("chime_chaos")
    if output:
        config: pytest.Config = node.config
        totals = config.stash[_chaos_key]
        totals[0] += output[0]
        totals[1] += output[1]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    rate = config.stash[_settings_key]["chaos"]
    if not rate:
        return
    faults, calls = config.stash[_chaos_key]
    terminalreporter.write_sep("-", "pytest-chime chaos")
    terminalreporter.write_line(
        f"injected {faults} fault(s) into {calls} fake-answered call(s) at rate {rate}; "
        f"seed {config.stash[_seed_key]} (repeat with --chime-seed={config.stash[_seed_key]} --chime-chaos={rate})"
    )
