#!/usr/bin/env bash
# One prepared GPU check (a lent H200, one device run): the matmul peak, the ICL throughput/MFU
# benchmark, the gpu profile of every paper (verify/conf/gpu.toml) from a fresh run store,
# time-boxed, with nvidia-smi sampling power and utilisation through it, then where the time
# went (benchmarks/_gpu_report.py): per claim wall time and GPU-seconds, tokens or images per
# second and MFU against the peak measured here, the ten slowest claims, and a report of
# every claim that finished. Everything goes to $OUT (default /tmp/gpu_out).
#
#   bash benchmarks/gpu_check.sh               # the whole check in TOTAL seconds (default 540 = 9 minutes)
#   DEVICE=cpu TOTAL=120 bash benchmarks/gpu_check.sh     # dry run on a CPU machine
#
# Knobs: TOTAL (seconds, the whole check), DEVICE (cuda), JOBS (CPU workers, default auto: one
# per core), GPU_WORKERS (default: one per device), BENCH=0 (skip the ICL benchmark),
# VERIFY_ARGS (the selection, default "--conf gpu"), STORE (run store, default a fresh folder
# under /tmp; FRESH=0 keeps and resumes it).
set -u
START=$SECONDS
TOTAL=${TOTAL:-540}
DEVICE=${DEVICE:-cuda}
OUT=${OUT:-/tmp/gpu_out}
STORE=${STORE:-/tmp/dltheory_gpu_check_runs}
VERIFY_ARGS=${VERIFY_ARGS:---conf gpu}
RESERVE=${RESERVE:-45}   # seconds kept for the reports after the suite
mkdir -p "$OUT"
left() { echo $(( TOTAL - (SECONDS - START) )); }
cap() { local l; l=$(left); [ "$1" -lt "$l" ] && echo "$1" || echo $(( l > 5 ? l : 5 )); }
# JAX stays on the CPU (float64 ODE checks; workers must not each preallocate the GPU)
export JAX_PLATFORMS=cpu XLA_PYTHON_CLIENT_PREALLOCATE=false MPLBACKEND=Agg PYTHONUNBUFFERED=1
export DLTHEORY_PROGRESS=1 DLTHEORY_THREADS=1
if [ -d .whl ]; then   # wheels carried to a machine without the dask extra
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
fi
{ nvidia-smi --query-gpu=name,memory.total,power.limit,driver_version --format=csv; nproc; free -g | head -2
  python3 -c "import torch, jax, diffrax, sympy, sklearn; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'jax', jax.__version__)"
} > "$OUT/machine.txt" 2>&1

# nvidia-smi samples every second, through the whole check
SMI_PID=
if command -v nvidia-smi >/dev/null 2>&1; then
  Q=timestamp,index,utilization.gpu,utilization.memory,power.draw,power.limit,memory.used,memory.total,clocks.sm,temperature.gpu
  nvidia-smi --query-gpu=$Q --format=csv -c 1 >/dev/null 2>&1 || Q=timestamp,index,utilization.gpu,power.draw,power.limit,memory.used
  nvidia-smi --query-gpu=$Q --format=csv,nounits -lms 1000 > "$OUT/nvidia_smi.csv" 2> "$OUT/nvidia_smi.err" &
  SMI_PID=$!
else
  echo "nvidia-smi not found: no GPU samples" > "$OUT/nvidia_smi.err"
fi
stop_smi() { [ -n "$SMI_PID" ] && kill "$SMI_PID" 2>/dev/null; wait "$SMI_PID" 2>/dev/null; SMI_PID=; }
trap stop_smi EXIT

# the matmul peak, the reference of every MFU below
timeout -k 5 "$(cap 60)" python3 -m benchmarks._gpu_report peak --device "$DEVICE" --out "$OUT/peak.json" > "$OUT/peak.txt" 2>&1
if [ "${BENCH:-1}" != 0 ]; then
  timeout -k 5 "$(cap 90)" python3 -m benchmarks.icl --device "$DEVICE" --steps 20 > "$OUT/bench_icl.txt" 2>&1
fi

# the suite, from a fresh run store, in the time that is left
[ "${FRESH:-1}" != 0 ] && rm -rf "$STORE"
BUDGET=$(( $(left) - RESERVE )); [ "$BUDGET" -lt 10 ] && BUDGET=10
GPU_FLAG=(); [ -n "${GPU_WORKERS:-}" ] && GPU_FLAG=(--gpu-workers "$GPU_WORKERS")
echo "suite budget ${BUDGET}s of TOTAL=${TOTAL}s" > "$OUT/verify_stdout.txt"
# shellcheck disable=SC2086 # VERIFY_ARGS is a list of arguments
timeout -k 20 "$BUDGET" python3 -m verify.all $VERIFY_ARGS --device "$DEVICE" --jobs "${JOBS:-auto}" "${GPU_FLAG[@]}" \
  --suite gpu --store "$STORE" --out "$OUT/report" >> "$OUT/verify_stdout.txt" 2> "$OUT/verify_stderr.txt"
echo "verify.all exit status $? after $((SECONDS - START))s" >> "$OUT/verify_stdout.txt"
stop_smi

# where the time went (this run's results.json, cells of interrupted claims from the store)
timeout -k 5 "$(cap 30)" python3 -m benchmarks._gpu_report summarise --results "$OUT/report/results.json" --peak "$OUT/peak.json" \
  --smi "$OUT/nvidia_smi.csv" --store "$STORE/gpu" --out "$OUT" > "$OUT/time_report.txt" 2>&1
# a report of every claim that finished, even if the suite was cut by the time box
timeout -k 5 "$(cap 40)" python3 -m verify.report --suite gpu --store "$STORE" --out "$OUT/report_all" > "$OUT/report_summary.txt" 2>&1
cp "$OUT/report/results.json" "$OUT/results.json" 2>/dev/null
tar czf "$OUT/reports.tgz" -C "$OUT" report report_all 2>/dev/null
rm -rf "$OUT/report" "$OUT/report_all"
[ -f "$OUT/verify_stderr.txt" ] && { tail -c 200000 "$OUT/verify_stderr.txt" > "$OUT/verify_stderr_tail.txt"; rm -f "$OUT/verify_stderr.txt"; }
cat "$OUT/time_report.txt" 2>/dev/null | head -60
echo "gpu_check: $((SECONDS - START))s of TOTAL=${TOTAL}s"
ls -la "$OUT"
