"""Device selection and thread limits, in one place.

`select_device("auto")` gives "cuda" when torch sees a GPU, else "cpu". `limit_threads(n)`
caps BLAS, torch and XLA threads so that parallel workers on a small machine do not
oversubscribe its cores; it must run before JAX is imported to affect XLA.
"""

from __future__ import annotations

import os
import platform

__all__ = ["select_device", "limit_threads", "device_description", "cuda_available", "cuda_device_count", "available_cores"]


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False
    return bool(torch.cuda.is_available())


def cuda_device_count() -> int:
    """The number of CUDA devices torch sees (0 without torch or a GPU)."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        return 0
    try:
        return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
    except Exception:  # pragma: no cover - a broken driver counts as no GPU
        return 0


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS tells it, else
    `os.cpu_count()`), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def select_device(preference: str = "auto") -> str:
    """Resolve `auto|cpu|cuda` to the device that will be used.

    Raises `ValueError` if "cuda" is asked for and no GPU is visible.
    """
    if preference not in ("auto", "cpu", "cuda"):
        raise ValueError(f"--device must be auto, cpu or cuda, not {preference!r}")
    if preference == "cpu":
        return "cpu"
    has_cuda = cuda_available()
    if preference == "cuda" and not has_cuda:
        raise ValueError("--device cuda was asked for, but torch sees no GPU")
    return "cuda" if has_cuda else "cpu"


def limit_threads(n: int) -> None:
    """Cap intra-op threads of BLAS, torch and XLA at `n` for this process."""
    n = max(1, int(n))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(n)
    flags = os.environ.get("XLA_FLAGS", "")
    if "intra_op_parallelism_threads" not in flags:
        os.environ["XLA_FLAGS"] = (
            flags + f" --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={n}"
        ).strip()
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except Exception:  # pragma: no cover - threadpoolctl is optional at runtime
        pass
    try:
        import torch

        torch.set_num_threads(n)
    except Exception:  # pragma: no cover
        pass


def device_description(device: str) -> str:
    """A short human-readable description of the device, for the report."""
    if device == "cuda":
        try:
            import torch

            return f"cuda:{torch.cuda.get_device_name(0)}"
        except Exception:  # pragma: no cover
            return "cuda"
    return f"cpu:{platform.machine()}x{os.cpu_count()}"
