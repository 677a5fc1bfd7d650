#!/usr/bin/env bash
# Starts the Temporal dev server and FerretDB on loopback unless TEMPORAL_ADDRESS / MONGODB_URI
# name servers to use instead. Waits until each answers, then prints the export lines for the
# addresses to stdout (eval "$(infra/start-servers.sh)"). Logs: $CRUCIBLE_LOGS. Data persists
# in $CRUCIBLE_RUN (Temporal history in temporal.sqlite, FerretDB in ferretdb/), so a restart
# keeps every campaign. Stop with infra/stop-servers.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
bash "$here/install-servers.sh"

wait_for_port() { # name port pidfile seconds
  local name="$1" port="$2" pidfile="$3" deadline=$((SECONDS + $4))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "[infra] $name exited during start-up; last log lines:" >&2
      tail -n 30 "$CRUCIBLE_LOGS/$name.log" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "[infra] $name did not listen on 127.0.0.1:$port within $4 s; see $CRUCIBLE_LOGS/$name.log" >&2
      exit 1
    fi
    sleep 0.2
  done
}

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

if [[ -z "${TEMPORAL_ADDRESS:-}" ]]; then
  pidfile="$CRUCIBLE_RUN/temporal.pid"
  if ! running "$pidfile"; then
    setsid "$CRUCIBLE_BIN/temporal-$TEMPORAL_VERSION" server start-dev --headless --ip 127.0.0.1 \
      --port "$CRUCIBLE_TEMPORAL_PORT" --ui-port $((CRUCIBLE_TEMPORAL_PORT + 1000)) \
      --db-filename "$CRUCIBLE_RUN/temporal.sqlite" --log-level warn \
      --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
      >>"$CRUCIBLE_LOGS/temporal.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    wait_for_port temporal "$CRUCIBLE_TEMPORAL_PORT" "$pidfile" 60
    # The port opens before the frontend serves; wait for the default namespace to answer.
    deadline=$((SECONDS + 60))
    until "$CRUCIBLE_BIN/temporal-$TEMPORAL_VERSION" operator namespace describe -n default \
      --address "127.0.0.1:$CRUCIBLE_TEMPORAL_PORT" >/dev/null 2>&1; do
      ((SECONDS < deadline)) || { echo "[infra] temporal not ready; see $CRUCIBLE_LOGS/temporal.log" >&2; exit 1; }
      sleep 0.5
    done
    echo "[infra] temporal dev server up on 127.0.0.1:$CRUCIBLE_TEMPORAL_PORT (log $CRUCIBLE_LOGS/temporal.log)" >&2
  fi
  echo "export TEMPORAL_ADDRESS=127.0.0.1:$CRUCIBLE_TEMPORAL_PORT"
fi

if [[ -z "${MONGODB_URI:-}" ]]; then
  pidfile="$CRUCIBLE_RUN/ferretdb.pid"
  if ! running "$pidfile"; then
    mkdir -p "$CRUCIBLE_RUN/ferretdb"
    setsid "$CRUCIBLE_BIN/ferretdb-$FERRETDB_VERSION" --handler=sqlite \
      --sqlite-url="file:$CRUCIBLE_RUN/ferretdb/?_pragma=synchronous(normal)" --listen-addr="127.0.0.1:$CRUCIBLE_MONGO_PORT" \
      --telemetry=disable --debug-addr=- --log-level=warn --state-dir="$CRUCIBLE_RUN/ferretdb" \
      >>"$CRUCIBLE_LOGS/ferretdb.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
    wait_for_port ferretdb "$CRUCIBLE_MONGO_PORT" "$pidfile" 60
    echo "[infra] ferretdb up on 127.0.0.1:$CRUCIBLE_MONGO_PORT (log $CRUCIBLE_LOGS/ferretdb.log)" >&2
  fi
  echo "export MONGODB_URI=mongodb://127.0.0.1:$CRUCIBLE_MONGO_PORT/"
fi
