/**
 * tfjs flag CRUCIBLE_WEBGPU_FUSED (default true): on the webgpu backend, training uses the fused
 * WGSL kernels (the convolutions, ml/webgpu/fusedConv.ts, and the Adam update,
 * ml/webgpu/adamKernels.ts). Benchmarks and tests set it false for the stock-op baseline; also
 * settable through bench's CRUCIBLE_TF_FLAGS.
 */
import { tf } from '../tf';

export const WEBGPU_FUSED_FLAG = 'CRUCIBLE_WEBGPU_FUSED';
if (!(WEBGPU_FUSED_FLAG in (tf.env() as unknown as { flagRegistry: object }).flagRegistry)) {
  tf.env().registerFlag(WEBGPU_FUSED_FLAG, () => true);
}

/** True when webgpu is the active backend and the flag is on. */
export function fusedWebgpuActive(): boolean {
  return tf.getBackend() === 'webgpu' && tf.env().getBool(WEBGPU_FUSED_FLAG);
}
