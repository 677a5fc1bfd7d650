#!/usr/bin/env bash
# On a lent GPU machine (no Node, no network), from the repository root, with .crucible/gpu
# carried (bench/ml/prepare-gpu-bundle.sh builds it): checks that tfjs's webgpu backend runs on a
# hardware adapter, checks the fused WGSL convolution (ml/webgpu) against tfjs's stock ops there,
# and times CGCNN training steps and forward passes with the fused kernels ("webgpu") and with
# stock ops ("webgpu-stock") on the same batch, with the wasm and cpu backends as baselines in
# the same process. Writes JSON and logs to $OUT; ~5 minutes.
set -uo pipefail
OUT="${OUT:-$(mktemp -d)}"
G="$PWD/.crucible/gpu"
W="$(mktemp -d)"
log="$OUT/gpu-check.log"
say() { echo "[gpu-check] $*" | tee -a "$log" >&2; }

[[ -f "$G/cgcnn-bench.js" ]] || { say "missing $G: run bench/ml/prepare-gpu-bundle.sh and carry .crucible/gpu"; exit 2; }
gunzip -c "$G/node.gz" >"$W/node" && chmod +x "$W/node"
gunzip -c "$G/dawn.node.gz" >"$W/dawn.node"
say "node $("$W/node" --version)"

{ nvidia-smi || true; } >"$OUT/nvidia-smi.txt" 2>&1
# Vulkan: use the machine's loader when it has one, else the carried one; if no ICD manifest
# names NVIDIA's driver, write one for libGLX_nvidia.so.0 (where NVIDIA's Vulkan lives).
{
  ldconfig -p | grep -i -E 'vulkan|GLX_nvidia|nvidia' || true
  ls -la /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1 || true
} >"$OUT/vulkan-env.txt" 2>&1
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  export LD_LIBRARY_PATH="$G/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "no system libvulkan.so.1: using the carried Debian loader"
fi
# NVIDIA's shipped ICD json names libGLX_nvidia.so.0, which fails headless ("Could not get
# vkCreateInstance"); an ICD json naming libEGL_nvidia.so.0 gives the hardware adapter.
egl="$(ldconfig -p | awk '/libEGL_nvidia.so.0/ {print $NF; exit}')"
if [[ -n "$egl" ]]; then
  api="$(grep -ho '"api_version" *: *"[^"]*"' /usr/share/vulkan/icd.d/*.json /usr/local/nvidia/share/vulkan/icd.d/*.json 2>/dev/null | head -1 | sed 's/.*: *"\(.*\)"/\1/')"
  mkdir -p "$W/icd.d"
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"%s"}}\n' "$egl" "${api:-1.3.0}" >"$W/icd.d/nvidia_egl_icd.json"
  export VK_ICD_FILENAMES="$W/icd.d/nvidia_egl_icd.json" VK_DRIVER_FILES="$W/icd.d/nvidia_egl_icd.json"
  export CRUCIBLE_DAWN_FLAGS="${CRUCIBLE_DAWN_FLAGS:-backend=vulkan}"
  say "wrote an NVIDIA Vulkan ICD manifest for $egl (api ${api:-1.3.0}); Dawn flags $CRUCIBLE_DAWN_FLAGS"
else
  say "no libEGL_nvidia.so.0: webgpu will likely find no hardware adapter"
fi
export CRUCIBLE_DAWN_NODE="$W/dawn.node" CRUCIBLE_TFJS_WASM_DIR="$G/wasm/"
bench() { timeout "$1" "$W/node" "$G/cgcnn-bench.js" "${@:2}"; }

say "1/5 backend probe"
bench 45 --probe >"$OUT/probe.json" 2>>"$log"
say "probe rc=$? $(tr -d '\n' <"$OUT/probe.json" | head -c 600)"

# Correctness on the hardware first: loss, outputs, every gradient, running statistics (ok: all
# within 1e-4 relative of the stock ops).
say "2/5 fused vs stock convolution, 1,024 atoms"
bench 60 --check-fused --backends webgpu --crystals 64 --atoms 1024 >"$OUT/fused-check.json" 2>>"$log"
say "rc=$? $(grep -o '"ok": [a-z]*' "$OUT/fused-check.json" | head -1) worst $(grep -o '"worst": [^,]*' "$OUT/fused-check.json")"

# The fixed benchmark batch (64 crystals × 16 atoms = 1,024 atoms) on every backend; webgpu
# runs fused and stock (fused_vs_stock in the JSON: ms per step and dispatches per step).
say "3/5 1,024-atom batch: webgpu (fused, stock), wasm, cpu"
bench 120 --crystals 64 --atoms 1024 --no-torch --reps 5 --cpu-reps 1 --backends webgpu,wasm,cpu \
  --out "$OUT/cgcnn-1024.json" >/dev/null 2>>"$log"
say "rc=$?"

# The issue's batch (200 crystals, 10,000 atoms), the one PyTorch's 6.7 ms per training step on
# an H100 was measured on: the headline ratio. wasm in the same process as the CPU baseline.
say "4/5 the issue's batch, 10,000 atoms: webgpu (fused, stock), wasm"
bench 150 --no-torch --reps 3 --backends webgpu,wasm --out "$OUT/cgcnn-10000.json" >/dev/null 2>>"$log"
say "rc=$?"

say "5/5 10,000 atoms: webgpu (fused, stock), no CPU forwarding of small ops, 128 passes per submit"
CRUCIBLE_TF_FLAGS=WEBGPU_CPU_FORWARD=false,WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=128 bench 60 --no-torch --reps 3 --backends webgpu \
  --out "$OUT/cgcnn-10000-nocpufwd.json" >/dev/null 2>>"$log"
say "rc=$?"
rm -rf "$W"
say "done"
