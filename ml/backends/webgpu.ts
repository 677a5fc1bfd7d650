/**
 * WebGPU through Dawn (npm `webgpu`, a prebuilt native binding) and
 * @tensorflow/tfjs-backend-webgpu. Only a hardware adapter is accepted: Dawn falls back to a
 * CPU rasterizer (SwiftShader/llvmpipe) on machines without a GPU, which is far slower for
 * tfjs than the wasm backend.
 */
import * as path from 'node:path';
import { tf } from '../tf';
import { firstLine, type BackendAttempt } from './tensorflowNode';

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

/** True for an adapter that is a CPU emulation rather than a GPU. */
export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter || info.isFallbackAdapter) return true;
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  return SOFTWARE_ADAPTER.test(text);
}

export function describeAdapter(adapter: AdapterLike): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' / ');
}

/**
 * Loads Dawn. The `webgpu` package is an ES module (require(esm) works on Node >= 20.19); a
 * bundled deployment (bench/ml/gpu-check.sh) instead points CRUCIBLE_DAWN_NODE at dawn.node.
 */
function loadDawn(): DawnModule {
  const direct = process.env.CRUCIBLE_DAWN_NODE;
  if (direct) return require(path.resolve(direct)) as DawnModule;
  return require('webgpu') as DawnModule;
}

export async function tryWebgpu(): Promise<BackendAttempt> {
  let gpu: GpuLike;
  let dawn: DawnModule;
  try {
    dawn = loadDawn();
    const flags = (process.env.CRUCIBLE_DAWN_FLAGS ?? '').split(',').filter((s) => s);
    gpu = dawn.create(flags);
  } catch (error) {
    return { ok: false, detail: `webgpu (Dawn) not loadable: ${firstLine(error)}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return { ok: false, detail: 'webgpu: no adapter' };
  const name = describeAdapter(adapter);
  if (isSoftwareAdapter(adapter)) return { ok: false, detail: `webgpu: software adapter (${name})` };
  // tfjs-backend-webgpu looks for navigator.gpu and the GPUBufferUsage/... constants globally.
  Object.assign(globalThis, dawn.globals);
  (globalThis as { navigator?: unknown }).navigator = { gpu };
  try {
    require('@tensorflow/tfjs-backend-webgpu');
    if (await tf.setBackend('webgpu')) return { ok: true, backend: 'webgpu', detail: `webgpu on ${name}` };
    return { ok: false, detail: `webgpu backend failed to initialize on ${name}` };
  } catch (error) {
    return { ok: false, detail: `webgpu backend: ${firstLine(error)}` };
  }
}
