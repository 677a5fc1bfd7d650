/**
 * Model registry: trained surrogates stored under a name with increasing versions, their
 * training data fingerprint, metrics and lineage, so a campaign records exactly which model
 * proposed each batch and can reload it later. The interface is storage-agnostic (the store
 * layer implements it on MongoDB); MemoryModelRegistry serves tests and single-process runs.
 */

export interface ModelRecord {
  /** `${name}@${version}` */
  id: string;
  name: string;
  version: number;
  /** Surrogate kind, e.g. 'cgcnn_deep_ensemble'. */
  kind: string;
  /** Fingerprint of the training data (ids + targets), to tell retrains apart. */
  dataKey: string;
  metrics: Record<string, number>;
  /** Free-form provenance: campaign id, iteration, backend, seed, parent model id. */
  tags: Record<string, string>;
  createdAt: string;
  /** The surrogate's toJSON(); restore with its kind's fromJSON. */
  model: unknown;
}

export interface RegisterModel {
  name: string;
  kind: string;
  dataKey: string;
  metrics?: Record<string, number>;
  tags?: Record<string, string>;
  model: unknown;
}

export interface ModelRegistry {
  /** Stores a new version; registering the same name + dataKey again returns the existing record (idempotent retries). */
  register(entry: RegisterModel, now?: Date): Promise<ModelRecord>;
  /** The record registered for this name, kind and training data, if any. */
  find(name: string, kind: string, dataKey: string): Promise<ModelRecord | null>;
  get(id: string): Promise<ModelRecord | null>;
  latest(name: string): Promise<ModelRecord | null>;
  list(name: string): Promise<ModelRecord[]>;
}

export class MemoryModelRegistry implements ModelRegistry {
  private readonly records = new Map<string, ModelRecord[]>();

  async register(entry: RegisterModel, now = new Date()): Promise<ModelRecord> {
    const versions = this.records.get(entry.name) ?? [];
    const existing = versions.find((r) => r.dataKey === entry.dataKey && r.kind === entry.kind);
    if (existing) return existing;
    const version = versions.length + 1;
    const record: ModelRecord = {
      id: `${entry.name}@${version}`,
      name: entry.name,
      version,
      kind: entry.kind,
      dataKey: entry.dataKey,
      metrics: { ...entry.metrics },
      tags: { ...entry.tags },
      createdAt: now.toISOString(),
      model: structuredClone(entry.model),
    };
    this.records.set(entry.name, [...versions, record]);
    return record;
  }

  async find(name: string, kind: string, dataKey: string): Promise<ModelRecord | null> {
    return (this.records.get(name) ?? []).find((r) => r.kind === kind && r.dataKey === dataKey) ?? null;
  }

  async get(id: string): Promise<ModelRecord | null> {
    const at = id.lastIndexOf('@');
    const version = Number(id.slice(at + 1));
    return this.records.get(id.slice(0, at))?.find((r) => r.version === version) ?? null;
  }

  async latest(name: string): Promise<ModelRecord | null> {
    const versions = this.records.get(name) ?? [];
    return versions[versions.length - 1] ?? null;
  }

  async list(name: string): Promise<ModelRecord[]> {
    return [...(this.records.get(name) ?? [])];
  }
}

/** Fingerprint of labelled training data: order-independent over (id, target) pairs. */
export function trainingDataKey(ids: readonly string[], targets: readonly number[]): string {
  const pairs = ids.map((id, i) => `${id}=${targets[i]}`).sort();
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const pair of pairs) {
    for (let k = 0; k < pair.length; k += 1) {
      const c = pair.charCodeAt(k);
      h1 = Math.imul(h1 ^ c, 16777619) >>> 0;
      h2 = Math.imul(h2 ^ c, 2246822519) >>> 0;
    }
    h1 = Math.imul(h1 ^ 0x2c, 16777619) >>> 0;
  }
  return `${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}-${pairs.length}`;
}
