/**
 * Neighbour-list benchmark: cell list (materials/neighbors.ts) vs the O(N²·images) brute force,
 * on the OBELiX CIFs (../shared/datasets/obelix/all_cifs.tar.gz) and the COD sample.
 * Run: npx tsx bench/materials/neighbors.ts [--cutoffs 5,8] [--baseline-structures 60]
 * Prints one JSON object.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCifStructure } from '../../materials/cifReader';
import { crystalGraph } from '../../materials/crystalGraph';
import { neighborList } from '../../materials/neighbors';
import { bruteForceNeighborList } from '../../materials/neighborsBruteForce';
import type { Structure } from '../../materials/structure';

const shared = path.resolve(__dirname, '..', '..', '..', 'shared', 'datasets');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function loadStructures(): Structure[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cifs-'));
  try {
    execFileSync('tar', ['-xzf', path.join(shared, 'obelix', 'all_cifs.tar.gz'), '-C', dir]);
    const cifs: string[] = [];
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.cif')) cifs.push(p);
      }
    };
    walk(dir);
    walk(path.join(shared, 'cgcnn-sample'));
    return cifs.sort().map((f) => readCifStructure(fs.readFileSync(f, 'utf8'), { source: f }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function time(run: () => number): { seconds: number; pairs: number } {
  const start = process.hrtime.bigint();
  const pairs = run();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, pairs };
}

const structures = loadStructures();
const cutoffs = arg('cutoffs', '5,8').split(',').map(Number);
const baselineCount = Number(arg('baseline-structures', '60'));
const sites = structures.reduce((n, s) => n + s.numSites, 0);
// Warm up the JIT on a few structures so the first cutoff is not penalised.
for (const s of structures.slice(0, 20)) neighborList(s, 5);

const results = cutoffs.map((cutoff) => {
  const cell = time(() => structures.reduce((n, s) => n + neighborList(s, cutoff).neighbors.length, 0));
  const unsorted = time(() =>
    structures.reduce((n, s) => n + neighborList(s, cutoff, { sorted: false }).neighbors.length, 0),
  );
  const subset = structures.slice(0, baselineCount);
  const cellSubset = time(() => subset.reduce((n, s) => n + neighborList(s, cutoff).neighbors.length, 0));
  const naive = time(() =>
    subset.reduce((n, s) => n + bruteForceNeighborList(s, cutoff).neighbors.length, 0),
  );
  if (naive.pairs !== cellSubset.pairs)
    throw new Error(`pair counts differ: ${naive.pairs} vs ${cellSubset.pairs}`);
  return {
    cutoff_angstrom: cutoff,
    structures: structures.length,
    sites,
    neighbors: cell.pairs,
    seconds: cell.seconds,
    structures_per_s: structures.length / cell.seconds,
    neighbors_per_s: cell.pairs / cell.seconds,
    unsorted_neighbors_per_s: unsorted.pairs / unsorted.seconds,
    baseline: {
      structures: subset.length,
      neighbors: naive.pairs,
      naive_seconds: naive.seconds,
      cell_list_seconds: cellSubset.seconds,
      speedup: naive.seconds / cellSubset.seconds,
    },
  };
});

// CGCNN graphs (8 Å, 12 neighbours) for every structure.
const graphs = time(() => structures.reduce((n, s) => n + crystalGraph(s).numAtoms, 0));
const crystal_graph = {
  structures: structures.length,
  atoms: graphs.pairs,
  seconds: graphs.seconds,
  structures_per_s: structures.length / graphs.seconds,
};

console.log(
  JSON.stringify(
    {
      benchmark: 'materials/neighbors',
      node: process.version,
      cpus: os.cpus().length,
      results,
      crystal_graph,
    },
    null,
    2,
  ),
);
