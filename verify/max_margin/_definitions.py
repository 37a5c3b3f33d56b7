"""Definitions: the quasi-homogeneity identities and the detection of Lambda.

Both claims are `consistency` checks: they compare two routes through the theory (the rates,
by hand or detected, against the model's own float64 evaluation), not theory against a system
that was integrated or trained.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.max_margin import bias_mlp, detect_rates, layernorm_network, normalised_network, paper_models
from verify.core.claims import Measurement, Prediction
from verify.max_margin._experiments import identity_errors, identity_models

__all__ = ["identities_theory", "identities_practice", "rates_theory", "rates_practice"]


def identities_theory(ctx):
    models = identity_models()
    return Prediction(value=np.zeros(3), info={"models": sorted(models)})


def identities_practice(ctx):
    errs = identity_errors(n_points=ctx.config["n_points"], seed=ctx.stream_seed("points"))
    worst = np.max(np.stack(list(errs.values())), axis=0)
    return Measurement(value=worst, info={k: v.tolist() for k, v in errs.items()})


def _rates_expected() -> dict[str, list]:
    """Rates derived by hand (brief Sec. A.3-A.4 and the model docstrings); 0/1 flags for non-models."""
    h = sp.Rational(1, 2)
    return {
        "M1": [1, 1, 1], "M2": [1, 1, h, h], "M3": [h, h, h, 1], "H3": [h] * 5,
        "lin1d": [1, 1], "sq1d": [h, 1], "cube1d": [1, sp.Rational(1, 3)],
        # ReLU MLP (2,2,1) with biases, detected (not declared): W1, b1, W2 at 1/2, output bias 1
        "mlp2": [h] * 4 + [h] * 2 + [h] * 2 + [1],
        "normnet": [0] * 4 + [1] * 6 + [1] * 3,
        "lnnet": [0] * 6 + [1] * 4,
        "not_qh": [0, 0, 0, 0],
    }


def _rate_models():
    x, w, b = sp.symbols("x w b", real=True)
    ms = dict(paper_models())
    ms["mlp2"] = bias_mlp((2, 2, 1), declare_balanced=False)
    ms["normnet"] = normalised_network(2, 2, 3)
    ms["lnnet"] = layernorm_network(2, 3)
    nonqh = [(w * x + w**2 * x, (w,)), (sp.tanh(w * x) + b, (w, b)), (w * x + 1, (w,)), (w * x + sp.exp(b), (w, b))]
    return ms, nonqh


def rates_theory(ctx):
    exp = _rates_expected()
    return Prediction(value=np.concatenate([np.array([float(r) for r in v]) for v in exp.values()]))


def rates_practice(ctx):
    ms, nonqh = _rate_models()
    out, info = [], {}
    for name in list(_rates_expected())[:-1]:
        qh = detect_rates(list(ms[name].outputs), ms[name].params, ms[name].inputs)
        out.append(np.array([float(r) for r in qh.rates]))
        info[name] = {"rates": [str(r) for r in qh.rates], "method": qh.method, "verified": qh.verified,
                      "conserved": [str(c) for c in qh.conserved_quantities()]}
    flags = [float(detect_rates(f, p).exists) for f, p in nonqh]
    info["not_qh_reasons"] = [detect_rates(f, p).reason for f, p in nonqh]
    out.append(np.array(flags))
    return Measurement(value=np.concatenate(out), info=info)
