"""Every code example in README.md and docs/ runs, and the examples/ suite passes.

How a documented block runs (one test per block, named ``<file>:<line>``):

- a block containing ``def test_`` is a test module: it runs through ``pytester`` and all
  of its tests must pass;
- a block whose first line is ``# conftest.py`` (or ``# pytest.ini``) is set-up: it is
  checked on its own, and written beside the next test-module block of the same file;
- any other Python block is executed with ``exec`` in a namespace holding ``FakeChime``;
- a block whose first line is ``# doc: no-run <reason>`` is skipped with that reason.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

# Imported here although only the examples use them: pytester restores sys.modules after
# each in-process run, and importing hypothesis afresh costs about a second a run.
import boto3  # noqa: F401
import faker  # noqa: F401
import hypothesis  # noqa: F401
import pytest

from pytest_chime import FakeChime, wire

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"

#: Options every documented test module runs with: pyproject's strictness (warnings are
#: errors, but for botocore 1.37.1's utcnow() on Python 3.12+), no cache.
INNER_ARGS = (
    "-p",
    "no:cacheprovider",
    "-p",
    "no:randomly",  # an example's tests run in the order the page tells them (a module-scoped fake's)
    "--strict-markers",
    "--strict-config",
    "-W",
    "error",
    "-W",
    "ignore:datetime.datetime.utcnow:DeprecationWarning:botocore",
)
SETUP_FILES = {"# conftest.py": "conftest.py", "# pytest.ini": "pytest.ini"}
NO_RUN = "# doc: no-run"


@dataclass
class Block:
    """One code example: where it is, its source, and the set-up blocks before it."""

    path: Path
    line: int
    language: str
    source: str
    setup: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"

    @property
    def first_line(self) -> str:
        return self.source.lstrip("\n").split("\n", 1)[0].strip()

    @property
    def setup_file(self) -> str | None:
        return SETUP_FILES.get(self.first_line)

    @property
    def is_test_module(self) -> bool:
        return self.setup_file is None and re.search(r"^\s*(async\s+)?def test_", self.source, re.MULTILINE) is not None


_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M)
_DIRECTIVE = re.compile(r"^(?P<indent> *)\.\. code-block:: *(?P<lang>\w+) *$", re.M)


def markdown_blocks(path: Path) -> list[Block]:
    """The ```python fenced blocks of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    blocks = []
    for found in _FENCE.finditer(text):
        if found["lang"] in ("python", "py"):
            line = text.count("\n", 0, found.start("body")) + 1
            blocks.append(Block(path, line, "python", textwrap.dedent(found["body"])))
    return blocks


def rst_blocks(path: Path) -> list[Block]:
    """The ``.. code-block:: python`` blocks (and ``ini`` blocks) of a reStructuredText file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    blocks = []
    index = 0
    while index < len(lines):
        found = _DIRECTIVE.match(lines[index])
        index += 1
        if found is None or found["lang"] not in ("python", "ini"):
            continue
        indent = len(found["indent"])
        while index < len(lines) and re.match(r"^\s+:[\w-]+:", lines[index]):  # directive options
            index += 1
        body: list[str] = []
        start = None
        while index < len(lines):
            text = lines[index]
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            if start is None and text.strip():
                start = index + 1
            body.append(text)
            index += 1
        if start is not None:
            blocks.append(Block(path, start, found["lang"], textwrap.dedent("\n".join(body)).strip("\n") + "\n"))
    return blocks


def documented_blocks() -> list[Block]:
    """Every runnable block, each carrying the set-up blocks that precede it in its file."""
    files = [README] if README.exists() else []
    sources = [markdown_blocks(path) for path in files]
    sources += [rst_blocks(path) for path in sorted(DOCS.glob("*.rst"))]
    out = []
    for blocks in sources:
        pending: dict[str, str] = {}
        for block in blocks:
            if block.language == "ini" and block.setup_file is None:
                continue  # an ini block that is not a pytest.ini is prose, not an example
            if block.setup_file is not None:
                pending[block.setup_file] = block.source
            elif block.is_test_module:
                block.setup = pending
                pending = {}
            out.append(block)
    return out


BLOCKS = documented_blocks()


def test_the_documentation_has_examples() -> None:
    assert len([block for block in BLOCKS if block.is_test_module]) >= 10


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_documented_example_runs(block: Block, pytester: pytest.Pytester) -> None:
    if block.first_line.startswith(NO_RUN):
        reason = block.first_line.removeprefix(NO_RUN).strip(" :-")
        assert reason, f"{block.id}: '{NO_RUN}' needs a reason"
        pytest.skip(f"{block.id}: {reason}")
    if block.setup_file is not None:
        (pytester.path / block.setup_file).write_text(block.source, encoding="utf-8")
        pytester.makepyfile(test_documented_setup="def test_setup_loads():\n    pass\n")
        result = pytester.runpytest(*INNER_ARGS)
        result.assert_outcomes(passed=1)
    elif block.is_test_module:
        for name, source in block.setup.items():
            (pytester.path / name).write_text(source, encoding="utf-8")
        pytester.makepyfile(test_documented_example=block.source)
        result = pytester.runpytest(*INNER_ARGS)
        outcomes = result.parseoutcomes()
        assert result.ret == 0, result.stdout.str()
        assert set(outcomes) <= {"passed", "skipped"}, result.stdout.str()
        if not outcomes.get("passed"):  # e.g. a legacy-chime example on a botocore without it
            pytest.skip(f"{block.id}: every test of the example was skipped here")
    else:
        namespace = {"__name__": "documented_example", "FakeChime": FakeChime}
        try:
            exec(compile(block.source, block.id, "exec"), namespace)
        finally:
            left = []
            while (fake := wire.active()) is not None:  # a block must not leave a fake answering later tests
                fake.stop()
                left.append(fake)
        assert not left, f"{block.id} left {len(left)} FakeChime(s) started"


@pytest.mark.evidence  # a pytest subprocess; .ci/run also runs README's main job itself
def test_the_examples_suite_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "examples", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
