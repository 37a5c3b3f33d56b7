"""Sympy derivations of `theory.icl` (rendered into the docs; every check runs once)."""

from __future__ import annotations

import functools

import sympy as sp

from theory._derivation import Derivation, Step

# =============================================================================================
# Symbolic derivations
# =============================================================================================


def _sym_matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def _ridge_derivation() -> Derivation:
    # A concrete small instance (D = 2 unknowns, n = 3 observations) with every entry symbolic:
    # the identities below are polynomial identities in these entries, so checking them on
    # generic symbols proves them for these sizes; the algebra is size-independent.
    D, n = 2, 3
    sigma2, tau2 = sp.symbols("sigma^2 tau^2", positive=True)
    X = _sym_matrix("x", n, D)
    y = sp.Matrix(n, 1, lambda i, _j: sp.Symbol(f"y_{i + 1}", real=True))
    w = sp.Matrix(D, 1, lambda i, _j: sp.Symbol(f"w_{i + 1}", real=True))
    eye = sp.eye(D)
    log_post = -((y - X * w).T * (y - X * w))[0] / (2 * sigma2) - (w.T * w)[0] / (2 * tau2)
    grad = sp.Matrix([sp.diff(log_post, wi) for wi in w])
    hess = sp.hessian(log_post, list(w))
    precision = X.T * X / sigma2 + eye / tau2
    lam = sigma2 / tau2
    w_ridge = (X.T * X + lam * eye).inv() * X.T * y
    w_precision = precision.inv() * X.T * y / sigma2
    grad_at_ridge = grad.subs(dict(zip(list(w), list(w_ridge))))
    # push-through (kernel) form on n = 2 to keep the symbolic inverse small
    X2, y2 = X[:2, :], y[:2, :]
    w_ridge2 = (X2.T * X2 + lam * eye).inv() * X2.T * y2
    w_kernel2 = tau2 * X2.T * (tau2 * X2 * X2.T + sigma2 * sp.eye(2)).inv() * y2
    cov = precision.inv()

    return Derivation(
        id="icl.ridge_posterior",
        title="Ridge is the posterior mean under the Gaussian task prior",
        paper="icl",
        source="Raventós et al. 2023, Sec. 2 (Ridge baseline); brief B.2",
        assumptions=(
            "Prior w ~ N(0, tau^2 I_D); likelihood y | X, w ~ N(X w, sigma^2 I_n). Checked on a "
            "generic symbolic instance with D = 2, n = 3 (kernel form: n = 2)."
        ),
        steps=(
            Step(
                sp.Eq(sp.Symbol(r"\log p(w \mid X, y)"), sp.Symbol(r"-\frac{|y - Xw|^2}{2\sigma^2} - \frac{|w|^2}{2\tau^2} + c")),
                "Bayes' rule: log prior plus log likelihood, up to a constant in w.",
            ),
            Step(
                sp.Eq(sp.Symbol(r"\nabla^2_w \log p"), sp.Symbol(r"-(X^\top X/\sigma^2 + I/\tau^2)")),
                "The log posterior is quadratic in w with this constant Hessian, so the posterior is "
                "Gaussian with precision X^T X / sigma^2 + I / tau^2 and its mean equals its mode.",
                check=sp.simplify(hess + precision) == sp.zeros(D, D),
            ),
            Step(
                sp.Eq(sp.Symbol(r"\nabla_w \log p\,\big|_{w=(X^\top X + \lambda I)^{-1}X^\top y}"), 0),
                "The gradient vanishes at the ridge solution with lambda = sigma^2 / tau^2.",
                check=sp.simplify(grad_at_ridge) == sp.zeros(D, 1),
            ),
            Step(
                sp.Eq(sp.Symbol(r"(X^\top X/\sigma^2 + I/\tau^2)^{-1} X^\top y/\sigma^2"), sp.Symbol(r"(X^\top X + \tfrac{\sigma^2}{\tau^2} I)^{-1} X^\top y")),
                "Precision form of the posterior mean equals ridge (claim C.B 1).",
                check=sp.simplify(w_precision - w_ridge) == sp.zeros(D, 1),
            ),
            Step(
                sp.Eq(sp.Symbol(r"\hat w"), sp.Symbol(r"\tau^2 X^\top(\tau^2 X X^\top + \sigma^2 I_n)^{-1} y")),
                "Push-through identity: the Gaussian-conditioning (kernel) form Cov(w, y) Var(y)^{-1} y.",
                check=sp.simplify(w_ridge2 - w_kernel2) == sp.zeros(D, 1),
            ),
            Step(
                sp.Eq(sp.Symbol(r"\mathrm{Cov}(w \mid X, y)"), sp.Symbol(r"\sigma^2 (X^\top X + \lambda I)^{-1}")),
                "Inverse of the posterior precision.",
                check=sp.simplify(cov - sigma2 * (X.T * X + lam * eye).inv()) == sp.zeros(D, D),
            ),
            Step(
                sp.Eq(sp.Symbol(r"\mathbb{E}[y_k \mid S_k]"), sp.Symbol(r"x_k^\top \hat w(X_{<k}, y_{<k})")),
                "The prediction at position k is linear in w, so the posterior-mean prediction is "
                "x_k^T times the posterior mean from the k-1 earlier pairs; with no pairs it is 0.",
            ),
        ),
        result=sp.Symbol(r"\hat w_{\mathrm{ridge}} = (X^\top X + \tfrac{\sigma^2}{\tau^2} I)^{-1} X^\top y"),
        notes="The result is implemented by `ridge_predict` (prefix Gram sums, batched solves).",
    )


