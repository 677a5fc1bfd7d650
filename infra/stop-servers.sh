#!/usr/bin/env bash
# Stops the servers that infra/start-servers.sh started (by pid file); leaves their data.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
for name in temporal ferretdb; do
  pidfile="$CRUCIBLE_RUN/$name.pid"
  [[ -f "$pidfile" ]] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    echo "[infra] stopped $name (pid $pid)" >&2
  fi
  rm -f "$pidfile"
done
