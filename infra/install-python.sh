#!/usr/bin/env bash
# Creates (once) the venv with the reference tools the tests call: pymatgen, scikit-learn, scipy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
stamp="$CRUCIBLE_VENV/.requirements.sha"
want="$(sha256sum "$here/requirements-dev.txt" | cut -d' ' -f1)"
if [[ -x "$CRUCIBLE_PYTHON" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "[infra] creating Python venv at $CRUCIBLE_VENV" >&2
python3 -m venv "$CRUCIBLE_VENV"
"$CRUCIBLE_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-dev.txt"
echo "$want" > "$stamp"
