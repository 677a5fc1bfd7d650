#!/usr/bin/env bash
# Builds (once) the official Temporal CLI (its dev server) and FerretDB from the Go module proxy.
# Binaries are cached as $CRUCIBLE_BIN/<name>-<version>, outside git; a fresh machine takes
# about 2.5 min (Temporal) + 1 min (FerretDB) on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"

build() { # name module version
  local name="$1" module="$2" version="$3" target="$CRUCIBLE_BIN/$1-$3"
  [[ -x "$target" ]] && return 0
  echo "[infra] building $name $version with go install (cached at $target)" >&2
  local tmp; tmp="$(mktemp -d)"
  (cd /tmp && GOBIN="$tmp" go install -trimpath "$module@$version") >"$CRUCIBLE_LOGS/build-$name.log" 2>&1 || {
    echo "[infra] go install $module@$version failed; see $CRUCIBLE_LOGS/build-$name.log" >&2
    tail -n 20 "$CRUCIBLE_LOGS/build-$name.log" >&2
    exit 1
  }
  mv "$tmp/$name" "$target"
  rmdir "$tmp"
}

command -v go >/dev/null || { echo "[infra] Go is required to build the servers (https://go.dev/dl)" >&2; exit 1; }
[[ -n "${TEMPORAL_ADDRESS:-}" ]] || build temporal github.com/temporalio/cli/cmd/temporal "$TEMPORAL_VERSION"
# FerretDB embeds build/version/version.txt, which the module zip leaves empty (its init then
# panics), so build from a copy of the module source with that file written.
build_ferretdb() {
  local target="$CRUCIBLE_BIN/ferretdb-$FERRETDB_VERSION"
  [[ -x "$target" ]] && return 0
  echo "[infra] building ferretdb $FERRETDB_VERSION (cached at $target)" >&2
  local log="$CRUCIBLE_LOGS/build-ferretdb.log" src tmp
  src="$(cd /tmp && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || { echo "[infra] go mod download of FerretDB failed" >&2; exit 1; }
  tmp="$(mktemp -d)"
  cp -r "$src/." "$tmp/" && chmod -R u+w "$tmp"
  echo "$FERRETDB_VERSION" >"$tmp/build/version/version.txt"
  (cd "$tmp" && go build -trimpath -o "$target.partial" ./cmd/ferretdb) >"$log" 2>&1 || {
    echo "[infra] building FerretDB failed; see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
  mv "$target.partial" "$target"
  rm -rf "$tmp"
}
[[ -n "${MONGODB_URI:-}" ]] || build_ferretdb
