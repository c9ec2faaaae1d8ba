#!/usr/bin/env bash
# GPU check: on a machine with an NVIDIA GPU and PyTorch, runs a few tiny-track records and (when their scripts
# are in the cache, after `speedrun records sync`) a few nanogpt and modern-ladder records for a few steps through
# `speedrun run --smoke` with the local executor on one GPU, on synthetic token shards made here. Nothing is
# fetched from the network. Prints a markdown table to paste, dated, into docs/gpu-validation.md.
#
#   scripts/gpu-smoke.sh                       defaults below
#   scripts/gpu-smoke.sh --budget 600          plan the runs to end within 600 s (a lent GPU's minutes)
#   NANOGPT_RECORDS="4 12 18" MODERN_RECORDS="30 60" TINY_RECORDS="1 5" STEPS=10 scripts/gpu-smoke.sh
#
# With --budget, each GPU run gets a fair share of the time left (tiny runs, on the CPU, a short fixed share), a
# run whose share is under MIN_RUN seconds is skipped with the reason, and an interrupt (Ctrl-C, a TERM from an
# outer timeout) stops the run in progress and still prints every row.
#
# Environment: SPEEDRUN_CACHE (where synced record scripts are; default ~/.cache/speedrun), SPEEDRUN_PYTHON
# (a Python with CUDA torch), SMOKE_DIR (work folder; default a new temporary one), RUN_TIMEOUT (seconds per run),
# MODERN_TRACK (the modern ladder's track name), MIN_RUN and TINY_SHARE (seconds, for --budget).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NANOGPT_RECORDS="${NANOGPT_RECORDS-4 12 18}"
TINY_RECORDS="${TINY_RECORDS-1 3 5}"
STEPS="${STEPS:-10}"
# Generous: the first step of a nanogpt record compiles (torch.compile with coordinate-descent tuning), which
# took over 160 s on an H200 with 16 CPU cores (docs/gpu-validation.md).
RUN_TIMEOUT="${RUN_TIMEOUT:-900}"
MODERN_TRACK="${MODERN_TRACK:-nanogpt-modern}"
# Modern records that train on one GPU (their scripts accumulate gradients), read DATA_PATH, and load no hub kernel
# (a lent GPU machine has no network to fetch FlashAttention-3): records 27-37 of nanogpt-modern.
MODERN_RECORDS="${MODERN_RECORDS-30 37}"
MIN_RUN="${MIN_RUN:-45}"
TINY_SHARE="${TINY_SHARE:-60}"
BUDGET=""
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) BUDGET="${2:-}"; shift 2 ;;
    --budget=*) BUDGET="${1#--budget=}"; shift ;;
    *) echo "gpu-smoke: unknown argument $1 (only --budget SECONDS)" >&2; exit 2 ;;
  esac
done
case "$BUDGET" in ''|*[!0-9]*) [ -z "$BUDGET" ] || { echo "gpu-smoke: --budget needs whole seconds, not $BUDGET" >&2; exit 2; } ;; esac
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
mkdir -p "$CACHE/data/nanogpt" "$CACHE/data/nanogpt-modern/data/fineweb10B"
[ -d "$USER_CACHE/upstream" ] && ln -sfn "$USER_CACHE/upstream" "$CACHE/upstream"
[ -d "$USER_CACHE/kernels" ] && ln -sfn "$USER_CACHE/kernels" "$CACHE/kernels"

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
# The modern track reads the same shards below DATA_PATH (data/fineweb10B/): hard links, no second copy.
ln -f "$CACHE"/data/nanogpt/fineweb_*.bin "$CACHE/data/nanogpt-modern/data/fineweb10B/"

echo "### $(date -u +%Y-%m-%d) · $GPU · torch $TORCH · $(nproc) CPUs${BUDGET:+ · budget $BUDGET s}"
echo
echo "| track | record | status | steps | first step (wall) | step (wall) | final val_loss | train_time | wall (whole command) | note |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"

