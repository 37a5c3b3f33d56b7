r"""The GPT-2-style in-context regression model of Raventós et al. (2023), as a batched ensemble.

Many small models (one per task diversity \( M \), seed, weight decay) are trained *together*:
every parameter carries a leading ensemble axis `E`, every dense layer is one `torch.bmm`
over the ensemble, and Adam, being elementwise, updates all members independently in one
call. On a CPU this amortises the per-operator overhead that dominates tiny models; on a GPU
it fills the device with one kernel per layer instead of `E`.

Architecture (paper and official code, brief B.3): tokens of width \( D+1 \), x-tokens
\( [0, x_k] \) and y-tokens \( [y_k, 0, \dots] \) interleaved; a bias-free linear read-in plus
learned position embeddings; pre-LN blocks (LayerNorm eps 1e-5, causal multi-head attention,
MLP 4x with tanh-GELU, biases on, no dropout); final LayerNorm; a bias-free linear read-out;
predictions read at the x-tokens. GPT-2 initialisation: dense kernels and position
embeddings \( \mathcal{N}(0, 0.02^2) \), residual output projections
\( \mathcal{N}(0, (0.02/\sqrt{2L})^2) \), biases 0, LayerNorm scale 1.

Training: Adam (0.9, 0.999, 1e-8) with the triangle schedule (linear warm-up to the peak over
`warmup_frac` of the steps, then linear decay to 0); optional decoupled weight decay masked to
the kernels of the transformer body (the code's AdamW mask), per member. The data of step
\( t \) are a pure function of `(member seed, t)`, so any batch can be regenerated and an
interrupted run resumes bit-for-bit from its checkpoint. Checkpoints hold only tensors and
plain containers and are loaded with `torch.load(weights_only=True)`.

The implementation lives in private modules: `_config` (shapes, members, seeds), `_model`
(initialisation and forward pass), `_tasks` (pools and data streams), `_train` (schedule,
training, checkpoints) and `_evaluate` (evaluation sets, baselines, metrics).
"""

from numerics.icl._config import Member, ModelConfig, TrainConfig, seed_int
from numerics.icl._evaluate import EvalSet, dmmse_predict_torch, make_eval_set, position_metrics, predict_numpy
from numerics.icl._model import init_params, param_count, predict, to_tokens, train_flops_per_token
from numerics.icl._tasks import DataStream, task_pool
from numerics.icl._train import TrainResult, train_ensemble, triangle_lr

__all__ = [
    "ModelConfig",
    "TrainConfig",
    "Member",
    "seed_int",
    "init_params",
    "param_count",
    "train_flops_per_token",
    "to_tokens",
    "predict",
    "task_pool",
    "DataStream",
    "triangle_lr",
    "TrainResult",
    "train_ensemble",
    "predict_numpy",
    "EvalSet",
    "make_eval_set",
    "position_metrics",
    "dmmse_predict_torch",
]
