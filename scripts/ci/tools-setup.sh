#!/usr/bin/env bash
# Command-line tools the test suite drives besides Docker and Slurm: tmux runs the terminal UI's end-to-end tests.
# Idempotent: installs (as root, from Debian's packages) only what is missing.
set -euo pipefail

step() { echo "tools-setup: $*"; }

if command -v tmux >/dev/null 2>&1; then
  step "tmux present"
else
  step "installing tmux"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends tmux >/dev/null
  step "tmux installed"
fi
