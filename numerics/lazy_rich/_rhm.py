r"""The Random Hierarchy Model (Cagnetta, Petrini, Tomasini, Favero, Wyart, PRX 14, 031001 (2024)).

A class label (one of `n_c`) generates a string of `s` symbols of the level below through one of its
`m` production rules ("synonyms"), chosen uniformly; every symbol of a vocabulary of `v` symbols does
the same at the next level, down `L` levels, so an input is a string of `s**L` symbols of the lowest
vocabulary. The rules are **unique**: at each level the `m` productions of all symbols (or classes)
are distinct `s`-tuples, drawn uniformly without replacement from the `v**s` possible ones, so no two
symbols share a production and the label is a function of the input.

- `rhm_rules(v, n_c, m, s, L, seed)`: the production rules, a list of `L` integer arrays; level 0 has
  shape `(n_c, m, s)` (class -> productions), levels 1..L-1 have shape `(v, m, s)`.
- `rhm_sample(rules, n, seed)`: `n` inputs `(n, s**L)` (symbols in `[0, v)`) with their labels `(n,)`.
- `rhm_all_inputs(rules)`: every input the rules generate, with its label; there are
  \( n_c\, m^{(s^L - 1)/(s - 1)} \) of them.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["rhm_rules", "rhm_sample", "rhm_all_inputs"]

#: the largest number of inputs `rhm_all_inputs` enumerates
MAX_ENUMERATED = 2_000_000


def _int_arg(name: str, value, low: int) -> int:
    try:
        ok = float(value) == int(value) and int(value) >= low
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _seed_arg(seed) -> int:
    try:
        ok = float(seed) == int(seed) and 0 <= int(seed) < 2**63
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ValueError(f"seed must be an integer in [0, 2**63), got {seed!r}")
    return int(seed)


def rhm_rules(v: int, n_c: int, m: int, s: int, L: int, seed: int = 0) -> list[np.ndarray]:
    """Production rules of a Random Hierarchy Model.

    **Arguments:** `v` vocabulary size per level (>= 2), `n_c` classes (>= 2), `m` synonyms per symbol
    (>= 1), `s` branching factor (>= 2), `L` depth (>= 1), `seed` (>= 0).

    **Returns:** a list of `L` int64 arrays: `rules[0]` of shape `(n_c, m, s)`, `rules[l]` of shape
    `(v, m, s)` for `l >= 1`; the entries are symbols of the level below, in `[0, v)`. Within a level
    all `n_rows * m` productions are distinct.

    **Raises:** `ValueError` naming the argument when one is not an integer in its range, or when
    there are fewer possible productions `v**s` than needed (`m * max(v, n_c)`), so that the rules
    cannot be unique.
    """
    v, n_c, m = _int_arg("v", v, 2), _int_arg("n_c", n_c, 2), _int_arg("m", m, 1)
    s, L, seed = _int_arg("s", s, 2), _int_arg("L", L, 1), _seed_arg(seed)
    if s * math.log2(v) > 62:
        raise ValueError(f"v**s = {v}**{s} is too large to enumerate productions (at most 2**62)")
    n_tuples = v**s
    need = m * max(n_c, v if L > 1 else 0)
    if need > n_tuples:
        raise ValueError(f"m = {m} synonyms for {max(n_c, v if L > 1 else 0)} symbols need {need} distinct productions, "
                         f"but only v**s = {n_tuples} exist: lower m or raise v or s")
    rng = np.random.default_rng(seed)
    powers = v ** np.arange(s - 1, -1, -1, dtype=np.int64)
    rules = []
    for level in range(L):
        rows = n_c if level == 0 else v
        codes = rng.choice(n_tuples, size=rows * m, replace=False).astype(np.int64)
        tuples = (codes[:, None] // powers[None, :]) % v
        rules.append(tuples.reshape(rows, m, s))
    return rules


def _check_rules(rules) -> tuple[int, int, int, int, int]:
    if not isinstance(rules, (list, tuple)) or len(rules) == 0:
        raise ValueError("rules must be the non-empty list returned by rhm_rules")
    arrs = [np.asarray(r) for r in rules]
    if any(a.ndim != 3 or a.dtype.kind not in "iu" or a.size == 0 for a in arrs):
        raise ValueError("rules must be integer arrays of shape (rows, m, s), as returned by rhm_rules")
    n_c, m, s = arrs[0].shape
    v = arrs[1].shape[0] if len(arrs) > 1 else int(arrs[0].max()) + 1
    for a in arrs[1:]:
        if a.shape != (v, m, s):
            raise ValueError(f"rules: every level below the top must have shape (v, m, s) = {(v, m, s)}, got {a.shape}")
    if any(int(a.min()) < 0 or int(a.max()) >= v for a in arrs[:-1]) or int(arrs[-1].min()) < 0:
        raise ValueError("rules: productions must be symbols in [0, v)")
    return v, n_c, m, s, len(arrs)


def rhm_sample(rules, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` labelled inputs of the model `rules`: label uniform over the classes, then at every level
    each symbol is replaced by one of its `m` productions chosen uniformly.

    **Returns:** `(x, y)`: int64 arrays of shapes `(n, s**L)` (symbols of the lowest level) and `(n,)`.

    **Raises:** `ValueError` naming `n` (< 1 or not an integer), `seed`, or `rules` (not as returned
    by `rhm_rules`).
    """
    v, n_c, m, s, L = _check_rules(rules)
    n, seed = _int_arg("n", n, 1), _seed_arg(seed)
    rng = np.random.default_rng(seed)
    y = rng.integers(n_c, size=n)
    seq = np.asarray(rules[0])[y, rng.integers(m, size=n)]  # (n, s)
    for level in range(1, L):
        choice = rng.integers(m, size=seq.shape)
        seq = np.asarray(rules[level])[seq, choice].reshape(n, -1)  # (n, s**(level+1))
    return seq.astype(np.int64), y.astype(np.int64)


def rhm_all_inputs(rules) -> tuple[np.ndarray, np.ndarray]:
    r"""Every input of the model with its label, \( n_c\, m^{(s^L-1)/(s-1)} \) rows (in a fixed order).

    **Raises:** `ValueError` naming `rules` when it is not as returned by `rhm_rules`, or when the
    count exceeds `MAX_ENUMERATED` (2e6).
    """
    v, n_c, m, s, L = _check_rules(rules)
    n_choices = (s**L - 1) // (s - 1)
    count = n_c * m**n_choices
    if count > MAX_ENUMERATED:
        raise ValueError(f"rules: {count} inputs exceed the enumeration limit {MAX_ENUMERATED}")
    # start from every (class, top production) pair, then expand each symbol by every production
    y = np.repeat(np.arange(n_c), m)
    seq = np.asarray(rules[0]).reshape(n_c * m, s)
    for level in range(1, L):
        R = np.asarray(rules[level])  # (v, m, s)
        k = seq.shape[1]
        # all m**k choices for the k symbols of each row
        choices = np.stack(np.meshgrid(*[np.arange(m)] * k, indexing="ij"), -1).reshape(-1, k)  # (m**k, k)
        expanded = R[seq[:, None, :], choices[None, :, :]]  # (rows, m**k, k, s)
        seq = expanded.reshape(-1, k * s)
        y = np.repeat(y, m**k)
    return seq.astype(np.int64), y.astype(np.int64)
