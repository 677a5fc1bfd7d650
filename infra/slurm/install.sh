#!/usr/bin/env bash
# Installs Debian's SLURM (slurmctld, slurmd, client tools) and munge for a one-node cluster.
# Needs root and apt (Debian/Ubuntu). Idempotent: a no-op when the packages are present.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
  && command -v munged >/dev/null; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "[slurm] install needs root and apt-get (Debian); skipping" >&2
  exit 1
fi
start=$(date +%s)
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >&2
echo "[slurm] installed in $(( $(date +%s) - start )) s" >&2
