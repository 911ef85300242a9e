"""Checks on the arguments of the models: each returns the value or raises a ValueError that
names the parameter, the value given and what is allowed. Standard library only."""

from __future__ import annotations

import math


def positive(name: str, value: object, allow_zero: bool = False) -> float:
    """A finite number > 0 (or >= 0 with ``allow_zero``), as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def count(name: str, value: object, low: int = 1) -> int:
    """A whole number (an int, not a bool) >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return value


def fraction(name: str, value: object) -> float:
    """A number more than 0 and at most 1, such as a utilisation."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise ValueError(f"{name} must be a fraction more than 0 and at most 1, got {value!r}")
    return float(value)
