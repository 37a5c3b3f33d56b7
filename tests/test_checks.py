"""The shared argument checks of `theory._checks` (the one copy of the generic validators).

Every primitive refuses NaN, inf and out-of-range values with a `ValueError` whose message
names the argument and its range, and returns an in-range value unchanged; the papers' own
check modules are thin wrappers over them, so the same holds there.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from theory import _checks as C

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
FINITE = st.floats(allow_nan=False, allow_infinity=False)
NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf")])
BOUNDS = st.tuples(st.floats(-1e6, 1e6), st.floats(0.0, 1e6)).map(lambda t: (t[0], t[0] + t[1]))
INT_BOUNDS = st.tuples(st.integers(-1000, 1000), st.integers(0, 1000)).map(lambda t: (t[0], t[0] + t[1]))


def _raises_naming(name: str, fn, *args, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        fn(name, *args, **kwargs)
    msg = str(info.value)
    assert msg.startswith(name + " "), msg
    return msg


# --------------------------------------------------------------------------- real


@given(NAMES, BOUNDS, st.floats(0, 1), st.booleans(), st.booleans())
def test_real_accepts_in_range_unchanged(name, bounds, t, low_open, high_open):
    low, high = bounds
    x = low + t * (high - low)
    if (low_open and x == low) or (high_open and x == high) or not low <= x <= high:
        return
    for v in (x, np.float64(x)):
        out = C.real(name, v, low=low, high=high, low_open=low_open, high_open=high_open)
        assert type(out) is float and out == x


@given(NAMES, FINITE)
def test_real_unbounded_is_identity(name, x):
    assert C.real(name, x) == x and C.real(name, x, low=None, high=None) == x


@given(NAMES, NON_FINITE, BOUNDS)
def test_real_refuses_non_finite(name, x, bounds):
    msg = _raises_naming(name, C.real, x, low=bounds[0], high=bounds[1])
    assert C.describe_range(*bounds) in msg


@given(NAMES, BOUNDS, st.floats(1e-3, 1e6), st.booleans())
def test_real_refuses_out_of_range(name, bounds, gap, below):
    low, high = bounds
    x = low - gap if below else high + gap
    assert "in [" in _raises_naming(name, C.real, x, low=low, high=high)


@given(NAMES, st.floats(-10, 10))
def test_real_open_ends(name, b):
    assert "> " in _raises_naming(name, C.real, b, low=b, low_open=True)
    assert "< " in _raises_naming(name, C.real, b, high=b, high_open=True)
    assert C.real(name, b, low=b) == b == C.real(name, b, high=b)


@pytest.mark.parametrize("bad", [True, np.bool_(False), "1.0", None, [1.0], np.array([1.0]), {"a": 1}, 1 + 2j, 10**400])
def test_real_refuses_what_is_not_one_number(bad):
    _raises_naming("lr", C.real, bad)


def test_real_accepts_scalar_likes():
    assert C.real("x", np.array(2.5)) == 2.5
    assert C.real("x", np.float32(0.1)) == float(np.float32(0.1))
    assert C.real("x", 3) == 3.0 and type(C.real("x", np.int64(3))) is float


# --------------------------------------------------------------------------- integer


@given(NAMES, INT_BOUNDS, st.floats(0, 1))
def test_integer_accepts_in_range_unchanged(name, bounds, t):
    low, high = bounds
    k = low + round(t * (high - low))
    for v in (k, np.int64(k), float(k), np.float64(k), np.array(k)):
        out = C.integer(name, v, low=low, high=high)
        assert type(out) is int and out == k


@given(NAMES, st.integers(-(10**30), 10**30))
def test_integer_takes_python_ints_exactly(name, k):
    assert C.integer(name, k) == k


@given(NAMES, NON_FINITE, INT_BOUNDS)
def test_integer_refuses_non_finite(name, x, bounds):
    msg = _raises_naming(name, C.integer, x, low=bounds[0], high=bounds[1])
    assert f"an integer {C.describe_range(*bounds)}" in msg


@given(NAMES, INT_BOUNDS, st.integers(1, 10**6), st.booleans())
def test_integer_refuses_out_of_range(name, bounds, gap, below):
    low, high = bounds
    k = low - gap if below else high + gap
    assert f"[{low}, {high}]" in _raises_naming(name, C.integer, k, low=low, high=high)


@given(NAMES, FINITE.filter(lambda x: not float(x).is_integer()))
def test_integer_refuses_non_integral_floats(name, x):
    _raises_naming(name, C.integer, x, low=-math.inf)


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), "3", None, [3], np.array([3]), 2.5])
def test_integer_refuses_bool_text_and_arrays(bad):
    msg = _raises_naming("steps", C.integer, bad, low=0)
    assert ">= 0" in msg


# --------------------------------------------------------------------------- finite_array

ARRAYS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
                    elements=st.floats(-1e6, 1e6))


@given(NAMES, ARRAYS)
def test_finite_array_accepts_unchanged(name, a):
    out = C.finite_array(name, a)
    assert out is a  # a float64 array comes back as the same object
    lst = C.finite_array(name, a.tolist())
    assert lst.dtype == np.float64 and np.array_equal(lst, a)
    assert np.array_equal(C.finite_array(name, a, low=a.min(), high=a.max()), a)


@given(NAMES, ARRAYS, st.data(), NON_FINITE)
def test_finite_array_refuses_non_finite(name, a, data, bad):
    b = a.copy()
    b.flat[data.draw(st.integers(0, b.size - 1))] = bad
    assert "must be finite" in _raises_naming(name, C.finite_array, b)
    assert "must be finite and >= 0" in _raises_naming(name, C.finite_array, b, low=0)


@given(NAMES, ARRAYS, st.booleans())
def test_finite_array_refuses_out_of_range(name, a, positive):
    b = np.array(np.abs(a) + 1.0)
    b.flat[0] = -1.0 if not positive else 0.0
    msg = _raises_naming(name, C.finite_array, b, low=0.0, low_open=positive)
    assert ("> 0" if positive else ">= 0") in msg
    assert np.array_equal(C.finite_array(name, np.abs(a) + 1.0, low=0.0, low_open=True), np.abs(a) + 1.0)


@given(NAMES, ARRAYS)
def test_finite_array_dimensions(name, a):
    assert C.finite_array(name, a, ndim=a.ndim, min_ndim=a.ndim) is a
    assert "dimension" in _raises_naming(name, C.finite_array, a, ndim=a.ndim + 1)
    assert "at least" in _raises_naming(name, C.finite_array, a, min_ndim=a.ndim + 1)


def test_finite_array_empty_and_non_numeric():
    assert "empty" in _raises_naming("w0", C.finite_array, np.zeros(0))
    assert C.finite_array("w0", np.zeros((0, 3)), allow_empty=True).shape == (0, 3)
    _raises_naming("X", C.finite_array, {"a": 1})
    _raises_naming("X", C.finite_array, [[1.0], [1.0, 2.0]])
    _raises_naming("X", C.finite_array, "abc")
    assert C.finite_array("X", [True, False]).dtype == np.float64


# --------------------------------------------------------------------------- integer_array


@given(NAMES, INT_BOUNDS, st.lists(st.floats(0, 1), min_size=1, max_size=8), st.booleans())
def test_integer_array_accepts_in_range(name, bounds, ts, as_float):
    low, high = bounds
    k = np.array([low + round(t * (high - low)) for t in ts])
    out = C.integer_array(name, k.astype(float) if as_float else k, low=low, high=high)
    assert out.dtype == np.dtype(int) and np.array_equal(out, k)


@given(NAMES, INT_BOUNDS, NON_FINITE)
def test_integer_array_refuses_non_finite_and_out_of_range(name, bounds, bad):
    low, high = bounds
    msg = _raises_naming(name, C.integer_array, [float(low), bad], low=low, high=high)
    assert f"[{low}, {high}]" in msg
    _raises_naming(name, C.integer_array, [low, high + 1], low=low, high=high)
    _raises_naming(name, C.integer_array, [low - 1], low=low, high=high)
    _raises_naming(name, C.integer_array, [low + 0.5], low=low, high=high + 1)


def test_integer_array_dtype_empty_and_ndim():
    _raises_naming("idx", C.integer_array, np.array([True]))
    _raises_naming("idx", C.integer_array, np.array(["a"]))
    _raises_naming("idx", C.integer_array, np.ones((2, 2)), ndim=1)
    assert C.integer_array("idx", []).dtype == np.dtype(int)
    assert "empty" in _raises_naming("idx", C.integer_array, [], allow_empty=False)


# --------------------------------------------------------------------------- seed and ranges


@given(NAMES, st.one_of(st.none(), st.integers(0, 2**63)))
def test_seed_accepts(name, s):
    assert C.seed(name, s) == s


@given(NAMES, st.one_of(st.integers(max_value=-1), NON_FINITE, st.just(True), st.just(0.5)))
def test_seed_refuses(name, s):
    assert ">= 0" in _raises_naming(name, C.seed, s)


def test_describe_range():
    assert C.describe_range() == ""
    assert C.describe_range(0, None) == ">= 0"
    assert C.describe_range(0.0, low_open=True) == "> 0"
    assert C.describe_range(high=5, high_open=True) == "< 5"
    assert C.describe_range(0, 1, high_open=True) == "in [0, 1)"
    assert C.describe_range(-math.inf, math.inf) == ""


# --------------------------------------------------------------------------- the papers' wrappers


def _wrappers():
    from numerics.max_margin import _checks as nmm
    from theory.class_manifolds import _checks as cm
    from theory.icl import _checks as icl
    from theory.lazy_rich import _validate as lr
    from theory.lottery import _checks as lot
    from theory.max_margin import _checks as mm
    from theory.semdedup import _checks as sd
    from theory.stochastic_collapse import _checks as sc
    from theory.transformer_geometry import _validate as tg

    # (call taking the value, argument name, a valid value, a bad value)
    return [
        (lambda v: cm.real("level", v, low=0.0, high=1.0, low_open=True), "level", 0.5, 1.5),
        (lambda v: cm.integer("k", v, low=0, high=3), "k", 2, 4),
        (lambda v: cm.as_d(v, 10), "d", np.array([0.0, 10.0]), np.array([11.0])),
        (cm.check_D, "D", 3, 2.0),
        (lambda v: icl.check_positive("noise_var", v), "noise_var", 0.3, 0.0),
        (lambda v: icl.check_nonnegative("noise_var", v), "noise_var", 0.0, -0.1),
        (lambda v: icl.check_int("n_context", v, 1), "n_context", 4, 0),
        (lambda v: icl.check_counts("n_context", v, 0), "n_context", [0, 3], [1.5]),
        (lambda v: icl.check_finite_array("alpha", v), "alpha", np.ones(3), np.array([np.inf])),
        (icl.check_seed, "seed", 7, -1),
        (lambda v: lot.check_number("tol", v, 0.0, 1.0, lo_open=True, hi_open=True), "tol", 0.5, 1.0),
        (lambda v: lot.check_int("level", v, 0), "level", 3, -1),
        (lambda v: lot.check_finite_array("H", v, 2), "H", np.eye(2), np.ones(2)),
        (lambda v: lot.check_index_array("order", v, 3), "order", np.array([2, 0]), np.array([3])),
        (lambda v: mm.as_int("steps", v, 1), "steps", 5, 0),
        (lambda v: mm.as_real("lr", v, positive=True), "lr", 0.1, 0.0),
        (lambda v: mm.as_real("q", v, nonnegative=True), "q", 0.0, -1.0),
        (lambda v: mm.finite_array("X", v, ndim=2), "X", np.ones((2, 2)), np.zeros((0, 2))),
        (lambda v: mm.rates_array(v), "rates", np.array([1.0, 0.0]), np.array([-1.0, 1.0])),
        (lambda v: nmm.require_finite("theta", v), "theta", np.ones(2), np.array([np.nan])),
        (lambda v: sd.nonnegative(v, "skew", positive=True), "skew", np.array([1.0]), np.array([0.0])),
        (lambda v: sd.count(v, "n_clusters"), "n_clusters", 2, 0),
        (lambda v: sd.scalar(v, "sigma"), "sigma", 0.1, -0.1),
        (lambda v: sc.finite("s", v), "s", 0.5, math.nan),
        (lambda v: sc.positive("eps", v), "eps", 1e-3, -1.0),
        (lambda v: sc.nonneg("eta", v), "eta", 0.0, -1.0),
        (lambda v: sc.positive_int("n", v), "n", 1, 0),
        (lambda v: sc.nonneg_int("steps", v), "steps", 0, -1),
        (lambda v: lr.array(v, "beta", min_ndim=1), "beta", np.ones(2), np.float64(1.0)),
        (lambda v: lr.learning_rate(v, "eta_a"), "eta_a", 0.1, 0.0),
        (lambda v: lr.count(v, "steps"), "steps", 3, math.inf),
        (lambda v: lr.scalar(v, "delta"), "delta", -2.0, math.nan),
        (lambda v: tg.check_int("n_samples", v, 1), "n_samples", 8, 0),
        (lambda v: tg.check_real("sigma_w", v, 0.0, tg.SIGMA_W_MAX, lo_open=True), "sigma_w", 2.0, 1e200),
        (lambda v: tg.check_rho("rho", v, -1 / 7), "rho", np.array([-1 / 7 - 1e-13, 1.0]), np.array([1.1])),
    ]


@pytest.mark.parametrize("call, name, good, bad", _wrappers(), ids=lambda v: v if isinstance(v, str) else "")
def test_paper_wrappers_name_the_argument(call, name, good, bad):
    """Each paper's checks, now thin wrappers, still accept a valid value and name the argument."""
    call(good)
    with pytest.raises(ValueError, match=rf"^{name} "):
        call(bad)
