/**
 * tfjs's webgpu backend on Mesa's lavapipe (a Vulkan device on the CPU) through Dawn: lets the
 * WGSL kernels run, slowly, on machines without a GPU (tests, regression timings). Production
 * selection (select.ts) never takes it. infra/install-lavapipe.sh installs the driver and its
 * ICD manifest; CRUCIBLE_LAVAPIPE_ICD names another manifest.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackendAttempt } from './tensorflowNode';
import { tryWebgpu } from './webgpu';

export function lavapipeIcd(): string {
  return (
    process.env.CRUCIBLE_LAVAPIPE_ICD ??
    path.join(os.homedir(), '.cache', 'crucible', 'lavapipe', 'lvp_icd.json')
  );
}

/** Why the software WebGPU backend cannot run here, or null when its driver is installed. */
export function lavapipeMissing(): string | null {
  const icd = lavapipeIcd();
  return fs.existsSync(icd) ? null : `no lavapipe ICD manifest at ${icd} (run infra/install-lavapipe.sh)`;
}

/**
 * Makes webgpu on lavapipe the active backend. The Vulkan loader reads VK_ICD_FILENAMES when
 * Dawn creates its instance, so only lavapipe is visible to this process's WebGPU afterwards.
 */
export async function useLavapipeWebgpu(): Promise<BackendAttempt> {
  const missing = lavapipeMissing();
  if (missing) return { ok: false, detail: missing };
  process.env.VK_ICD_FILENAMES = lavapipeIcd();
  process.env.VK_DRIVER_FILES = lavapipeIcd(); // the loader's newer name for the same thing
  return tryWebgpu({ allowSoftware: true });
}
