#!/usr/bin/env bash
# Starts munged, slurmctld and slurmd as a one-node cluster without systemd (containers, CI).
# Writes /etc/slurm/slurm.conf unless one that is not ours is already there. Idempotent:
# daemons already running are left alone. Waits until the node accepts jobs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
mkdir -p "$CRUCIBLE_SLURM_STATE/ctld" "$CRUCIBLE_SLURM_STATE/d" "$CRUCIBLE_SLURM_LOGS"

node="$(hostname -s)"
cpus="$(nproc)"
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
conf="$CRUCIBLE_SLURM_CONF"
if [[ -f "$conf" ]] && ! grep -qF "$CRUCIBLE_SLURM_MARKER" "$conf"; then
  echo "[slurm] $conf exists and is not Crucible's: using it as is" >&2
else
  mkdir -p "$(dirname "$conf")"
  cat > "$conf" <<CONF
$CRUCIBLE_SLURM_MARKER
ClusterName=crucible
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# No cgroups in containers: track job processes by parent pid, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# No slurmdbd: finished jobs go to a text file that 'sacct -c' reads.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$CRUCIBLE_SLURM_STATE/jobcomp.log
StateSaveLocation=$CRUCIBLE_SLURM_STATE/ctld
SlurmdSpoolDir=$CRUCIBLE_SLURM_STATE/d
SlurmctldPidFile=$CRUCIBLE_SLURM_STATE/slurmctld.pid
SlurmdPidFile=$CRUCIBLE_SLURM_STATE/slurmd.pid
SlurmctldLogFile=$CRUCIBLE_SLURM_LOGS/slurmctld.log
SlurmdLogFile=$CRUCIBLE_SLURM_LOGS/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ReturnToService=2
# Keep finished jobs visible to squeue/scontrol for 5 min; after that sacct -c has them.
MinJobAge=300
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
fi

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# munged refuses to run as root; run it as the munge user Debian's package created.
mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
if ! running /run/munge/munged.pid; then
  runuser -u munge -- /usr/sbin/munged
fi
if ! running "$CRUCIBLE_SLURM_STATE/slurmctld.pid"; then
  slurmctld
fi
if ! running "$CRUCIBLE_SLURM_STATE/slurmd.pid"; then
  slurmd
fi

for _ in $(seq 1 60); do
  state="$(sinfo -h -n "$node" -o %t 2>/dev/null || true)"
  case "$state" in
    idle* | mix* | alloc*) echo "[slurm] node $node up ($state)" >&2; exit 0 ;;
    down* | drain*) scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.5
done
echo "[slurm] node $node did not come up; see $CRUCIBLE_SLURM_LOGS" >&2
exit 1
