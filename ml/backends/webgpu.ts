/**
 * WebGPU through Dawn (npm `webgpu`, a prebuilt native binding) and
 * @tensorflow/tfjs-backend-webgpu. Only a hardware adapter is accepted: Dawn falls back to a
 * CPU rasterizer (SwiftShader/llvmpipe) on machines without a GPU, which is far slower for
 * tfjs than the wasm backend. Tests and benchmarks may ask for that software adapter
 * explicitly (`allowSoftware`, ml/backends/lavapipe.ts) to check the WGSL kernels without a GPU.
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

interface AdapterRequest {
  powerPreference?: string;
  forceFallbackAdapter?: boolean;
}

interface GpuLike {
  requestAdapter(options?: AdapterRequest): Promise<AdapterLike | null>;
}

export interface WebgpuOptions {
  /**
   * Accept a software adapter and request Dawn's fallback adapter, for tfjs too (its backend
   * requests its own adapter from navigator.gpu). Never in production selection.
   */
  allowSoftware?: boolean;
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
 * Where require(esm) is unavailable (jest's module loader) the package's native binding is
 * loaded directly: the same create/globals, without the package's GPUDevice.destroy patch
 * (tfjs never destroys its device).
 */
function loadDawn(): DawnModule {
  const direct = process.env.CRUCIBLE_DAWN_NODE;
  if (direct) return require(path.resolve(direct)) as DawnModule;
  try {
    return require('webgpu') as DawnModule;
  } catch (error) {
    if (
      (error as { code?: string }).code !== 'ERR_REQUIRE_ESM' &&
      !/import to load ES Module/.test(String(error))
    )
      throw error;
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    const binding = path.join(
      path.dirname(require.resolve('webgpu')),
      'dist',
      `${process.platform}-${arch}`,
      'dawn.node',
    );
    return require(binding) as DawnModule;
  }
}

/** The adapter tfjs's webgpu backend was initialized on in this process, if it was. */
let initialized: { detail: string; software: boolean } | null = null;

export async function tryWebgpu(options: WebgpuOptions = {}): Promise<BackendAttempt> {
  if (initialized && tf.findBackend('webgpu')) {
    // tfjs keeps one webgpu backend per process. A second Dawn instance would replace
    // navigator.gpu and leave the first, which tfjs's device lives on, to be collected: the
    // next dispatches crash (seen on lavapipe). Reuse it, or say why not.
    if (initialized.software && !options.allowSoftware)
      return { ok: false, detail: `${initialized.detail}: a software adapter` };
    if (await tf.setBackend('webgpu')) return { ok: true, backend: 'webgpu', detail: initialized.detail };
    return { ok: false, detail: `webgpu backend failed to reactivate (${initialized.detail})` };
  }
  let gpu: GpuLike;
  let dawn: DawnModule;
  try {
    dawn = loadDawn();
    const flags = (process.env.CRUCIBLE_DAWN_FLAGS ?? '').split(',').filter((s) => s);
    gpu = dawn.create(flags);
  } catch (error) {
    return { ok: false, detail: `webgpu (Dawn) not loadable: ${firstLine(error)}` };
  }
  if (options.allowSoftware) {
    // Dawn (webgpu 0.6) answers forceFallbackAdapter with null until a plain request has made
    // it enumerate the adapters (measured with lavapipe): one plain request first.
    await gpu.requestAdapter().catch(() => null);
    const dawnGpu = gpu;
    gpu = {
      requestAdapter: (o?: AdapterRequest) => dawnGpu.requestAdapter({ ...o, forceFallbackAdapter: true }),
    };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return { ok: false, detail: 'webgpu: no adapter' };
  const name = describeAdapter(adapter);
  const software = isSoftwareAdapter(adapter);
  if (software && !options.allowSoftware) return { ok: false, detail: `webgpu: software adapter (${name})` };
  // tfjs-backend-webgpu looks for navigator.gpu and the GPUBufferUsage/... constants globally.
  Object.assign(globalThis, dawn.globals);
  (globalThis as { navigator?: unknown }).navigator = { gpu };
  try {
    require('@tensorflow/tfjs-backend-webgpu');
    const on = software ? `software adapter ${name}` : name;
    if (await tf.setBackend('webgpu')) {
      initialized = { detail: `webgpu on ${on}`, software };
      return { ok: true, backend: 'webgpu', detail: initialized.detail };
    }
    return { ok: false, detail: `webgpu backend failed to initialize on ${name}` };
  } catch (error) {
    return { ok: false, detail: `webgpu backend: ${firstLine(error)}` };
  }
}
