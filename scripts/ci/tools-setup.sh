#!/usr/bin/env bash
# Command-line tools the test suite drives besides Docker and Slurm: tmux runs the terminal UI's end-to-end tests,
# and Chromium (headless) renders report.html for the report's screenshot test.
# Idempotent: installs (as root, from Debian's packages) only what is missing.
set -euo pipefail

step() { echo "tools-setup: $*"; }

# Each tool is asked for its version rather than looked up on PATH: a leftover wrapper script or a broken install is
# found here, not halfway through a test.
missing=()
if tmux -V >/dev/null 2>&1; then step "tmux present"; else missing+=(tmux); fi
if chromium --headless --no-sandbox --version >/dev/null 2>&1; then step "chromium present"; else missing+=(chromium); fi

if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  tmux -V >/dev/null 2>&1 || { step "tmux does not run after installing it"; exit 1; }
  chromium --headless --no-sandbox --version >/dev/null 2>&1 || { step "chromium does not run after installing it"; exit 1; }
  step "installed ${missing[*]}"
fi