def _ridge_risk_derivation() -> Derivation:
    sigma2, tau2, lam = sp.symbols("sigma^2 tau^2 lambda", positive=True)
    n, s, D = sp.symbols("n s D", positive=True)
    # E[1/chi^2_n] = 1/(n-2): the D = 1 inverse-Wishart mean, checked by integration.
    chi2_density = s ** (n / 2 - 1) * sp.exp(-s / 2) / (2 ** (n / 2) * sp.gamma(n / 2))
    inv_mean = sp.integrate(chi2_density / s, (s, 0, sp.oo), conds="none")
    inv_check = sp.simplify(sp.gammasimp(inv_mean - 1 / (n - 2))) == 0
    # normalisation of the chi-square density, same conditions
    norm_check = sp.simplify(sp.gammasimp(sp.integrate(chi2_density, (s, 0, sp.oo), conds="none"))) == 1
    # n = 0: tr Cov = tr(sigma^2 / lambda I) = D tau^2
    k1 = sp.simplify(sigma2 * D / (sigma2 / tau2))
    # n = 1 reduction: tr (x x^T + lam I_D)^{-1} = 1/(|x|^2 + lam) + (D - 1)/lam, checked at D = 3
    xv = sp.Matrix(3, 1, lambda i, _j: sp.Symbol(f"x_{i + 1}", real=True))
    tr_rank1 = (xv * xv.T + lam * sp.eye(3)).inv().trace()
    rank1_check = sp.simplify(tr_rank1 - (1 / ((xv.T * xv)[0] + lam) + 2 / lam)) == 0
    return Derivation(
        id="icl.ridge_bayes_risk",
        title="Bayes risk of ridge on the Gaussian task prior",
        paper="icl",
        source="brief B.2 (derived; the paper plots it without a formula)",
        assumptions="x_k ~ N(0, I_D) independent of the context; w ~ N(0, tau^2 I); lambda = sigma^2/tau^2; n = k - 1 context pairs.",
        steps=(
            Step(
                sp.Symbol(r"\mathbb{E}(y_k - x_k^\top \hat w)^2 = \sigma^2 + \mathbb{E}\, x_k^\top \mathrm{Cov}(w \mid S)\, x_k = \sigma^2 + \mathbb{E}\,\mathrm{tr}\,\mathrm{Cov}(w \mid S)"),
                "Noise is independent of everything else; given S, w - w_hat has mean 0 and the posterior "
                "covariance; x_k is independent of S with E x x^T = I.",
            ),
            Step(
                sp.Symbol(r"\mathrm{MSE}_k = \sigma^2 + \sigma^2\,\mathbb{E}\,\mathrm{tr}(X^\top X + \lambda I)^{-1}"),
                "Posterior covariance sigma^2 (X^T X + lambda I)^{-1} (previous derivation).",
            ),
            Step(
                sp.Eq(sp.Symbol(r"\mathrm{MSE}_1"), sigma2 + k1),
                "At k = 1 (no context) the covariance is the prior's, tau^2 I: MSE = sigma^2 + D tau^2.",
                check=sp.simplify(k1 - D * tau2) == 0,
            ),
            Step(
                sp.Symbol(r"\mathrm{tr}(X^\top X + \lambda I_D)^{-1} = \mathrm{tr}(X X^\top + \lambda I_n)^{-1} + (D - n)/\lambda"),
                "X^T X and X X^T share their non-zero eigenvalues, so only m = min(n, D) Wishart "
                "eigenvalues with p = max(n, D) degrees of freedom matter (checked for n = 1, D = 3). "
                "For m <= 2 the expectation is a 1- or 2-dimensional integral over the eigenvalue density "
                "prod l_i^{(p-m-1)/2} e^{-l_i/2} prod |l_i - l_j|: `ridge_bayes_mse` uses quadrature there.",
                check=rank1_check,
            ),
            Step(
                sp.Eq(sp.Symbol(r"\mathbb{E}[1/\chi^2_n]"), 1 / (n - 2)),
                "D = 1 case of the inverse-Wishart mean E (X^T X)^{-1} = I/(n - D - 1), n > D + 1 "
                "(checked by integrating the chi-square density, whose normalisation is checked too).",
                check=inv_check and norm_check,
            ),
            Step(
                sp.Symbol(r"\sigma^2\Big(1 + \frac{D}{n + \lambda}\Big) \le \mathrm{MSE}_k \le \sigma^2\Big(1 + \frac{D}{n - D - 1}\Big)"),
                "Lower: tr (W + lambda I)^{-1} is convex in W and E W = n I (Jensen). Upper: "
                "(W + lambda I)^{-1} <= W^{-1} and the inverse-Wishart mean; the upper bound is the exact "
                "risk of the ridgeless (least-squares) estimator, `ols_bayes_mse`.",
            ),
        ),
        result=sp.Symbol(r"\mathrm{MSE}_k = \sigma^2\left(1 + \mathbb{E}\,\mathrm{tr}(X_{<k}^\top X_{<k} + \lambda I)^{-1}\right)"),
    )


