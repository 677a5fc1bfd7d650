/**
 * The WebAssembly backend (SIMD): always installs, ~15–30x faster than pure-JS cpu. Its .wasm
 * files are found next to the package, or in CRUCIBLE_TFJS_WASM_DIR for bundled deployments.
 */
import * as path from 'node:path';
import { tf } from '../tf';
import { firstLine, type BackendAttempt } from './tensorflowNode';

export async function tryWasm(): Promise<BackendAttempt> {
  try {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const dir =
      process.env.CRUCIBLE_TFJS_WASM_DIR ??
      path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    wasm.setWasmPaths(dir + path.sep);
    if (await tf.setBackend('wasm')) return { ok: true, backend: 'wasm', detail: 'wasm (SIMD, one thread)' };
    return { ok: false, detail: 'wasm backend failed to initialize' };
  } catch (error) {
    return { ok: false, detail: `wasm: ${firstLine(error)}` };
  }
}
