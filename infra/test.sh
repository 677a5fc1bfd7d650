#!/usr/bin/env bash
# `npm test`: the whole suite. Installs what is missing (npm packages, the Python reference
# tools, the servers), starts a private Temporal dev server and FerretDB on test ports (unless
# TEMPORAL_ADDRESS / MONGODB_URI name servers to use), runs the unit tests, then the
# integration tests one file at a time (they share the real servers' task queues), and stops
# what it started. Extra arguments go to jest (e.g. a test path pattern).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
bash "$here/bootstrap.sh"
bash "$here/install-python.sh"
source "$here/env.sh"
export CRUCIBLE_RUN="$CRUCIBLE_HOME/test-run"
export CRUCIBLE_TEMPORAL_PORT="${CRUCIBLE_TEST_TEMPORAL_PORT:-7244}"
export CRUCIBLE_MONGO_PORT="${CRUCIBLE_TEST_MONGO_PORT:-27044}"
source "$here/env.sh" # recompute paths under the test run folder
bash "$here/stop-servers.sh" 2>/dev/null || true  # a previous run that was killed
rm -rf "$CRUCIBLE_RUN" && mkdir -p "$CRUCIBLE_LOGS"
trap 'bash "$here/stop-servers.sh"' EXIT
eval "$(bash "$here/start-servers.sh")"
export TEMPORAL_ADDRESS MONGODB_URI

results="$CRUCIBLE_RUN/results"
mkdir -p "$results"
status=0
npx jest --selectProjects unit --json --outputFile="$results/unit.json" "$@" || status=$?
npx jest --selectProjects integration --runInBand --forceExit --json --outputFile="$results/integration.json" "$@" || status=$?
node -e '
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    try { const r = require(f); passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests; } catch {}
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" "$results/integration.json"
if ((status != 0)); then echo "[test] failed; server logs in $CRUCIBLE_LOGS" >&2; fi
exit "$status"
