/**
 * Loads the labelled pool a benchmark runs over: OBELiX, or any CSV with an id column,
 * feature columns and a target, through the same loader campaigns use.
 */
import { loadCandidatePool } from '../../data/loadPool';

export interface BenchPool {
  name: string;
  ids: string[];
  X: number[][];
  /** Oriented so that larger is better. */
  y: number[];
}

export interface PoolArgs {
  pool: string;
  idColumn?: string;
  target?: string;
  features?: string[];
  minimize?: boolean;
}

export async function loadBenchPool(args: PoolArgs): Promise<BenchPool> {
  const source =
    args.pool === 'obelix'
      ? ({ kind: 'obelix' } as const)
      : ({
          kind: 'csv',
          path: args.pool,
          id_column: args.idColumn ?? 'id',
          target_column: args.target ?? 'target',
          feature_columns: args.features,
        } as const);
  const { pool } = await loadCandidatePool(source);
  const unlabelled = pool.rows.filter((r) => r.label === undefined || !Number.isFinite(r.label));
  if (unlabelled.length > 0)
    throw new Error(
      `pool ${args.pool}: ${unlabelled.length} rows have no label (e.g. ${unlabelled[0].candidateId})`,
    );
  const sign = args.minimize ? -1 : 1;
  return {
    name: args.pool === 'obelix' ? 'obelix' : args.pool,
    ids: pool.rows.map((r) => r.candidateId),
    X: pool.rows.map((r) => r.features),
    y: pool.rows.map((r) => sign * (r.label as number)),
  };
}