# The plan: track:record pairs in order; GPU records first, as they are what the check is for.
PLAN=()
for record in $NANOGPT_RECORDS; do PLAN+=("nanogpt:$record"); done
for record in $MODERN_RECORDS; do PLAN+=("$MODERN_TRACK:$record"); done
for record in $TINY_RECORDS; do PLAN+=("tiny:$record"); done
DEADLINE=$(( SECONDS + ${BUDGET:-0} ))
NEXT=0      # index in PLAN of the first run without a row
CHILD=""    # the speedrun process of the run in progress

row() { echo "| $1 | $2 | $3 | | | | | | | $4 |"; }
# One smoke run; prints its row of the table as soon as it is done.
smoke_run() {
  local track="$1" record="$2" steps="$3" timeout="$4"; shift 4
  local out="$WORK/results/$track-$record" log="$WORK/$track-$record.log"
  local started=$SECONDS
  "${SPEEDRUN[@]}" run --track "$track" --record "$record" --agent null --smoke "$steps" --cache "$CACHE" \
      --python "$PYTHON" --out "$out" --timeout "$timeout" --json "$@" >"$log.json" 2>"$log" &
  CHILD=$!
  wait "$CHILD" || true
  CHILD=""
  node "$ROOT/scripts/gpu-smoke-row.mjs" "$track" "$record" "$out" "$log" "$((SECONDS - started))"
}
# Cut short: stop the run in progress (speedrun records it as aborted), print its row and a row for each run left.
cut_short() {
  trap - INT TERM
  if [ -n "$CHILD" ]; then
    kill -TERM "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
    IFS=: read -r track record <<<"${PLAN[$NEXT]}"
    node "$ROOT/scripts/gpu-smoke-row.mjs" "$track" "$record" "$WORK/results/$track-$record" "$WORK/$track-$record.log" "-"
    NEXT=$((NEXT + 1))
  fi
  for ((i = NEXT; i < ${#PLAN[@]}; i++)); do IFS=: read -r track record <<<"${PLAN[$i]}"; row "$track" "$record" "not run" "cut short"; done
  echo
  echo "(cut short; logs and run folders: $WORK)"
  exit 130
}
trap cut_short INT TERM

# Seconds for run NEXT under --budget: tiny runs a fixed share, GPU runs an equal part of what the later tiny runs leave.
share() {
  local left=$(( DEADLINE - SECONDS )) gpu_left=0 tiny_left=0 i
  for ((i = NEXT; i < ${#PLAN[@]}; i++)); do case "${PLAN[$i]}" in tiny:*) tiny_left=$((tiny_left + 1)) ;; *) gpu_left=$((gpu_left + 1)) ;; esac; done
  case "${PLAN[$NEXT]}" in
    tiny:*) echo $(( left < TINY_SHARE ? left : TINY_SHARE )) ;;
    *) echo $(( (left - (tiny_left * TINY_SHARE < left / 2 ? tiny_left * TINY_SHARE : left / 2)) / gpu_left )) ;;
  esac
}

for entry in "${PLAN[@]}"; do
  IFS=: read -r track record <<<"$entry"
  timeout="$RUN_TIMEOUT"
  if [ -n "$BUDGET" ]; then
    timeout=$(share)
    if [ "$timeout" -lt "$MIN_RUN" ]; then
      row "$track" "$record" "skipped" "budget: $(( DEADLINE - SECONDS )) s left for $(( ${#PLAN[@]} - NEXT )) runs, under MIN_RUN=$MIN_RUN s for this one"
      NEXT=$((NEXT + 1)); continue
    fi
    [ "$timeout" -gt "$RUN_TIMEOUT" ] && timeout="$RUN_TIMEOUT"
  fi
  if [ "$track" = tiny ]; then
    smoke_run tiny "$record" 20 "$timeout"
  elif ! "${SPEEDRUN[@]}" records show "$record" --track "$track" --cache "$CACHE" --json 2>/dev/null | grep -q '"state":"synced"'; then
    row "$track" "$record" "skipped" "script not synced (speedrun records sync --track $track)"
  else
    smoke_run "$track" "$record" "$STEPS" "$timeout" --gpus 0 --gpus-per-run 1
  fi
  NEXT=$((NEXT + 1))
done

echo
echo "(logs and run folders: $WORK)"