def _dmmse_derivation() -> Derivation:
    M = 3
    sigma2 = sp.Symbol("sigma^2", positive=True)
    r = sp.symbols("R_1:4", real=True)  # summed squared residuals per task
    c = sp.Symbol("c", real=True)
    logits = [-ri / (2 * sigma2) for ri in r]

    def softmax(v):
        e = [sp.exp(vi) for vi in v]
        return [ei / sum(e) for ei in e]

    shift_check = all(sp.simplify(a - b) == 0 for a, b in zip(softmax(logits), softmax([li + c for li in logits])))
    # Gaussian log likelihood of n points = -R/(2 sigma^2) - (n/2) log(2 pi sigma^2): same softmax
    nn = sp.Symbol("n", positive=True)
    loglik = [li - nn / 2 * sp.log(2 * sp.pi * sigma2) for li in logits]
    loglik_check = all(sp.simplify(a - b) == 0 for a, b in zip(softmax(logits), softmax(loglik)))
    w = sp.symbols("w_1:4", real=True)  # one coordinate of each task
    post_mean = sum(p * wi for p, wi in zip(softmax(logits), w))
    # no context: all R_i = 0 -> the pool mean
    k1_check = sp.simplify(post_mean.subs({ri: 0 for ri in r}) - sum(w) / M) == 0
    # M = 1: posterior puts all mass on w_1
    m1_check = sp.simplify(softmax(logits[:1])[0] - 1) == 0
    # posterior variance of a coordinate: sum p w^2 - (sum p w)^2 = sum p (w - mean)^2
    p = softmax(logits)
    var_check = sp.simplify(sum(pi * wi**2 for pi, wi in zip(p, w)) - post_mean**2 - sum(pi * (wi - post_mean) ** 2 for pi, wi in zip(p, w))) == 0
    return Derivation(
        id="icl.dmmse_posterior",
        title="dMMSE: the posterior mean under the discrete pretraining prior",
        paper="icl",
        source="Raventós et al. 2023, Sec. 2 (dMMSE baseline); brief B.2",
        assumptions="Prior uniform on the pool {w^(1), ..., w^(M)}; Gaussian noise of variance sigma^2. Symbolic checks use M = 3.",
        steps=(
            Step(
                sp.Symbol(r"p(i \mid S_k) \propto \prod_{j<k} \mathcal{N}(y_j;\, w^{(i)\top} x_j, \sigma^2) = (2\pi\sigma^2)^{-(k-1)/2} e^{-R_i/(2\sigma^2)},\quad R_i = \sum_{j<k}(y_j - w^{(i)\top}x_j)^2"),
                "Bayes' rule with a uniform prior over the pool.",
            ),
            Step(
                sp.Eq(sp.Symbol(r"\pi_i"), sp.Symbol(r"\mathrm{softmax}_i(-R_i / 2\sigma^2)")),
                "The normalising constant of the Gaussian log-density is common to all tasks and cancels "
                "in the softmax (claim C.B 6: temperature 2 sigma^2; TFP's normalised log_prob gives the same).",
                check=shift_check and loglik_check,
            ),
            Step(
                sp.Eq(sp.Symbol(r"\hat w_k"), sp.Symbol(r"\sum_i \pi_i w^{(i)}")),
                "Posterior mean of w; the prediction is x_k^T w_hat_k (linearity).",
            ),
            Step(
                sp.Eq(sp.Symbol(r"\hat w_1"), sp.Symbol(r"\bar w = \frac{1}{M}\sum_i w^{(i)}")),
                "With no context every R_i = 0 and the weights are uniform.",
                check=k1_check,
            ),
            Step(
                sp.Eq(sp.Symbol(r"\hat w_k\big|_{M=1}"), sp.Symbol(r"w^{(1)}")),
                "With one task the posterior is a point mass (claim C.B 5).",
                check=m1_check,
            ),
            Step(
                sp.Symbol(r"\mathrm{MSE}^{\mathrm{Pretrain}}_k = \sigma^2 + \mathbb{E}\Big[\sum_i \pi_i |w^{(i)}|^2 - |\hat w_k|^2\Big]"),
                "Bayes risk on the pretraining prior: noise plus the trace of the discrete posterior "
                "covariance (same argument as for ridge); sum p w^2 - (sum p w)^2 = sum p (w - mean)^2 checked.",
                check=var_check,
            ),
        ),
        result=sp.Symbol(r"\hat y_k = x_k^\top \sum_i \mathrm{softmax}_i\Big(-\tfrac{1}{2\sigma^2}\sum_{j<k}(y_j - w^{(i)\top}x_j)^2\Big) w^{(i)}"),
        notes=(
            "There is no closed form for the dMMSE risk; `dmmse_bayes_risk` estimates it by Monte "
            "Carlo (Rao-Blackwellised over x_k and the noise) with standard errors."
        ),
    )


