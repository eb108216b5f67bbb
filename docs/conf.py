"""Sphinx configuration for pytest-chime's documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

project = "pytest-chime"
author = "pytest-chime developers"
copyright = "pytest-chime developers"
try:
    release = version("pytest-chime")
except PackageNotFoundError:  # building from a checkout that is not installed
    release = "0.1.0"
version = release

# Plain autodoc: the docstrings are reStructuredText, not Google or NumPy style (napoleon
# would read "text: more text" in an attribute's comment as "type: description").
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_default_options = {"members": True, "show-inheritance": True}

exclude_patterns = ["_build"]
templates_path: list[str] = []
html_static_path: list[str] = []

html_theme = "furo"
html_title = f"pytest-chime {release}"
pygments_style = "sphinx"
pygments_dark_style = "monokai"
