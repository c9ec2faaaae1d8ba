#!/usr/bin/env bash
# GPU check: on a machine with an NVIDIA GPU and PyTorch, runs a few tiny-track records and (when their scripts
# are in the cache, after `speedrun records sync`) a few nanogpt records for a few steps through
# `speedrun run --smoke` with the local executor, on synthetic token shards made here. Nothing is fetched from
# the network. Prints a markdown table to paste, dated, into docs/gpu-validation.md.
#
#   scripts/gpu-smoke.sh                       defaults below
#   NANOGPT_RECORDS="4 12 18" TINY_RECORDS="1 5" STEPS=10 scripts/gpu-smoke.sh
#
# Environment: SPEEDRUN_CACHE (where synced record scripts are; default ~/.cache/speedrun), SPEEDRUN_PYTHON
# (a Python with CUDA torch), SMOKE_DIR (work folder; default a new temporary one), RUN_TIMEOUT (seconds per run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NANOGPT_RECORDS="${NANOGPT_RECORDS:-4 12 18}"
TINY_RECORDS="${TINY_RECORDS:-1 3 5}"
STEPS="${STEPS:-10}"
# Generous: the first step of a nanogpt record compiles (torch.compile with coordinate-descent tuning), which
# took over 160 s on an H200 with 16 CPU cores (docs/gpu-validation.md).
RUN_TIMEOUT="${RUN_TIMEOUT:-900}"
USER_CACHE="${SPEEDRUN_CACHE:-$HOME/.cache/speedrun}"
WORK="${SMOKE_DIR:-$(mktemp -d -t speedrun-gpu-smoke.XXXXXX)}"
SPEEDRUN=(node "$ROOT/bin/speedrun.js")

die() { echo "gpu-smoke: $1" >&2; exit 2; }
command -v node >/dev/null || die "node is not on PATH (Node 20 or later)"
[ -f "$ROOT/dist/cli/main.js" ] || die "speedrun is not built: run npm ci && npm run build in $ROOT"
command -v nvidia-smi >/dev/null || die "nvidia-smi is missing: this check needs an NVIDIA GPU"
GPU="$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1)"
[ -n "$GPU" ] || die "nvidia-smi lists no GPU"
PYTHON="${SPEEDRUN_PYTHON:-$(command -v python3)}"
"$PYTHON" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' || die "$PYTHON has no CUDA-enabled torch (set SPEEDRUN_PYTHON)"
TORCH="$("$PYTHON" -c 'import torch; print(torch.__version__)')"

# A cache of our own: the synced upstream scripts are linked in, the data is synthetic.
CACHE="$WORK/cache"
mkdir -p "$CACHE/data/nanogpt"
[ -d "$USER_CACHE/upstream" ] && ln -sfn "$USER_CACHE/upstream" "$CACHE/upstream"

# Upstream's shard format (256 int32 header: magic 20240520, version 1, token count; uint16 tokens). Random GPT-2
# token ids: the loss will not fall like FineWeb's, but every code path (loading, validation, clock) runs.
"$PYTHON" - "$CACHE/data/nanogpt" <<'PY'
import sys, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(0)
for name, count in (("fineweb_val_000000.bin", 10_485_760 + 65_537), ("fineweb_train_000001.bin", 24 * 2**20)):
    header = np.zeros(256, dtype="<i4"); header[:3] = (20240520, 1, count)
    with open(f"{out}/{name}", "wb") as f:
        f.write(header.tobytes()); f.write(rng.integers(0, 50257, count, dtype=np.uint16).astype("<u2").tobytes())
PY

echo "### $(date -u +%Y-%m-%d) · $GPU · torch $TORCH · $(nproc) CPUs"
echo
echo "| track | record | status | steps | final val_loss | train_time | wall (whole command) | note |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
# One smoke run; prints its row of the table as soon as it is done.
smoke_run() {
  local track="$1" record="$2" steps="$3"; shift 3
  local out="$WORK/results/$track-$record" log="$WORK/$track-$record.log"
  local started=$SECONDS
  if "${SPEEDRUN[@]}" run --track "$track" --record "$record" --agent null --smoke "$steps" --cache "$CACHE" \
      --python "$PYTHON" --out "$out" --timeout "$RUN_TIMEOUT" --json "$@" >"$log.json" 2>"$log"; then :; fi
  node "$ROOT/scripts/gpu-smoke-row.mjs" "$track" "$record" "$out" "$log" "$((SECONDS - started))"
}

for record in $NANOGPT_RECORDS; do
  if ! "${SPEEDRUN[@]}" records show "$record" --track nanogpt --cache "$CACHE" --json 2>/dev/null | grep -q '"state":"synced"'; then
    echo "| nanogpt | $record | skipped | | | | | script not synced (speedrun records sync) |"
    continue
  fi
  smoke_run nanogpt "$record" "$STEPS" --gpus 0 --gpus-per-run 1
done
for record in $TINY_RECORDS; do smoke_run tiny "$record" 20; done

echo
echo "(logs and run folders: $WORK)"
