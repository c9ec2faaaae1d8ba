#!/usr/bin/env bash
# Brings up a single-node Slurm cluster on this machine for the Slurm executor's tests and for CI.
# Idempotent: when munged, slurmctld and slurmd already run with this config it only checks and exits.
# Works without systemd (containers, CI images): the daemons are started directly and find each other
# through pid files under /run. One line is printed per step.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
RUN_DIR=/run/slurm
STATE_DIR=/var/lib/slurm/slurmctld
SPOOL_DIR=/var/lib/slurm/slurmd
LOG_DIR=/var/log/slurm
# How long to wait for the node to report idle before giving up (seconds).
READY_TIMEOUT="${SLURM_SETUP_READY_TIMEOUT:-60}"

step() { echo "slurm-setup: $*"; }

# 1. Packages: every command used below and by the tests (daemons, client tools, munge's own check), not just one of
# them: a machine may have the client tools (sinfo, sbatch) without the daemons. Whether the controller answers is
# checked at the end (step 5), not assumed from the binaries.
have_all() { for c in "$@"; do command -v "$c" >/dev/null 2>&1 || return 1; done; }
if have_all slurmctld slurmd sbatch squeue scancel scontrol sinfo sacct munged munge unmunge; then
  step "packages: slurm-wlm and munge present"
else
  step "packages: installing slurm-wlm munge"
  $SUDO apt-get update -q >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null
fi

# 2. Munge: a key (only when there is none: replacing it would lock out a running cluster) and the daemon.
if $SUDO test -s /etc/munge/munge.key; then
  step "munge: key present"
else
  step "munge: creating /etc/munge/munge.key"
  $SUDO mkdir -p /etc/munge
  $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  $SUDO chown munge:munge /etc/munge/munge.key
  $SUDO chmod 400 /etc/munge/munge.key
fi
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  step "munge: munged running"
else
  step "munge: starting munged"
  $SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
  $SUDO chown munge:munge /run/munge /var/log/munge /var/lib/munge
  # munged refuses to run as root with a key owned by munge; run it as the munge user like its service does.
  $SUDO runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 1 50); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.1
  done
  munge -n | unmunge >/dev/null || { step "munge: munged did not come up"; exit 1; }
fi

# 3. slurm.conf, from the template with this machine's name and hardware filled in.
host="$(hostname -s)"
# slurmd -C prints what slurmd would detect; keep the CPU layout and memory, drop its UpTime line.
hw="$(slurmd -C | head -n 1)"
cpus="$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")"
mem="$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")"
layout="$(grep -o 'Boards=[0-9]* SocketsPerBoard=[0-9]* CoresPerSocket=[0-9]* ThreadsPerCore=[0-9]*' <<<"$hw" || true)"
slurm_user=slurm
id slurm >/dev/null 2>&1 || slurm_user=root
new_conf="$(sed \
  -e "s|@HOST@|$host|g" \
  -e "s|@CPUS@|${cpus:-1}|g" \
  -e "s|@LAYOUT@|$layout|g" \
  -e "s|@MEMORY@|${mem:-1024}|g" \
  -e "s|@SLURM_USER@|$slurm_user|g" \
  -e "s|@RUN_DIR@|$RUN_DIR|g" \
  -e "s|@STATE_DIR@|$STATE_DIR|g" \
  -e "s|@SPOOL_DIR@|$SPOOL_DIR|g" \
  -e "s|@LOG_DIR@|$LOG_DIR|g" \
  "$here/slurm.conf.template")"
conf_changed=0
if [ -f "$CONF" ] && [ "$(cat "$CONF")" = "$new_conf" ]; then
  step "config: $CONF up to date (node $host, $cpus CPUs, ${mem} MB)"
else
  step "config: writing $CONF (node $host, $cpus CPUs, ${mem} MB)"
  $SUDO mkdir -p "$CONF_DIR"
  printf '%s\n' "$new_conf" | $SUDO tee "$CONF" >/dev/null
  conf_changed=1
fi
$SUDO mkdir -p "$RUN_DIR" "$STATE_DIR" "$SPOOL_DIR" "$LOG_DIR"
$SUDO chown "$slurm_user:$slurm_user" "$STATE_DIR" "$LOG_DIR"

# 4. Daemons. A changed config restarts them, so they never run with a stale one.
running() { [ -f "$RUN_DIR/$1.pid" ] && $SUDO kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }
stop() {
  if running "$1"; then
    local pid
    pid="$(cat "$RUN_DIR/$1.pid")"
    $SUDO kill "$pid"
    for _ in $(seq 1 50); do $SUDO kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
}
for daemon in slurmctld slurmd; do
  if [ "$conf_changed" = 1 ]; then stop "$daemon"; fi
  if running "$daemon"; then
    step "daemon: $daemon running"
  else
    step "daemon: starting $daemon"
    # slurmctld switches to SlurmUser itself; slurmd must stay root to start jobs as their users.
    $SUDO "/usr/sbin/$daemon"
  fi
done

# 5. Wait for the node. ReturnToService=2 brings a node back after a restart, but one drained or marked
# down by hand (or by an earlier, broken config) stays so: resume it.
deadline=$((SECONDS + READY_TIMEOUT))
resumed=0
while :; do
  state="$(sinfo -h -n "$host" -o %T 2>/dev/null | head -n 1 || true)"
  case "$state" in
    *'*')
      # A trailing * means the controller has not heard from slurmd yet (or lost it): keep waiting.
      ;;
    idle* | mixed* | allocated* | completing*)
      step "node: $host is $state"
      break
      ;;
    down* | drain* | drained* | fail*)
      if [ "$resumed" = 0 ]; then
        step "node: $host is $state, resuming"
        $SUDO scontrol update nodename="$host" state=resume || true
        resumed=1
      fi
      ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then
    step "node: $host not ready after ${READY_TIMEOUT}s (state '${state:-unknown}'); see $LOG_DIR/*.log"
    exit 1
  fi
  sleep 0.5
done
