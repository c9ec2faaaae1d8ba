#!/usr/bin/env bash
# Makes this machine ready for the docker executor's tests and CI: a Docker engine that answers, a local
# debian:bookworm-slim base image (made with debootstrap, because no registry may be reachable), the speedrun
# CPU image and the agent image (exec agents with --executor docker). Idempotent: each step checks first and
# prints one line; with everything in place it takes ~1 s.
# Needs root for the install and engine steps (CI machines); on a developer machine with Docker running, only
# the image steps run.
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE_IMAGE=debian:bookworm-slim
CPU_IMAGE=speedrun/cpu:1   # keep in step with src/core/exec/docker/images.ts
AGENT_IMAGE=speedrun/agent:1   # keep in step with src/core/exec/docker/images.ts (AGENT_IMAGE)
DOCKERD_WAIT_S=60

step() { printf 'docker-setup: %s\n' "$*"; }

# 1. Packages: the engine and CLI (Debian's docker.io) and debootstrap for the base image.
missing=()
# A docker CLI may be present without any engine (seen: a CLI installed alone, no dockerd): the engine is what the
# tests need, and this script talks to it through the CLI, so both must be there. Whether the engine answers on its
# socket is checked next (docker info), not assumed from the binaries.
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then missing+=(docker.io); fi
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  step "docker and debootstrap installed"
fi

# 2. The engine: start dockerd when nobody answers, and wait for it (bounded).
if docker info >/dev/null 2>&1; then
  step "docker engine running"
elif [ -n "${DOCKER_HOST:-}" ] || [ "$(id -u)" != 0 ]; then
  # A remote engine, or no right to start one here: say so rather than start a second, unrelated engine.
  step "docker engine not reachable${DOCKER_HOST:+ at $DOCKER_HOST}; start it (dockerd) and rerun"
  exit 1
else
  step "starting dockerd (log: /tmp/dockerd.log)"
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 "$DOCKERD_WAIT_S"); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { step "dockerd did not answer within ${DOCKERD_WAIT_S} s; see /tmp/dockerd.log"; exit 1; }
  step "docker engine running"
fi

# The main Debian archive this machine's apt already uses (deb822 sources first, then the one-line format),
# so the base image comes from the same mirror and no host name is written down here.
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' \
    | grep -v -e security -e updates | head -n1 || true)
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' /etc/apt/sources.list \
      | grep -v -e security -e updates | head -n1 || true)
  fi
  [ -n "$uri" ] || { echo "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2; return 1; }
  printf '%s\n' "$uri"
}

# 3. The base image, made from the Debian archive when no registry can provide it.
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  step "$BASE_IMAGE present"
else
  mirror=$(debian_mirror)
  step "making $BASE_IMAGE with debootstrap from $mirror"
  rootfs=$(mktemp -d /tmp/speedrun-rootfs-XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/tmp/debootstrap.log 2>&1 \
    || { step "debootstrap failed; see /tmp/debootstrap.log"; exit 1; }
  tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  step "$BASE_IMAGE imported"
fi

# 4. The CPU image the tiny track and the docker tests run in.
if docker image inspect "$CPU_IMAGE" >/dev/null 2>&1; then
  step "$CPU_IMAGE present"
else
  step "building $CPU_IMAGE from containers/cpu (log: /tmp/speedrun-cpu-build.log)"
  docker build -t "$CPU_IMAGE" containers/cpu >/tmp/speedrun-cpu-build.log 2>&1 \
    || { tail -n 20 /tmp/speedrun-cpu-build.log; step "building $CPU_IMAGE failed"; exit 1; }
  step "$CPU_IMAGE built"
fi

# 5. The agent image exec agents run in with --executor docker. Its build context carries this machine's node
# binary (and npm), since no registry may be reachable and Debian's Node is too old for coding CLIs.
if docker image inspect "$AGENT_IMAGE" >/dev/null 2>&1; then
  step "$AGENT_IMAGE present"
else
  node_bin=$(command -v node) || { step "building $AGENT_IMAGE needs node on this machine"; exit 1; }
  context=$(mktemp -d /tmp/speedrun-agent-context-XXXXXX)
  trap 'rm -rf "$context"' EXIT
  cp containers/agent/Dockerfile "$context"/
  cp "$(readlink -f "$node_bin")" "$context"/node
  npm_dir="$(dirname "$(readlink -f "$node_bin")")/../lib/node_modules/npm"
  if [ -d "$npm_dir" ]; then cp -r "$npm_dir" "$context"/npm; else mkdir "$context"/npm; fi
  step "building $AGENT_IMAGE from containers/agent with node $("$node_bin" --version) (log: /tmp/speedrun-agent-build.log)"
  docker build -t "$AGENT_IMAGE" "$context" >/tmp/speedrun-agent-build.log 2>&1 \
    || { tail -n 20 /tmp/speedrun-agent-build.log; step "building $AGENT_IMAGE failed"; exit 1; }
  rm -rf "$context"
  trap - EXIT
  step "$AGENT_IMAGE built"
fi
