# Shared settings for the one-node SLURM scripts. Source it; it only sets variables.
here_slurm="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here_slurm/../env.sh"
export CRUCIBLE_SLURM_HOME="${CRUCIBLE_SLURM_HOME:-$CRUCIBLE_HOME/slurm}"
export CRUCIBLE_SLURM_STATE="$CRUCIBLE_SLURM_HOME/state"
export CRUCIBLE_SLURM_LOGS="$CRUCIBLE_SLURM_HOME/logs"
# The client tools (sbatch, squeue, scontrol, sacct, scancel) read /etc/slurm/slurm.conf, so the
# cluster config lives there; everything the daemons write lives under CRUCIBLE_SLURM_HOME.
export CRUCIBLE_SLURM_CONF=/etc/slurm/slurm.conf
export CRUCIBLE_SLURM_MARKER="# crucible one-node cluster (infra/slurm/start.sh)"
