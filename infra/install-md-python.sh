#!/usr/bin/env bash
# Creates (once) the venv for the MD engine: ASE + CHGNet (+ torch) and pymatgen's diffusion
# analysis, plus BoTorch/GPyTorch on the same torch (the unit tests' BoTorch reference and the
# discovery benchmark's baseline). Prints the python path on stdout, so callers can do
#   export CRUCIBLE_MD_PYTHON="$(bash infra/install-md-python.sh)"
# Re-runs are no-ops while infra/requirements-md.txt is unchanged (hash stamp).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
venv="${CRUCIBLE_MD_VENV:-$CRUCIBLE_HOME/venv-md}"
py="$venv/bin/python"
stamp="$venv/.requirements.sha"
want="$(sha256sum "$here/requirements-md.txt" | cut -d' ' -f1)"
if [[ -x "$py" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$py"
  exit 0
fi
start=$(date +%s)
echo "[infra] creating MD venv at $venv (torch + CUDA wheels: several GB on first install)" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-md.txt" >&2
# Fail here, not in the first MD job, if the pretrained model does not load offline.
"$py" -c "from chgnet.model import CHGNet; CHGNet.load(verbose=False)" >&2
"$py" -c "import botorch, gpytorch, sklearn" >&2
echo "$want" > "$stamp"
echo "[infra] MD venv ready in $(( $(date +%s) - start )) s" >&2
echo "$py"
