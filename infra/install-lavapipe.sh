#!/usr/bin/env bash
# Installs Mesa's lavapipe (a Vulkan device on the CPU) where the WebGPU tests can use it:
# tests/unit/ml/webgpu run tfjs's webgpu backend, and the fused CGCNN kernels, on Dawn over
# lavapipe on machines without a GPU. Idempotent; prints the ICD manifest's path on stdout.
#
# Debian 12's own lavapipe (Mesa 22.3) is refused by Dawn ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"); Mesa 25 from bookworm-backports works. Only
# its driver library is extracted, into /opt/crucible/lavapipe (root) or
# ~/.cache/crucible/lavapipe, with a manifest naming it by absolute path: the system's Mesa
# (OpenGL for Chromium and others) is not upgraded. The system gets the Vulkan loader
# (libvulkan1) and, on bookworm, the backports source at apt's default low priority (nothing
# is upgraded from it unless asked).
#
# The manifest is registered where the Vulkan loader looks by itself (/etc/vulkan/icd.d, or
# ~/.local/share/vulkan/icd.d without root), as Debian's mesa-vulkan-drivers would: jest gives
# tests a copy of process.env, so a VK_ICD_FILENAMES set by a test never reaches the loader.
# Every Vulkan program then also sees the CPU device; Dawn marks it as its fallback adapter and
# the ML backend selection refuses it (ml/backends/webgpu.ts).
set -euo pipefail
sudo=""
if ((EUID != 0)); then sudo="sudo"; fi
if ((EUID == 0)); then
  dir="/opt/crucible/lavapipe" registry="/etc/vulkan/icd.d"
else
  dir="$HOME/.cache/crucible/lavapipe" registry="${XDG_DATA_HOME:-$HOME/.local/share}/vulkan/icd.d"
fi
icd="$registry/crucible_lvp_icd.json"
say() { echo "[infra] $*" >&2; }
if [[ -f "$icd" && -f "$dir/libvulkan_lvp.so" ]] && ldconfig -p | grep -q 'libvulkan.so.1'; then
  say "lavapipe present: $icd"
  echo "$icd"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  say "no apt-get here: install Mesa >= 23 lavapipe and libvulkan1 (its ICD json in a Vulkan loader search path), and set CRUCIBLE_LAVAPIPE_ICD to that json"
  exit 1
fi
apt_install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2; }

# shellcheck disable=SC1091
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
suite="$codename"
if [[ "$codename" == "bookworm" ]]; then
  suite="bookworm-backports"
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    say "adding the bookworm-backports source (default priority: nothing is upgraded from it)"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
      $sudo tee /etc/apt/sources.list.d/bookworm-backports.sources >/dev/null
    $sudo apt-get update -qq >&2
  fi
fi
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  say "installing the Vulkan loader (libvulkan1)"
  apt_install libvulkan1 || { $sudo apt-get update -qq >&2 && apt_install libvulkan1; }
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# As root, apt-get download would drop to the _apt user, which cannot write into this folder.
sandbox=()
if ((EUID == 0)); then sandbox=(-o APT::Sandbox::User=root); fi
download() { (cd "$tmp" && apt-get download -qq "${sandbox[@]}" "mesa-vulkan-drivers/$suite" >&2); }
say "downloading mesa-vulkan-drivers from $suite"
download || { $sudo apt-get update -qq >&2 && download; }
dpkg-deb -x "$tmp"/mesa-vulkan-drivers_*.deb "$tmp/root"
lib="$(find "$tmp/root" -name libvulkan_lvp.so | head -1)"
[[ -n "$lib" ]] || { say "no libvulkan_lvp.so in mesa-vulkan-drivers"; exit 1; }
mkdir -p "$dir" "$registry"
cp "$lib" "$dir/libvulkan_lvp.so"
api="$(grep -o '"api_version" *: *"[^"]*"' "$(find "$tmp/root" -name 'lvp_icd*.json' | head -1)" | sed 's/.*: *"\(.*\)"/\1/')"
printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"%s"}}\n' \
  "$dir/libvulkan_lvp.so" "${api:-1.3.0}" >"$icd"
# Its libraries (LLVM, libdrm, X/Wayland clients) come from the distribution; name any missing.
missing="$(ldd "$dir/libvulkan_lvp.so" | awk '/not found/ {print $1}')"
if [[ -n "$missing" ]]; then
  say "lavapipe needs libraries this system lacks: $missing (apt-get install the packages that ship them)"
  exit 1
fi
say "lavapipe installed: $icd ($(dpkg-deb -f "$tmp"/mesa-vulkan-drivers_*.deb Version))"
echo "$icd"
