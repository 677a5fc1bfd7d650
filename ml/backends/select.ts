/**
 * Picks the fastest TensorFlow.js backend this machine has, at run time:
 * CRUCIBLE_TF_BACKEND override → tensorflow (libtensorflow GPU, then CPU) → webgpu on a
 * hardware adapter → wasm → cpu. Every attempt's outcome is kept so the log says why.
 */
import { tf } from '../tf';
import { tryTensorflowNode, type BackendAttempt } from './tensorflowNode';
import { tryWasm } from './wasm';
import { tryWebgpu } from './webgpu';

export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  backend: BackendName;
  detail: string;
  /** One line per backend tried, in order, with the outcome. */
  attempts: string[];
}

export interface SelectBackendOptions {
  /** Overrides CRUCIBLE_TF_BACKEND. */
  override?: string;
  /** Where the choice is logged (default: stderr). */
  log?: (line: string) => void;
}

const TRY: Record<BackendName, () => Promise<BackendAttempt>> = {
  tensorflow: tryTensorflowNode,
  webgpu: tryWebgpu,
  wasm: tryWasm,
  cpu: async () =>
    (await tf.setBackend('cpu'))
      ? { ok: true, backend: 'cpu', detail: 'cpu (pure JS)' }
      : { ok: false, detail: 'cpu failed' },
};

/** Makes `name` the active backend; throws with the reason when it is not available here. */
export async function useBackend(name: BackendName): Promise<BackendAttempt> {
  if (tf.getBackend() === name && name !== 'webgpu')
    return { ok: true, backend: name, detail: `${name} (already active)` };
  if (tf.findBackend(name) && (await tf.setBackend(name)))
    return { ok: true, backend: name, detail: `${name} (registered)` };
  const attempt = await TRY[name]();
  if (!attempt.ok) throw new Error(`backend ${name} unavailable: ${attempt.detail}`);
  return attempt;
}

export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const override = (options.override ?? process.env.CRUCIBLE_TF_BACKEND ?? '').trim();
  if (override) {
    if (!(BACKEND_NAMES as readonly string[]).includes(override)) {
      throw new Error(`CRUCIBLE_TF_BACKEND="${override}": expected one of ${BACKEND_NAMES.join(', ')}`);
    }
    const attempt = await useBackend(override as BackendName);
    const choice = {
      backend: override as BackendName,
      detail: attempt.detail,
      attempts: [`override: ${attempt.detail}`],
    };
    log(`[ml] backend ${choice.backend}: ${choice.detail} (CRUCIBLE_TF_BACKEND)`);
    return choice;
  }
  const attempts: string[] = [];
  for (const name of BACKEND_NAMES) {
    const attempt = await TRY[name]();
    attempts.push(`${name}: ${attempt.ok ? 'ok' : 'no'} — ${attempt.detail}`);
    if (attempt.ok) {
      log(`[ml] backend ${name}: ${attempt.detail}; tried ${attempts.join(' | ')}`);
      return { backend: name, detail: attempt.detail, attempts };
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialized: ${attempts.join(' | ')}`);
}
