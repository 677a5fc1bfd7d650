#!/usr/bin/env bash
# Stops the one-node cluster that start.sh started (by pid file; nothing else is touched).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
for pidfile in "$CRUCIBLE_SLURM_STATE/slurmd.pid" "$CRUCIBLE_SLURM_STATE/slurmctld.pid" /run/munge/munged.pid; do
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
  fi
done
echo "[slurm] stopped" >&2