def _path_derivation() -> Derivation:
    a = sp.Symbol("alpha", real=True)
    wi = sp.Matrix(sp.symbols("u_1:3", real=True))
    wj = sp.Matrix(sp.symbols("v_1:3", real=True))
    norm = lambda v: sp.sqrt((v.T * v)[0])  # noqa: E731
    mid = a * wi + (1 - a) * wj
    w_alpha = (norm(wi) + norm(wj)) / 2 * mid / norm(mid)
    check = sp.simplify(norm(w_alpha) ** 2 - ((norm(wi) + norm(wj)) / 2) ** 2) == 0
    return Derivation(
        id="icl.interpolation_path",
        title="Interpolation path between two pretraining tasks",
        paper="icl",
        source="Raventós et al. 2023, Sec. 5 / Fig. 5; brief B.4",
        assumptions="alpha w_i + (1 - alpha) w_j != 0 (true for almost every pair).",
        steps=(
            Step(
                sp.Eq(sp.Symbol(r"w_\alpha"), sp.Symbol(r"\tfrac12(|w_i| + |w_j|)\,\frac{\alpha w_i + (1-\alpha) w_j}{|\alpha w_i + (1-\alpha) w_j|}")),
                "Definition (paper): direction of the chord, norm of the mean endpoint norm.",
            ),
            Step(
                sp.Eq(sp.Symbol(r"|w_\alpha|"), sp.Symbol(r"\tfrac12(|w_i| + |w_j|)")),
                "The norm is constant along the path for every alpha (claim C.B 12; checked for D = 2).",
                check=check,
            ),
        ),
        result=sp.Symbol(r"|w_\alpha| = \tfrac12(|w_i| + |w_j|)"),
    )


@functools.cache
def derivations() -> list[Derivation]:
    """The symbolic derivations behind this module (rendered into the docs; checks run once)."""
    return [_ridge_derivation(), _ridge_risk_derivation(), _dmmse_derivation(), _path_derivation()]
