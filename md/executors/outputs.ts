/** Reading what the engine left in a job's work directory (shared by all executors). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CollectedOutputs, EngineLog } from './types';

export const TRAJECTORY_FILE = 'trajectory.extxyz';
export const LOG_FILE = 'log.json';
export const PROGRESS_FILE = 'progress.json';

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null; // absent or being rewritten: the caller treats it as "not yet"
  }
}

export function readProgress(workDir: string): { stepsDone?: number; stepsTotal?: number } {
  const p = readJson<{ steps_done: number; steps_total: number }>(path.join(workDir, PROGRESS_FILE));
  return p ? { stepsDone: p.steps_done, stepsTotal: p.steps_total } : {};
}

export function collectOutputs(workDir: string): CollectedOutputs {
  const log = readJson<EngineLog>(path.join(workDir, LOG_FILE));
  if (!log)
    throw new Error(`MD job in ${workDir} left no ${LOG_FILE}: the engine did not start or was killed`);
  if (log.status !== 'completed') {
    throw new Error(`MD engine ${log.status}${log.error ? `: ${log.error}` : ''} (${workDir})`);
  }
  const trajectoryPath = path.join(workDir, TRAJECTORY_FILE);
  const trajectoryBytes = fs.statSync(trajectoryPath).size;
  return { log, trajectoryPath, trajectoryBytes };
}
