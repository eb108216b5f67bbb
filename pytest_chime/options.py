"""The options of a fake (FakeChime's keywords, ``fake_chime`` markers, ini and command-line
settings) and what each must be: checked where they are given, before anything runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

#: The options of a fake, with what each must be (FakeChime's keywords, fake_chime markers, settings).
OPTION_RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "seed": (lambda v: isinstance(v, (int, str)) and not isinstance(v, bool), "an integer or a string"),
    "quota": (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "an integer >= 0"),
    "region": (lambda v: isinstance(v, str) and bool(v), "a region name such as 'us-east-1'"),
    "media_region": (lambda v: isinstance(v, str) and bool(v), "a media region name such as 'us-east-1'"),
    "account_id": (lambda v: isinstance(v, str) and len(v) == 12 and v.isdigit(), "a 12-digit account id string"),
    "real_sleep": (lambda v: isinstance(v, bool), "True or False"),
    "chaos": (
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 <= v <= 1.0,
        "a number from 0 to 1",
    ),
    "assert_all_errors_used": (lambda v: isinstance(v, bool), "True or False"),
}


def check_options(options: Mapping[str, Any], *, where: str) -> None:
    """Raise ValueError naming the option and what is valid, for the first option that is not."""
    for name, value in options.items():
        rule = OPTION_RULES.get(name)
        if rule is not None and not rule[0](value):
            raise ValueError(f"{where}: {name}={value!r} is not valid: use {rule[1]}")
