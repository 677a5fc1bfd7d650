/**
 * tfjs's webgpu backend on Mesa's lavapipe (a Vulkan device on the CPU) through Dawn: lets the
 * WGSL kernels run, slowly, on machines without a GPU (tests, regression timings). Production
 * selection (select.ts) never takes it. infra/install-lavapipe.sh installs the driver and
 * registers its ICD manifest where the Vulkan loader looks by itself; CRUCIBLE_LAVAPIPE_ICD
 * names a manifest elsewhere (then added through VK_ADD_DRIVER_FILES, which only a real
 * process's environment passes on: jest sandboxes process.env).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BackendAttempt } from './tensorflowNode';
import { tryWebgpu } from './webgpu';

const MANIFEST = 'crucible_lvp_icd.json';

/** Where install-lavapipe.sh registers the manifest: system-wide as root, else per user. */
function registeredManifests(): string[] {
  const dataHome = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return [path.join('/etc/vulkan/icd.d', MANIFEST), path.join(dataHome, 'vulkan', 'icd.d', MANIFEST)];
}

export function lavapipeIcd(): string | null {
  const override = process.env.CRUCIBLE_LAVAPIPE_ICD;
  if (override) return fs.existsSync(override) ? override : null;
  return registeredManifests().find((p) => fs.existsSync(p)) ?? null;
}

/** Why the software WebGPU backend cannot run here, or null when its driver is installed. */
export function lavapipeMissing(): string | null {
  if (lavapipeIcd()) return null;
  const looked = process.env.CRUCIBLE_LAVAPIPE_ICD ?? registeredManifests().join(' or ');
  return `lavapipe is not installed (no ${looked}; run infra/install-lavapipe.sh)`;
}

/**
 * Makes webgpu on lavapipe the active backend, asking Dawn for its fallback (CPU) adapter
 * explicitly. In a process that already runs webgpu on a GPU, tfjs keeps that backend: run the
 * software backend in a process of its own.
 */
export async function useLavapipeWebgpu(): Promise<BackendAttempt> {
  const missing = lavapipeMissing();
  if (missing) return { ok: false, detail: missing };
  if (process.env.CRUCIBLE_LAVAPIPE_ICD) process.env.VK_ADD_DRIVER_FILES = process.env.CRUCIBLE_LAVAPIPE_ICD;
  return tryWebgpu({ allowSoftware: true });
}
