"""The learning effect on digits with planted copies (C.7-8): training on the SemDeDup subset against
training on everything and on a random subset of the same size.

The set-up, and why (issue 16 §3):

- **Planted copies** are one-pixel circular shifts of a training image plus Gaussian noise
  (`_data.digits_with_copies`).
- **The embedding must see them as duplicates.** Pixel PCA does not: a one-pixel shift of an
  8 x 8 digit moves it farther than many other digits, so at the eps that removes 80% of the
  copies most removals are other images. The default embedding is therefore *learned*: a small
  CNN with circular padding and a global max-pool (exactly invariant to circular shifts, so
  copies differ from their original only by the noise) trained to classify a split of digits
  disjoint from the training and test images; its penultimate layer (the pooled channels,
  centred by their mean over that split) is the embedding. This is the paper's situation: a
  pretrained model of the same family as the one being trained (CLIP for CLIP) embeds the data.
- **The learner has the same invariance** (by default the same CNN architecture, trained from
  scratch). For a shift-sensitive pixel MLP the shifted copies are data augmentation, not
  redundancy: with an invariant embedding (`embedding="fft_pca"`) and the MLP learner the drop
  was 10-17 points (3 seeds), because the hard policy keeps a shifted copy of most images.
- **eps is chosen by the planted count**: the smallest eps of the grid at which SemDeDup removes
  at least `target_removed` of the planted copies *as duplicates of their own image* (a removed
  item whose `duplicate_of` belongs to its group), not total removals over copies.

Both learners see the same number of epochs, so the SemDeDup subset takes several times fewer
gradient steps (the paper's "half the time").
"""

from __future__ import annotations

import math

import numpy as np

from numerics.semdedup import embed_images, semdedup
from verify.core.claims import Measurement, Prediction
from verify.semdedup._data import digits_with_copies

__all__ = [
    "learning_experiment",
    "acc_gap_theory",
    "acc_gap_practice",
    "vs_random_theory",
    "vs_random_practice",
]


def _model(kind: str, width: int):
    """A fresh torch model on flattened 8 x 8 inputs in [0, 1]: `"mlp"` (64-128-10 ReLU) or
    `"cnn"` (two 3 x 3 convolutions with circular padding, `width` and `2 width` channels,
    ReLU, global max-pool, linear read-out: exactly invariant to circular shifts). The CNN's
    `features(x)` is the pooled penultimate layer."""
    import torch  # lazily: torch is heavy, and discovering the claims must stay fast

    if kind == "mlp":
        return torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    if kind != "cnn":
        raise ValueError(f"learner/embedder must be 'mlp' or 'cnn', got {kind!r}")

    class CircularCNN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = torch.nn.Conv2d(1, width, 3, padding=1, padding_mode="circular")
            self.c2 = torch.nn.Conv2d(width, 2 * width, 3, padding=1, padding_mode="circular")
            self.fc = torch.nn.Linear(2 * width, 10)

        def features(self, x):
            h = torch.relu(self.c2(torch.relu(self.c1(x.reshape(-1, 1, 8, 8)))))
            return h.amax(dim=(2, 3))

        def forward(self, x):
            return self.fc(self.features(x))

    return CircularCNN()


def _as_input(x: np.ndarray, device: str = "cpu"):
    import torch

    return torch.as_tensor(np.asarray(x).reshape(len(x), -1) / 16.0, dtype=torch.float32, device=device)


