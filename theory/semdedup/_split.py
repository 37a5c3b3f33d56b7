"""The split-probability model of planted-pair recall (derivation `semdedup.split`): the probability
that k-means puts a near copy in another cluster than its original, for hard and soft top-2
assignment, in closed form (independent competitors) and by Monte Carlo."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.special import ndtr

from theory._derivation import Derivation, Step
from theory.semdedup import _checks as chk

__all__ = [
    "SPLIT",
    "split_probability",
    "split_probability_lower",
    "split_probability_mc",
    "soft_miss_probability",
    "soft_miss_probability_mc",
    "small_sigma_split_rate",
]


k = sp.symbols("k", positive=True)  # the number of clusters (the same symbol as in `_cost`)
g, sig, delta, r = sp.symbols("g sigma delta r", positive=True)
z = sp.symbols("z", real=True)
_Phi = lambda x: (1 + sp.erf(x / sp.sqrt(2))) / 2  # noqa: E731
_x = sp.symbols("x", real=True)
_n1, _n2, _v1, _v2 = sp.symbols("n1 n2 v1 v2", real=True)
_phi2 = lambda t: sp.exp(-(t**2)) / sp.sqrt(sp.pi)  # noqa: E731  N(0, 1/2): d = 2
_proj_var = sp.integrate(
    sp.integrate(sp.expand((_v1 * _n1 + _v2 * _n2) ** 2) * _phi2(_n1) * _phi2(_n2), (_n1, -sp.oo, sp.oo)),
    (_n2, -sp.oo, sp.oo),
)
_proj_check = sp.simplify(_proj_var - (_v1**2 + _v2**2) / 2) == 0
_pdf = sp.exp(-((_x - g) ** 2) / (2 * sig**2)) / (sig * sp.sqrt(2 * sp.pi))
_p_cross = sp.integrate(_pdf, (_x, -sp.oo, 0))
_p_cross_check = sp.simplify((_p_cross - _Phi(-g / sig)).rewrite(sp.erf)) == 0
_p_soft = sp.integrate(_pdf, (_x, -sp.oo, -delta * r))
_p_soft_check = sp.simplify((_p_soft - _Phi(-(g + delta * r) / sig)).rewrite(sp.erf)) == 0
_u = sp.symbols("u", positive=True)
_int_tail = sp.integrate(_Phi(-_u), (_u, 0, sp.oo))
_int_check = sp.simplify(_int_tail - 1 / sp.sqrt(2 * sp.pi)) == 0

SPLIT = Derivation(
    id="semdedup.split",
    title="Probability that k-means splits a planted near-duplicate pair",
    paper="semdedup",
    source="Brief C.7-4 (recall falls with k; miss rate = split probability); our model",
    assumptions=(
        "Copy x' = (x + sigma n)/|x + sigma n| with n ~ N(0, I_d/d); centroids mu_c fixed; x in cluster c(x) "
        "with gaps g_c = <x, mu_c(x) - mu_c> >= 0; eps large enough that a pair in one cluster is always caught; "
        "competitors treated as independent."
    ),
    steps=(
        Step(
            r"\arg\max_c \langle x', \mu_c\rangle = \arg\max_c \langle x + \sigma n, \mu_c\rangle",
            "Normalising x + sigma n divides every score by the same positive number.",
        ),
        Step(
            sp.Eq(sp.Symbol("Var<n, v>"), _proj_var),
            "The projection of n ~ N(0, I/d) on v is N(0, |v|^2/d) (checked for d = 2); with v = mu_c(x) - mu_c "
            "the gap moves by N(0, s_c^2), s_c = sigma |mu_c(x) - mu_c| / sqrt(d).",
            check=_proj_check,
        ),
        Step(
            sp.Eq(sp.Symbol("P(g' < 0)"), _p_cross),
            "The copy leaves for c iff its gap g' ~ N(g_c, s_c^2) turns negative: Phi(-g_c/s_c).",
            check=_p_cross_check,
        ),
        Step(
            sp.Eq(sp.Symbol("P(g' < -r delta)"), _p_soft),
            "Soft top-2 with margin delta (on unit vectors; |x + sigma n| ~ r = sqrt(1 + sigma^2)): the copy "
            "is missed only if it lands more than delta beyond, and the original is not a soft member of its cluster (g > delta).",
            check=_p_soft_check,
        ),
        Step(
            sp.Eq(sp.Integral(_Phi(-_u), (_u, 0, sp.oo)), _int_tail, evaluate=False),
            "Small sigma: averaging Phi(-g/s) over gaps with density p(0) at 0 gives p(0) s / sqrt(2 pi); "
            "miss rate is linear in sigma and in the boundary mass p(0), which grows with k.",
            check=_int_check,
        ),
    ),
    result=sp.Eq(sp.Symbol("P_split"), 1 - sp.Product(_Phi(sp.Symbol("g_c") / sp.Symbol("s_c")), (sp.Symbol("c"), 1, k - 1))),
)


def _gaps(x: np.ndarray, centroids: np.ndarray):
    X = np.asarray(x, dtype=np.float64)
    C = np.asarray(centroids, dtype=np.float64)
    S = X @ C.T
    c1 = S.argmax(axis=1)
    gaps = S[np.arange(len(X)), c1][:, None] - S
    sq = np.sum(C * C, axis=1)
    diff = np.sqrt(np.maximum(sq[c1][:, None] + sq[None, :] - 2.0 * (C @ C.T)[c1], 0.0))
    return S, c1, gaps, diff


def split_probability(x: np.ndarray, centroids: np.ndarray, sigma: float) -> np.ndarray:
    """Per item, the model probability that its copy is assigned to another cluster (hard).

    **Arguments:** `x` `(n, d)` unit embeddings (nonzero rows), `centroids` `(k, d)`, noise scale
    `sigma >= 0` (0: no noise, no split).

    **Raises:** `ValueError` for NaN/inf, a zero row of `x`, mismatched dimensions, no centroids, or
    a negative `sigma`.
    """
    X, C = chk.embeddings(x, centroids)
    sigma = chk.scalar(sigma, "sigma")
    d = X.shape[1]
    S, c1, gaps, diff = _gaps(X, C)
    if S.shape[1] == 1:
        return np.zeros(len(X))
    scale = sigma * diff / math.sqrt(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        stay = ndtr(np.where(scale > 0, gaps / scale, np.inf))
    stay[np.arange(len(X)), c1] = 1.0
    return 1.0 - np.prod(stay, axis=1)


def split_probability_lower(x: np.ndarray, centroids: np.ndarray, sigma: float) -> np.ndarray:
    """Per item, the single-competitor lower bound \\( \\max_c \\Phi(-g_c/s_c) \\) on the split probability.

    **Arguments and raises:** as `split_probability`.
    """
    X, C = chk.embeddings(x, centroids)
    sigma = chk.scalar(sigma, "sigma")
    d = X.shape[1]
    S, c1, gaps, diff = _gaps(X, C)
    if S.shape[1] == 1:
        return np.zeros(len(X))
    scale = sigma * diff / math.sqrt(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = ndtr(-np.where(scale > 0, gaps / scale, np.inf))
    p[np.arange(len(X)), c1] = 0.0
    return p.max(axis=1)


def _memberships(S: np.ndarray, margin: float | None):
    rows = np.arange(len(S))
    c1 = S.argmax(axis=1)
    if margin is None or S.shape[1] == 1:
        return c1, np.full(len(S), -1)
    T = S.copy()
    T[rows, c1] = -np.inf
    c2 = T.argmax(axis=1)
    soft = S[rows, c1] - T[rows, c2] <= margin
    return c1, np.where(soft, c2, -1)


def _mc_miss(x, centroids, sigma, rng, draws, margin):
    X = np.asarray(x, dtype=np.float64)
    C = np.asarray(centroids, dtype=np.float64)
    d = X.shape[1]
    a1, a2 = _memberships(X @ C.T, margin)
    miss = np.zeros(len(X))
    for _ in range(draws):
        Xc = X + sigma * rng.standard_normal(X.shape) / math.sqrt(d)
        Xc /= np.linalg.norm(Xc, axis=1, keepdims=True)
        b1, b2 = _memberships(Xc @ C.T, margin)
        share = (a1 == b1) | ((a2 >= 0) & (a2 == b1)) | ((b2 >= 0) & (b2 == a1)) | ((a2 >= 0) & (a2 == b2))
        miss += ~share
    return miss / draws


def split_probability_mc(x, centroids, sigma: float, rng: np.random.Generator, draws: int = 16) -> np.ndarray:
    """Per item, the split probability under the same model, with the Gaussian orthant
    probability estimated by `draws` noise draws per item (no independence approximation).
    Slepian's inequality puts it between `split_probability_lower` and `split_probability`
    when the competitors' gap changes are positively correlated.

    **Arguments:** as `split_probability`, plus a numpy `rng` and `draws >= 1`.
    """
    X, C = chk.embeddings(x, centroids)
    return _mc_miss(X, C, chk.scalar(sigma, "sigma"), rng, chk.count(draws, "draws"), None)


def soft_miss_probability_mc(x, centroids, sigma: float, margin: float, rng: np.random.Generator, draws: int = 16):
    """Per item, the probability that soft top-2 assignment (margin on unit-vector scores)
    leaves the pair without a shared cluster, by `draws` noise draws per item.

    **Arguments:** as `split_probability_mc`, plus the soft-assignment `margin >= 0`.
    """
    X, C = chk.embeddings(x, centroids)
    sigma, margin = chk.scalar(sigma, "sigma"), chk.scalar(margin, "margin")
    return _mc_miss(X, C, sigma, rng, chk.count(draws, "draws"), margin)


def soft_miss_probability(x: np.ndarray, centroids: np.ndarray, sigma: float, margin: float) -> np.ndarray:
    """Per item, the model probability that soft top-2 assignment (margin `margin`) still misses its copy.

    **Arguments and raises:** as `split_probability`, plus the soft-assignment `margin >= 0`.
    """
    X, C = chk.embeddings(x, centroids)
    sigma, margin = chk.scalar(sigma, "sigma"), chk.scalar(margin, "margin")
    d = X.shape[1]
    S, c1, gaps, diff = _gaps(X, C)
    if S.shape[1] == 1:
        return np.zeros(len(X))
    rows = np.arange(len(X))
    r_norm = math.sqrt(1.0 + sigma**2)
    scale = sigma * diff / math.sqrt(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        miss_c = ndtr(-np.where(scale > 0, (gaps + margin * r_norm) / scale, np.inf))
    miss_c[rows, c1] = 0.0
    g2 = gaps.copy()
    g2[rows, c1] = np.inf
    c2 = g2.argmin(axis=1)
    rescued = g2[rows, c2] <= margin  # the original is a soft member of its runner-up
    miss_c[rows[rescued], c2[rescued]] = 0.0
    return 1.0 - np.prod(1.0 - miss_c, axis=1)


def small_sigma_split_rate(density_at_zero: float, scale: float) -> float:
    """\\( p(0)\\, s / \\sqrt{2\\pi} \\): small-noise split rate for a gap density \\( p \\).

    **Raises:** `ValueError` for a negative or non-finite `density_at_zero` or `scale`.
    """
    density_at_zero = chk.scalar(density_at_zero, "density_at_zero")
    scale = chk.scalar(scale, "scale")
    return density_at_zero * scale / math.sqrt(2 * math.pi)
