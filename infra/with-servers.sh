#!/usr/bin/env bash
# Runs a command with TEMPORAL_ADDRESS and MONGODB_URI set: starts the local servers that the
# environment does not already name, and stops them when the command ends (unless they were
# already running before, e.g. started by hand with infra/start-servers.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/bootstrap.sh"
source "$here/env.sh"
already_running=0
for name in temporal ferretdb; do
  pidfile="$CRUCIBLE_RUN/$name.pid"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && already_running=1
done
exports="$(bash "$here/start-servers.sh")"
eval "$exports"
((already_running)) || trap 'bash "$here/stop-servers.sh"' EXIT
cd "$here/.."
"$@"
