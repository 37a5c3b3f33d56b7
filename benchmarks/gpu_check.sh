#!/usr/bin/env bash
# One prepared GPU check (a lent H200, ~10 minutes): the ICL throughput/MFU benchmark on
# CUDA, then the gpu profile of every paper (verify/conf/gpu.toml) time-boxed, then a report
# of every claim that finished. Results go to $OUT (default /tmp/gpu_out).
#   bash benchmarks/gpu_check.sh            # BUDGET=seconds for the suite (default 420)
set -u
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
# JAX stays on the CPU (float64 ODE checks; 12 workers must not each preallocate the GPU)
export JAX_PLATFORMS=cpu XLA_PYTHON_CLIENT_PREALLOCATE=false MPLBACKEND=Agg PYTHONUNBUFFERED=1
export DLTHEORY_PROGRESS=1 DLTHEORY_THREADS=1
if [ -d .whl ]; then   # wheels carried to a machine without the dask extra
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
fi
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; nproc; free -g | head -2
  python3 -c "import torch, jax, diffrax, sympy, sklearn; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'jax', jax.__version__)"
} > "$OUT/machine.txt" 2>&1
timeout -k 10 90 python3 -m benchmarks.icl --device "${DEVICE:-cuda}" --steps 20 > "$OUT/bench_icl.txt" 2>&1
timeout -k 20 "${BUDGET:-420}" python3 -m verify.all --conf gpu --device "${DEVICE:-cuda}" --jobs "${JOBS:-12}" --suite gpu \
  --out "$OUT/report" > "$OUT/verify_stdout.txt" 2> "$OUT/verify_stderr.txt"
echo "verify.all exit status $?" >> "$OUT/verify_stdout.txt"
# a report of every claim that finished, even if the suite was cut by the time box
python3 -m verify.report --suite gpu --profile gpu --out "$OUT/report_all" > "$OUT/report_summary.txt" 2>&1
tar czf "$OUT/reports.tgz" -C "$OUT" report report_all 2>/dev/null
rm -rf "$OUT/report" "$OUT/report_all"
tail -c 200000 "$OUT/verify_stderr.txt" > "$OUT/verify_stderr_tail.txt"; rm -f "$OUT/verify_stderr.txt"
ls -la "$OUT"
