#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (tests/browser), which drive it
# through playwright-core (that package ships no browser). Idempotent: does nothing when a
# working Chromium is already there. Needs root (or sudo) and apt; CRUCIBLE_CHROMIUM overrides
# the path the tests use.
set -euo pipefail
bin="${CRUCIBLE_CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$bin" ]] && "$bin" --version >/dev/null 2>&1; then
  echo "[infra] chromium present: $("$bin" --version 2>/dev/null | head -n 1)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "[infra] no apt-get here: install Chromium yourself and set CRUCIBLE_CHROMIUM to its path" >&2
  exit 1
fi
sudo=""
if ((EUID != 0)); then sudo="sudo"; fi
echo "[infra] installing chromium with apt-get" >&2
# Only refresh the package lists when they were never fetched (a fresh container).
if [[ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e '^lock$' -e '^partial$' || true)" ]]; then
  $sudo apt-get update -qq
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 ||
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2; }
"$bin" --version >&2
