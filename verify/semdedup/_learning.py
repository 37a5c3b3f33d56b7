"""The learning effect on digits with planted copies (C.7-8): training on the SemDeDup subset against
training on everything and on a random subset of the same size."""

from __future__ import annotations

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


def _train_mlp(x, y, tests, *, epochs, batch, lr, seed) -> tuple[list[float], int]:
    """A 64-128-10 ReLU MLP trained with Adam for `epochs` epochs; (accuracy on each
    `(x_test, y_test)` of `tests`, steps)."""
    import torch  # lazily: torch is heavy, and discovering the claims must stay fast

    g = torch.Generator().manual_seed(int(seed) % (2**63))
    torch.manual_seed(int(seed) % (2**31))
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    X = torch.as_tensor(x.reshape(len(x), -1) / 16.0, dtype=torch.float32)
    Y = torch.as_tensor(y)
    steps = 0
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        for s in range(0, len(X), batch):
            idx = perm[s : s + batch]
            loss = torch.nn.functional.cross_entropy(model(X[idx]), Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            steps += 1
    accs = []
    with torch.no_grad():
        for x_test, y_test in tests:
            pred = model(torch.as_tensor(x_test.reshape(len(x_test), -1) / 16.0, dtype=torch.float32)).argmax(1).numpy()
            accs.append(float((pred == y_test).mean()))
    return accs, steps


def _features(x: np.ndarray, kind: str) -> np.ndarray:
    """Image features before PCA: raw pixels, or the magnitudes of the 2-D DFT, which are
    invariant to the circular one-pixel shifts of the planted copies (a stand-in for the
    small-shift invariance of a foundation model's embedding)."""
    if kind == "pixel_pca":
        return x.reshape(len(x), -1)
    if kind == "fft_pca":
        return np.abs(np.fft.fft2(x)).reshape(len(x), -1)
    raise ValueError(f"embedding must be 'pixel_pca' or 'fft_pca', got {kind!r}")


def learning_experiment(ctx) -> dict:
    """Digits + 5 jittered copies; SemDeDup at the smallest eps on the grid removing >= the
    target fraction of planted copies; MLPs on all / SemDeDup subset / random subset.

    Accuracy is measured on the held-out digits; accuracy on a test set drawn like the
    training set (held-out digits and their jittered copies) is reported beside it."""
    c = ctx.config

    def run():
        rng = ctx.rng("digits")
        d = digits_with_copies(rng, copies=c["copies"], noise=c["noise"], test_fraction=c["test_fraction"])
        from sklearn.decomposition import PCA  # lazily: scikit-learn is slow to import

        feats = _features(d["x_train"], c["embedding"])
        pca = PCA(n_components=c["pca_dim"], random_state=0).fit(feats[~d["is_copy"]])
        emb = embed_images(feats, model=pca.transform, progress=False)
        n_copies = int(d["is_copy"].sum())
        k = c["k"]
        first = semdedup(emb, k, c["eps_grid"][0], seed=ctx.seed, progress=False)
        chosen, frac = None, 0.0
        for eps in c["eps_grid"]:
            keep = first.keep_at(eps)
            # planted duplicates removed: removals inside each original's group, over copies
            frac = float((~keep).sum()) / n_copies
            if frac >= c["target_removed"]:
                chosen = eps
                break
        if chosen is None:
            chosen = c["eps_grid"][-1]
        keep = first.keep_at(chosen)
        sub = np.flatnonzero(keep)
        rand = np.sort(rng.choice(len(keep), size=len(sub), replace=False))
        out = {"eps": chosen, "removed_over_copies": frac, "n_all": len(keep), "n_kept": len(sub), "embedding": c["embedding"]}
        rem = ~keep
        out["removals_duplicating_own_group"] = float(np.mean(d["group"][first.duplicate_of[rem]] == d["group"][rem]))
        out["groups_lost_semdedup"] = int(d["n_orig"] - len(np.unique(d["group"][sub])))
        out["groups_lost_random"] = int(d["n_orig"] - len(np.unique(d["group"][rand])))
        for name, idx in (("all", np.arange(len(keep))), ("semdedup", sub), ("random", rand)):
            (acc, acc_jit), steps = _train_mlp(
                d["x_train"][idx], d["y_train"][idx], [(d["x_test"], d["y_test"]), (d["x_test_jit"], d["y_test_jit"])],
                epochs=c["epochs"], batch=c["batch"], lr=c["lr"], seed=ctx.stream_seed("mlp"),
            )
            out[f"acc_{name}"], out[f"acc_jittered_test_{name}"], out[f"steps_{name}"] = acc, acc_jit, steps
        out["steps_ratio_all_over_semdedup"] = out["steps_all"] / out["steps_semdedup"]
        out["n_test"] = len(d["y_test"])
        out["kept_that_are_originals"] = float(np.mean(~d["is_copy"][sub]))
        return out

    key = {
        k: c[k]
        for k in ("copies", "noise", "test_fraction", "embedding", "pca_dim", "k", "eps_grid", "target_removed", "epochs", "batch", "lr")
    }
    return ctx.shared("digits_learning", run, **key)


def acc_gap_theory(ctx) -> Prediction:
    return Prediction(-ctx.config["max_drop"], info={"claim": "acc(SemDeDup subset) - acc(all) >= -max_drop (paper: 'minimal loss')"})


def acc_gap_practice(ctx) -> Measurement:
    o = learning_experiment(ctx)
    return Measurement(o["acc_semdedup"] - o["acc_all"], info=o, counters={"train_steps": o["steps_all"] + o["steps_semdedup"]})


def vs_random_theory(ctx) -> Prediction:
    return Prediction(0.0, info={"claim": "acc(SemDeDup subset) - acc(random subset of equal size) >= 0"})


def vs_random_practice(ctx) -> Measurement:
    o = learning_experiment(ctx)
    return Measurement(o["acc_semdedup"] - o["acc_random"], info=o, counters={"train_steps": o["steps_random"]})
