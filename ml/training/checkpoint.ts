/**
 * Training checkpoints: everything a retried training activity needs to continue exactly where
 * the last one stopped (weights, Adam moments, best-so-far, history, RNG position = epoch).
 * CheckpointSink is abstract so the ML engine knows nothing of where checkpoints live: the
 * worker wires it to the model store (MongoDB) and its save() to a Temporal heartbeat.
 */
import type { WeightMap } from '../cgcnn/params';
import type { Normalizer } from './normalizer';

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** NaN when there is no validation split. */
  validationLoss: number;
  /** Validation MAE in target units (regression) or error rate (classification). */
  validationError: number;
  seconds: number;
}

export interface TrainingCheckpoint {
  /** Identifies the run (config + data + seed) so a checkpoint never resumes a different one. */
  runKey: string;
  /** Epochs completed. */
  epoch: number;
  weights: WeightMap;
  /** Adam state (FlatAdam.state(): step and the flat first and second moments). */
  optimizer: WeightMap;
  bestWeights: WeightMap;
  bestEpoch: number;
  bestValidationLoss: number;
  normalizer: Normalizer;
  history: EpochRecord[];
  stopped: boolean;
}

export interface CheckpointSink {
  load(runKey: string): Promise<TrainingCheckpoint | null>;
  save(checkpoint: TrainingCheckpoint): Promise<void>;
}

/** Keeps the latest checkpoint per run in memory (tests, single-process CLI runs). */
export class MemoryCheckpointSink implements CheckpointSink {
  readonly saved = new Map<string, TrainingCheckpoint>();
  saves = 0;
  async load(runKey: string): Promise<TrainingCheckpoint | null> {
    return this.saved.get(runKey) ?? null;
  }
  async save(checkpoint: TrainingCheckpoint): Promise<void> {
    this.saves += 1;
    this.saved.set(checkpoint.runKey, structuredClone(checkpoint));
  }
}

/** WeightMap as JSON-safe base64 float32 (a BSON binary would do the same for MongoDB). */
export function weightsToJSON(w: WeightMap): Record<string, { shape: number[]; float32Base64: string }> {
  const out: Record<string, { shape: number[]; float32Base64: string }> = {};
  for (const [name, { shape, values }] of Object.entries(w)) {
    out[name] = {
      shape,
      float32Base64: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
    };
  }
  return out;
}

export function weightsFromJSON(json: Record<string, { shape: number[]; float32Base64: string }>): WeightMap {
  const out: WeightMap = {};
  for (const [name, { shape, float32Base64 }] of Object.entries(json)) {
    const bytes = Buffer.from(float32Base64, 'base64');
    const values = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(values.buffer).set(bytes);
    out[name] = { shape, values };
  }
  return out;
}
