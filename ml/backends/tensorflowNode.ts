/**
 * The native TensorFlow backend (libtensorflow through @tensorflow/tfjs-node-gpu or
 * @tensorflow/tfjs-node). Both are optionalDependencies because their install script downloads
 * libtensorflow from a host many machines cannot reach: where that failed the package is absent
 * (or half-installed) and the guarded require below simply reports why.
 */
import { tf } from '../tf';

export interface BackendAttempt {
  ok: boolean;
  /** Backend name registered with tfjs when ok. */
  backend?: string;
  /** Human-readable reason: what was found, or why it was not usable. */
  detail: string;
}

const PACKAGES = [
  { name: '@tensorflow/tfjs-node-gpu', device: 'GPU' },
  { name: '@tensorflow/tfjs-node', device: 'CPU' },
] as const;

/** Tries the GPU build first, then the CPU build; each registers the 'tensorflow' backend. */
export async function tryTensorflowNode(): Promise<BackendAttempt> {
  const failures: string[] = [];
  for (const pkg of PACKAGES) {
    try {
      require(pkg.name);
    } catch (error) {
      failures.push(`${pkg.name}: ${firstLine(error)}`);
      continue;
    }
    if (!tf.findBackendFactory('tensorflow')) {
      // A second copy of tfjs-core (version skew) got the registration, not ours.
      failures.push(`${pkg.name} loaded but registered 'tensorflow' on another tfjs-core copy`);
      continue;
    }
    if (await tf.setBackend('tensorflow')) {
      return { ok: true, backend: 'tensorflow', detail: `${pkg.name} (libtensorflow on ${pkg.device})` };
    }
    failures.push(`${pkg.name}: backend failed to initialize`);
  }
  return { ok: false, detail: failures.join('; ') };
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0];
}
