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
trap 'bash "$here/stop-servers.sh"; bash "$here/slurm/stop.sh" 2>/dev/null || true' EXIT
eval "$(bash "$here/start-servers.sh")"
export TEMPORAL_ADDRESS MONGODB_URI
bash "$here/install-chromium.sh" # Debian's Chromium for the dashboard's browser test
# A CPU Vulkan device for the WebGPU kernel tests (tests/unit/ml/webgpu); elsewhere they skip and say why.
bash "$here/install-lavapipe.sh" >/dev/null || [[ "${CI:-}" != "true" ]]

# The MD stage needs a one-node SLURM cluster (root + apt) and the CHGNet venv (~5 min and
# several GB the first time), which also holds BoTorch/GPyTorch for the unit tests' BoTorch
# reference (so it is installed before the unit tests). Elsewhere those tests skip and say
# why; in CI they must run (the BoTorch test fails under CI=true rather than skip).
if bash "$here/slurm/install.sh" && bash "$here/slurm/start.sh"; then
  export CRUCIBLE_SLURM=1
elif [[ "${CI:-}" == "true" ]]; then
  echo "[test] SLURM could not be installed or started; see above" >&2
  exit 1
fi
CRUCIBLE_MD_PYTHON="$(bash "$here/install-md-python.sh")" || {
  echo "[test] the MD venv (CHGNet) could not be installed" >&2
  [[ "${CI:-}" == "true" ]] && exit 1
  CRUCIBLE_MD_PYTHON=""
}
export CRUCIBLE_MD_PYTHON

results="$CRUCIBLE_RUN/results"
mkdir -p "$results"
status=0
npx jest --selectProjects unit --json --outputFile="$results/unit.json" "$@" || status=$?
npx jest --selectProjects integration --runInBand --forceExit --json --outputFile="$results/integration.json" "$@" || status=$?
npx jest --selectProjects browser --runInBand --forceExit --json --outputFile="$results/browser.json" "$@" || status=$?
npx jest --selectProjects md --runInBand --forceExit --json --outputFile="$results/md.json" "$@" || status=$?
node -e '
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    try { const r = require(f); passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests; } catch {}
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/unit.json" "$results/integration.json" "$results/browser.json" "$results/md.json"
if ((status != 0)); then echo "[test] failed; server logs in $CRUCIBLE_LOGS" >&2; fi
exit "$status"