def _train(kind: str, x, y, *, epochs, batch, lr, seed, width, device: str = "cpu"):
    """Adam on the cross-entropy for `epochs` epochs from a seeded init and data order
    (drawn on the CPU, so every device sees the same order); returns (model, steps). The
    model and data live on `device`; the step loop has no host syncs."""
    import torch

    g = torch.Generator().manual_seed(int(seed) % (2**63))
    torch.manual_seed(int(seed) % (2**31))
    model = _model(kind, width).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    X, Y = _as_input(x, device), torch.as_tensor(y, device=device)
    steps = 0
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g).to(device)
        for s in range(0, len(X), batch):
            idx = perm[s : s + batch]
            loss = torch.nn.functional.cross_entropy(model(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
    return model, steps


def _predict(model, x) -> np.ndarray:
    import torch

    device = next(model.parameters()).device
    with torch.no_grad():
        return model(_as_input(x, device)).argmax(1).cpu().numpy()


def _features(d: dict, c: dict, seed: int, device: str = "cpu") -> tuple[np.ndarray, dict]:
    """Embedding of the training items (before normalisation) and facts about the embedder.

    `"cnn"`: the learned embedding described in the module docstring; `"pixel_pca"`: PCA of the
    pixels (fit on the originals); `"fft_pca"`: PCA of the 2-D DFT magnitudes (invariant to
    circular shifts by construction)."""
    from sklearn.decomposition import PCA  # lazily: scikit-learn is slow to import

    kind = c["embedding"]
    x = d["x_train"]
    if kind == "cnn":
        import torch

        net, _ = _train("cnn", d["x_embed"], d["y_embed"], epochs=c["embed_epochs"], batch=c["batch"], lr=c["lr"],
                        seed=seed, width=c["width"], device=device)
        with torch.no_grad():
            centre = net.features(_as_input(d["x_embed"], device)).mean(0).cpu().numpy()

        def fn(batch):
            with torch.no_grad():
                return net.features(_as_input(batch, device)).cpu().numpy() - centre

        facts = {"embedder_test_acc": float(np.mean(_predict(net, d["x_test"]) == d["y_test"])),
                 "embedder_train_images": int(len(d["y_embed"]))}
        return embed_images(x, model=fn, progress=False), facts
    if kind == "pixel_pca":
        feats = x.reshape(len(x), -1)
    elif kind == "fft_pca":
        feats = np.abs(np.fft.fft2(x)).reshape(len(x), -1)
    else:
        raise ValueError(f"embedding must be 'cnn', 'pixel_pca' or 'fft_pca', got {kind!r}")
    pca = PCA(n_components=c["pca_dim"], random_state=0).fit(feats[~d["is_copy"]])
    return embed_images(feats, model=pca.transform, progress=False), {}


def _planted_removed(res, keep: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Removed items whose `duplicate_of` is a member of their own planted group."""
    rem = ~keep
    same = np.zeros(len(keep), bool)
    same[rem] = group[res.duplicate_of[rem]] == group[rem]
    return same


def _paired_se(a_correct: np.ndarray, b_correct: np.ndarray) -> float:
    """Standard error of the difference of two accuracies on the same test items (paired)."""
    diff = a_correct.astype(float) - b_correct.astype(float)
    return float(diff.std(ddof=1) / math.sqrt(len(diff)))


class _one_torch_thread:
    """Small convolutions at batch 64 run fastest on one thread (several threads spin and
    wait on a loaded machine: 5x the CPU time measured on 2 shared cores); restores the
    previous setting on exit."""

    def __enter__(self):
        import torch

        self.before = torch.get_num_threads()
        torch.set_num_threads(1)

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.before)
        return False


def learning_experiment(ctx) -> dict:
    """Digits + jittered copies (and a disjoint embedding split); SemDeDup at the smallest eps of
    the grid that removes >= `target_removed` of the planted copies as duplicates of their own
    image; the learner trained on all / the SemDeDup subset / a random subset of the same size.

    Accuracy is measured on the held-out digits; accuracy on a test set drawn like the
    training set (held-out digits and their jittered copies) is reported beside it."""
    c = ctx.config

    def run():
        with _one_torch_thread():
            return _run()

    def _run():
        rng = ctx.rng("digits")
        d = digits_with_copies(rng, copies=c["copies"], noise=c["noise"], test_fraction=c["test_fraction"],
                               embed_fraction=c["embed_fraction"])
        emb, facts = _features(d, c, ctx.stream_seed("embedder"), ctx.device)
        group, is_copy = d["group"], d["is_copy"]
        n_copies = int(is_copy.sum())
        res = semdedup(emb, c["k"], c["eps_grid"][0], seed=ctx.seed, progress=False)
        chosen, frac = c["eps_grid"][-1], 0.0
        for eps in c["eps_grid"]:
            frac = float(_planted_removed(res, res.keep_at(eps), group).sum()) / n_copies
            if frac >= c["target_removed"]:
                chosen = eps
                break
        keep = res.keep_at(chosen)
        planted = _planted_removed(res, keep, group)
        sub = np.flatnonzero(keep)
        rand = np.sort(rng.choice(len(keep), size=len(sub), replace=False))
        out = {
            "eps": float(chosen),
            "planted_removed_fraction": frac,
            "target_reached": bool(frac >= c["target_removed"]),
            "removals": int((~keep).sum()),
            "removal_precision": float(planted.sum() / max(int((~keep).sum()), 1)),
            "n_all": len(keep),
            "n_kept": len(sub),
            "n_copies": n_copies,
            "embedding": c["embedding"],
            "learner": c["learner"],
            "groups_lost_semdedup": int(d["n_orig"] - len(np.unique(group[sub]))),
            "groups_lost_random": int(d["n_orig"] - len(np.unique(group[rand]))),
            "kept_that_are_originals": float(np.mean(~is_copy[sub])),
            "n_test": len(d["y_test"]),
            **facts,
        }
        correct = {}
        for name, idx in (("all", np.arange(len(keep))), ("semdedup", sub), ("random", rand)):
            model, steps = _train(c["learner"], d["x_train"][idx], d["y_train"][idx], epochs=c["epochs"], batch=c["batch"],
                                  lr=c["lr"], seed=ctx.stream_seed("learner"), width=c["width"], device=ctx.device)
            correct[name] = _predict(model, d["x_test"]) == d["y_test"]
            out[f"acc_{name}"] = float(correct[name].mean())
            out[f"acc_jittered_test_{name}"] = float(np.mean(_predict(model, d["x_test_jit"]) == d["y_test_jit"]))
            out[f"steps_{name}"] = steps
        if c["equal_steps_control"]:  # the subset trained for as many steps as the full set: data, not step count
            eq_epochs = int(round(c["epochs"] * len(keep) / len(sub)))
            model, steps = _train(c["learner"], d["x_train"][sub], d["y_train"][sub], epochs=eq_epochs, batch=c["batch"],
                                  lr=c["lr"], seed=ctx.stream_seed("learner"), width=c["width"], device=ctx.device)
            out["acc_semdedup_equal_steps"] = float(np.mean(_predict(model, d["x_test"]) == d["y_test"]))
            out["steps_semdedup_equal_steps"] = steps
            out["gap_equal_steps"] = out["acc_semdedup_equal_steps"] - out["acc_all"]
        out["se_semdedup_minus_all"] = _paired_se(correct["semdedup"], correct["all"])
        out["se_semdedup_minus_random"] = _paired_se(correct["semdedup"], correct["random"])
        out["steps_ratio_all_over_semdedup"] = out["steps_all"] / out["steps_semdedup"]
        return out

    key = {
        k: c[k]
        for k in ("copies", "noise", "test_fraction", "embed_fraction", "embedding", "embed_epochs", "pca_dim", "learner",
                  "width", "k", "eps_grid", "target_removed", "epochs", "batch", "lr", "equal_steps_control")
    }
    return ctx.shared("digits_learning", run, **key)


def acc_gap_theory(ctx) -> Prediction:
    return Prediction(-ctx.config["max_drop"], info={"claim": "acc(SemDeDup subset) - acc(all) >= -max_drop (paper: 'minimal loss')"})


def acc_gap_practice(ctx) -> Measurement:
    o = learning_experiment(ctx)
    return Measurement(o["acc_semdedup"] - o["acc_all"], stderr=o["se_semdedup_minus_all"], info=o,
                       counters={"train_steps": o["steps_all"] + o["steps_semdedup"]})


def vs_random_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"claim": "acc(SemDeDup subset) - acc(random subset of equal size) >= 0"})


def vs_random_practice(ctx) -> Measurement:
    o = learning_experiment(ctx)
    return Measurement(o["acc_semdedup"] - o["acc_random"], stderr=o["se_semdedup_minus_random"], info=o,
                       counters={"train_steps": o["steps_random"]})
