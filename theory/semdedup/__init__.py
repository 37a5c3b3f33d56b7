r"""SemDeDup: the cost model \( \sum_c n_c^2 \) and the split-probability recall model.

Two closed forms, derived with sympy (`derivations()`) and lambdified below:

- **Cost** (brief C.3). The pairwise stage compares every ordered pair inside each cluster
  once, \( d \sum_c n_c(n_c-1) \) FLOPs, and \( \sum_c n_c^2 = N^2/k + k\,\mathrm{Var}(n) \).
  With the skew factor \( s = k\sum_c n_c^2 / N^2 \ge 1 \), assignment plus pairwise cost
  \( 2Nkd + s\,dN^2/k \), minimised at \( k^\star = \sqrt{sN/2} \) (the brief's \( k \approx \sqrt N \)).
- **Recall** (brief C.7-4). A planted copy \( x' = (x + \sigma n)/\lVert x + \sigma n\rVert \),
  \( n \sim \mathcal N(0, I_d/d) \), of a unit item \( x \) is missed iff k-means puts it in
  another cluster. Positive rescaling does not change an arg-max, so the score gap to a
  competitor \( c \) moves by \( \sigma\langle n, \mu_{c(x)} - \mu_c\rangle \sim \mathcal N(0, s_c^2) \),
  \( s_c = \sigma\lVert \mu_{c(x)} - \mu_c \rVert/\sqrt d \), and

\[
P(\text{split} \mid x) = 1 - \prod_{c \ne c(x)} \Phi\!\left(\frac{g_c(x)}{s_c}\right),
\qquad g_c(x) = \langle x, \mu_{c(x)} - \mu_c\rangle \ge 0,
\]

  treating competitors as independent (exact for two clusters). Soft top-2 assignment with
  margin \( \delta \) misses only if the copy lands beyond \( \delta \) of the original's cluster
  and the original is not a soft member of the copy's cluster.
"""

from theory.semdedup._cost import COST, assignment_flops, optimal_k, pairwise_flops, skew_factor, total_flops
from theory.semdedup._derivations import derivations
from theory.semdedup._split import (
    SPLIT,
    small_sigma_split_rate,
    soft_miss_probability,
    soft_miss_probability_mc,
    split_probability,
    split_probability_lower,
    split_probability_mc,
)

__all__ = [
    "derivations",
    "pairwise_flops",
    "assignment_flops",
    "skew_factor",
    "total_flops",
    "optimal_k",
    "split_probability",
    "split_probability_lower",
    "split_probability_mc",
    "soft_miss_probability",
    "soft_miss_probability_mc",
    "small_sigma_split_rate",
]

