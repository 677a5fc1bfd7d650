/**
 * Counts the compute dispatches tfjs's webgpu backend records: the number that matters on a
 * GPU where launch overhead, not arithmetic, dominates a CGCNN step (bench/ml/cgcnn.ts). It
 * wraps the backend's recordAndSubmit (one call per dispatched program; reshape and other
 * metadata-only kernels never reach it), so it also works on a software adapter.
 */
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../tf';

interface RecordingBackend {
  recordAndSubmit: (program: WebGPUProgram, ...rest: unknown[]) => void;
}

export interface DispatchCount {
  dispatches: number;
  /** Dispatches per program (the stock program's class, or a fused kernel's shader key). */
  byProgram: Record<string, number>;
}

function programName(program: WebGPUProgram): string {
  const cls = (program as { constructor?: { name?: string } }).constructor?.name;
  if (cls && cls !== 'Object') return cls;
  // makeShaderKey appends "_<workgroup size>..." to the program's own key.
  return program.shaderKey.replace(/_\d+,\d+,\d+.*$/, '');
}

/** Runs fn (awaited) with the active webgpu backend's dispatches counted. */
export async function countDispatches(fn: () => unknown): Promise<DispatchCount> {
  if (tf.getBackend() !== 'webgpu')
    throw new Error(`countDispatches: backend is ${tf.getBackend()}, not webgpu`);
  const backend = tf.backend() as unknown as RecordingBackend;
  const original = backend.recordAndSubmit;
  if (typeof original !== 'function')
    throw new Error('countDispatches: this tfjs-backend-webgpu has no recordAndSubmit');
  const count: DispatchCount = { dispatches: 0, byProgram: {} };
  backend.recordAndSubmit = function (program: WebGPUProgram, ...rest: unknown[]) {
    count.dispatches += 1;
    const name = programName(program);
    count.byProgram[name] = (count.byProgram[name] ?? 0) + 1;
    return original.call(this, program, ...rest);
  };
  try {
    await fn();
  } finally {
    backend.recordAndSubmit = original;
  }
  return count;
}
