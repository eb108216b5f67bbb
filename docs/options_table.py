"""Write the options table of docs/configuration.rst from the table in pytest_chime/options.py.

Run ``python docs/options_table.py`` after changing an option; a test checks the page is current.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "configuration.rst"
BEGIN = ".. BEGIN options table: written by docs/options_table.py from pytest_chime/options.py"
END = ".. END options table"


def render() -> str:
    """The options table, as reStructuredText."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from pytest_chime.options import OPTIONS

    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - ini option",
        "     - Command line",
        "     - ``fake_chime`` marker, ``FakeChime`` keyword and attribute",
        "     - Default",
        "     - Valid",
        "     - Meaning",
    ]
    for option in OPTIONS.values():
        if option.flag is None:
            flag = "—"
        elif option.kind is bool:
            flag = f"``{option.flag}``"
        else:
            flag = f"``{option.flag}={option.metavar}``"
        text = f" (``{option.valid_text}`` in the ini file)" if option.valid_text != option.valid else ""
        meaning = f"{option.help[0].upper()}{option.help[1:]}." + (f" {option.doc}" if option.doc else "")
        lines += [
            f"   * - ``{option.ini}``",
            f"     - {flag}",
            f"     - ``{option.name}=``",
            f"     - ``{option.default!r}``",
            f"     - {option.valid[0].upper()}{option.valid[1:]}{text}",
            f"     - {meaning}",
        ]
    return "\n".join(lines) + "\n"


def page(text: str) -> str:
    """``text`` (the page) with its table between the BEGIN and END comments rewritten."""
    head, found, rest = text.partition(BEGIN + "\n")
    if not found or END not in rest:
        raise SystemExit(f"{PAGE}: the {BEGIN!r} and {END!r} comments are missing")
    return f"{head}{BEGIN}\n\n{render()}\n{END}{rest.partition(END)[2]}"


if __name__ == "__main__":
    PAGE.write_text(page(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
