"""Argument checks shared by every paper: the one copy of the generic validators.

The bad-input rule (`tests/_bad_input.py`): every public function of `theory/` and `numerics/`
returns a finite, meaningful value or raises `ValueError` naming the argument and its allowed
range. These primitives raise those errors; each paper's `_checks.py` / `_validate.py` keeps
its own public names as thin wrappers over them, plus the validators only that paper needs.

- `real`: one finite number in a range, as a `float`;
- `integer`: one whole number in a range, as an `int` (a float with an integral value is
  accepted; `bool`, NaN and inf are not);
- `finite_array`: an array of finite numbers (optionally in a range, of a given number of
  dimensions, non-empty), as a float array;
- `integer_array`: an array of whole numbers in a range, as an `int` array;
- `seed`: a seed for `numpy.random.default_rng`, `None` or an integer >= 0.

A range is given by `low` and `high` (`None` or an infinite bound means none on that side),
closed unless `low_open` / `high_open`: "positive" is `low=0, low_open=True`, "non-negative"
is `low=0`. A valid value is returned converted and otherwise unchanged.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import numpy as np

__all__ = ["real", "integer", "finite_array", "integer_array", "seed", "describe_range"]


def _bound(low: float | None, high: float | None) -> tuple[float, float]:
    return (-math.inf if low is None else low), (math.inf if high is None else high)


def _num(x: float) -> str:
    return str(int(x)) if isinstance(x, numbers.Integral) else f"{float(x):g}"


def describe_range(low: float | None = None, high: float | None = None, low_open: bool = False,
                   high_open: bool = False) -> str:
    """The range in words, as the messages print it: `"in [0, 1)"`, `"> 0"`, `"<= 5"`, `""` (none)."""
    low, high = _bound(low, high)
    has_low, has_high = low > -math.inf, high < math.inf
    if has_low and has_high:
        return f"in {'(' if low_open else '['}{_num(low)}, {_num(high)}{')' if high_open else ']'}"
    if has_low:
        return f"{'>' if low_open else '>='} {_num(low)}"
    if has_high:
        return f"{'<' if high_open else '<='} {_num(high)}"
    return ""


def _is_scalar(value: Any) -> bool:
    """True for one number-like value: not a bool, not text, of no dimensions."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return False
    try:
        return np.ndim(value) == 0
    except (TypeError, ValueError):
        return False


def real(name: str, value: Any, *, low: float | None = -math.inf, high: float | None = math.inf,
         low_open: bool = False, high_open: bool = False) -> float:
    """`value` as a `float`, which must be one finite number in the range `low .. high`.

    Anything `float()` converts is accepted (Python and numpy numbers, 0-d arrays and tensors),
    except `bool` and text. The bounds are closed unless `low_open` / `high_open`; `None` or an
    infinite bound means no bound. Raises `ValueError` naming `name` and the range otherwise
    (NaN, inf, out of range, an array, not a number).
    """
    low, high = _bound(low, high)
    try:
        v = float(value) if _is_scalar(value) else math.nan
    except (TypeError, ValueError, OverflowError):
        v = math.nan
    if not math.isfinite(v) or v < low or v > high or (low_open and v == low) or (high_open and v == high):
        allowed = f"a finite number {describe_range(low, high, low_open, high_open)}".rstrip()
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def integer(name: str, value: Any, *, low: float | None = -math.inf, high: float | None = math.inf) -> int:
    """`value` as an `int`, which must be a whole number in `[low, high]`.

    Integers (Python, numpy, 0-d integer arrays) are taken exactly; a float is accepted when it
    is finite with an integral value (`3.0`). `bool`, NaN, inf, `2.5`, text and arrays are not.
    `None` or an infinite bound means no bound. Raises `ValueError` naming `name` and the range.
    """
    low, high = _bound(low, high)
    v: int | None = None
    if _is_scalar(value):
        try:
            v = operator.index(value)
        except TypeError:
            try:
                f = float(value)
            except (TypeError, ValueError, OverflowError):
                f = math.nan
            v = int(f) if math.isfinite(f) and f.is_integer() else None
    if v is None or v < low or v > high:
        allowed = f"an integer {describe_range(low, high)}".rstrip()
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def _show(value: Any, arr: np.ndarray) -> str:
    return repr(value) if arr.size <= 4 else f"an array of shape {arr.shape}"


def _as_array(name: str, value: Any, dtype: Any, ndim: int | None, min_ndim: int | None,
              allow_empty: bool, what: str) -> np.ndarray:
    """`value` as an array of `dtype`, of the stated dimensions and (unless allowed) non-empty."""
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be an array of {what}, got {type(value).__name__}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def _outside(arr: np.ndarray, low: float, high: float, low_open: bool, high_open: bool) -> bool:
    """True when some entry of `arr` lies outside the range (infinite bounds cost nothing)."""
    if low > -math.inf and np.any(arr <= low if low_open else arr < low):
        return True
    return high < math.inf and bool(np.any(arr >= high if high_open else arr > high))


def finite_array(name: str, value: Any, *, ndim: int | None = None, min_ndim: int | None = None,
                 dtype: Any = float, allow_empty: bool = False, low: float | None = -math.inf,
                 high: float | None = math.inf, low_open: bool = False, high_open: bool = False) -> np.ndarray:
    """`value` as a numpy array of `dtype` (float64) whose entries are all finite and in range.

    `ndim` asks for exactly that many dimensions, `min_ndim` for at least that many; an empty
    array is refused unless `allow_empty`. The range is as in `real` (none by default). The
    array is `numpy.asarray(value, dtype)`: a float64 array comes back as the same object.
    Raises `ValueError` naming `name` (and the range) on NaN, inf, a value out of range, the
    wrong number of dimensions, an empty array, or a value that is not an array of numbers.
    """
    low, high = _bound(low, high)
    arr = _as_array(name, value, dtype, ndim, min_ndim, allow_empty, "real numbers")
    if not np.all(np.isfinite(arr)) or _outside(arr, low, high, low_open, high_open):
        rng = describe_range(low, high, low_open, high_open)
        raise ValueError(f"{name} must be finite{' and ' + rng if rng else ''}, got {_show(value, arr)}")
    return arr


def integer_array(name: str, value: Any, *, low: float | None = -math.inf, high: float | None = math.inf,
                  ndim: int | None = None, allow_empty: bool = True) -> np.ndarray:
    """`value` as a numpy `int` array of whole numbers in `[low, high]`.

    Integer arrays are taken as they are, float arrays when every entry is finite and integral;
    bool, text and object arrays are refused. An empty array (of any dtype) is accepted, as an
    empty `int` array, unless `allow_empty` is false. `ndim` asks for that many dimensions.
    Raises `ValueError` naming `name` and the range.
    """
    low, high = _bound(low, high)
    arr = _as_array(name, value, None, ndim, None, allow_empty, "integers")
    if arr.size == 0:
        return arr.astype(int)
    allowed = f"whole numbers {describe_range(low, high)}".rstrip()
    if arr.dtype.kind not in "fiu":
        raise ValueError(f"{name} must hold {allowed}, got dtype {arr.dtype}")
    f = arr.astype(float)
    if not np.all(np.isfinite(f)) or not np.all(f == np.round(f)) or _outside(f, low, high, False, False):
        raise ValueError(f"{name} must hold {allowed}, got {_show(value, arr)}")
    return arr.astype(int)


def seed(name: str, value: Any) -> int | None:
    """A seed for `numpy.random.default_rng`: `None`, or `value` as an integer >= 0."""
    return None if value is None else integer(name, value, low=0)
