#!/usr/bin/env bash
# Creates (once) the separate venv with BoTorch + torch for the discovery benchmark's reference
# method. Kept apart from the test venv because torch from PyPI brings several GB of CUDA wheels.
# Prints the venv's python path on stdout.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$here/../../infra/requirements-bench.txt"
venv="${CRUCIBLE_BENCH_VENV:-${CRUCIBLE_HOME:-$HOME/.cache/crucible}/venv-bench}"
stamp="$venv/.requirements.sha"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi
echo "[bench] creating BoTorch venv at $venv (torch from PyPI: several GB, minutes)" >&2
start=$(date +%s)
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req" >&2
echo "$want" > "$stamp"
echo "[bench] BoTorch venv ready in $(( $(date +%s) - start )) s ($(du -sh "$venv" | cut -f1))" >&2
echo "$venv/bin/python"
