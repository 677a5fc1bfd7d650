# Shared settings for the infra scripts. Source it; it only sets variables.
# Binaries, the Python venv and server data live outside git, under CRUCIBLE_HOME, so a
# fresh clone reuses what an earlier run on this machine already built.
export CRUCIBLE_HOME="${CRUCIBLE_HOME:-$HOME/.cache/crucible}"
export CRUCIBLE_BIN="$CRUCIBLE_HOME/bin"
export CRUCIBLE_RUN="${CRUCIBLE_RUN:-$CRUCIBLE_HOME/run}"   # pid files, logs, server data
export CRUCIBLE_LOGS="$CRUCIBLE_RUN/logs"
export CRUCIBLE_VENV="$CRUCIBLE_HOME/venv"
export CRUCIBLE_PYTHON="${CRUCIBLE_PYTHON:-$CRUCIBLE_VENV/bin/python}"
export TEMPORAL_VERSION="v1.5.1"
export FERRETDB_VERSION="v1.24.2"
export CRUCIBLE_TEMPORAL_PORT="${CRUCIBLE_TEMPORAL_PORT:-7233}"
export CRUCIBLE_MONGO_PORT="${CRUCIBLE_MONGO_PORT:-27017}"
mkdir -p "$CRUCIBLE_BIN" "$CRUCIBLE_LOGS"
