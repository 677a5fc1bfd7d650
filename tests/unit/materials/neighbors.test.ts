import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCifStructure } from '../../../materials/cifReader';
import { Lattice, type Vec3 } from '../../../materials/lattice';
import { allNeighbors, neighborList, type NeighborList } from '../../../materials/neighbors';
import { bruteForceNeighborList } from '../../../materials/neighborsBruteForce';
import { Structure } from '../../../materials/structure';
import { runPython } from '../../helpers/python';
import { cgcnnSampleCifs, extractObelixCifs } from './obelix';
import { matchSitesByPosition } from './siteMatching';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/materials/cif_neighbors_reference.py'),
  'utf8',
);

// Cutoffs: CGCNN's 8 Å on the COD sample (pymatgen's get_all_neighbors called directly) and on a
// slice of OBELiX; 5 Å on every OBELiX CIF (get_neighbor_list, the arrays get_all_neighbors wraps).
const OBELIX_CUTOFF = 5;
const LARGE_CUTOFF = 8;
const OBELIX_LARGE_CUTOFF_COUNT = 40;

interface Job {
  path: string;
  cutoff: number;
  all_neighbors: boolean;
}
interface JobMeta {
  error?: string;
  pairs: number;
  frac: Vec3[];
}

const obelix = extractObelixCifs();
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neighbors-ref-'));
afterAll(() => {
  fs.rmSync(obelix.dir, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

const jobs: Job[] = [
  ...cgcnnSampleCifs().map((p) => ({ path: p, cutoff: LARGE_CUTOFF, all_neighbors: true })),
  ...obelix.files.map((p) => ({ path: p, cutoff: OBELIX_CUTOFF, all_neighbors: false })),
  ...obelix.files
    .slice(0, OBELIX_LARGE_CUTOFF_COUNT)
    .map((p) => ({ path: p, cutoff: LARGE_CUTOFF, all_neighbors: false })),
];
const meta = runPython<JobMeta[]>(REFERENCE, { jobs, out_dir: outDir });

function readBinary<T>(name: string, make: (b: ArrayBuffer) => T): T {
  const buf = fs.readFileSync(path.join(outDir, name));
  return make(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}
const refCenters = readBinary('centers.i32', (b) => new Int32Array(b));
const refPoints = readBinary('points.i32', (b) => new Int32Array(b));
const refImages = readBinary('images.i32', (b) => new Int32Array(b));
const refDistances = readBinary('distances.f64', (b) => new Float64Array(b));

const pairKey = (j: number, a: number, b: number, c: number): number =>
  ((j * 64 + a + 32) * 64 + b + 32) * 64 + c + 32;

interface Comparison {
  maxDistanceError: number;
  /** pairs present in one list only, all within 1e-6 Å of the cutoff (boundary round-off) */
  boundaryOnly: number;
  pairs: number;
}

/** Compares our list (on our parsed structure) with pymatgen's (on its structure), sites matched by position. */
function compare(
  label: string,
  ours: NeighborList,
  ourFrac: Vec3[],
  job: JobMeta,
  refStart: number,
): Comparison {
  const match = matchSitesByPosition(ourFrac, job.frac);
  if (typeof match === 'string') throw new Error(`${label}: ${match}`);
  const n = ourFrac.length;
  const ourOf = new Int32Array(n);
  match.refIndex.forEach((r, i) => (ourOf[r] = i));
  // Reference pairs grouped by our centre index, keyed by our neighbour index and image.
  const refByCenter: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let p = refStart; p < refStart + job.pairs; p += 1) {
    const i = ourOf[refCenters[p]];
    const j = ourOf[refPoints[p]];
    // our frac = ref frac + shift, so the same neighbour needs image - shift_j + shift_i.
    const img = [0, 1, 2].map((k) => refImages[3 * p + k] - match.shift[j][k] + match.shift[i][k]);
    refByCenter[i].set(pairKey(j, img[0], img[1], img[2]), refDistances[p]);
  }
  let maxDistanceError = 0;
  let boundaryOnly = 0;
  const nearCutoff = (d: number): boolean => Math.abs(d - ours.cutoff) < 1e-6;
  for (let i = 0; i < n; i += 1) {
    const refs = refByCenter[i];
    for (let p = ours.offsets[i]; p < ours.offsets[i + 1]; p += 1) {
      const key = pairKey(
        ours.neighbors[p],
        ours.images[3 * p],
        ours.images[3 * p + 1],
        ours.images[3 * p + 2],
      );
      const refD = refs.get(key);
      if (refD === undefined) {
        if (!nearCutoff(ours.distances[p])) {
          throw new Error(
            `${label}: site ${i} has extra neighbour ${ours.neighbors[p]} at ${ours.distances[p]} Å`,
          );
        }
        boundaryOnly += 1;
        continue;
      }
      maxDistanceError = Math.max(maxDistanceError, Math.abs(refD - ours.distances[p]));
      refs.delete(key);
    }
    for (const d of refs.values()) {
      if (!nearCutoff(d)) throw new Error(`${label}: site ${i} misses a pymatgen neighbour at ${d} Å`);
      boundaryOnly += 1;
    }
  }
  return { maxDistanceError, boundaryOnly, pairs: job.pairs };
}

describe('neighborList against pymatgen', () => {
  it(`matches get_all_neighbors / get_neighbor_list on ${jobs.length} CIF jobs`, () => {
    const unreadable = jobs.filter((_, k) => meta[k].error !== undefined);
    expect(unreadable).toEqual([]); // pymatgen reads all of them today; none is skipped
    let start = 0;
    let maxDistanceError = 0;
    let boundaryOnly = 0;
    let pairs = 0;
    jobs.forEach((job, k) => {
      const structure = readCifStructure(fs.readFileSync(job.path, 'utf8'), { source: job.path });
      const ours = neighborList(structure, job.cutoff);
      const label = `${path.basename(job.path)} r=${job.cutoff}`;
      const result = compare(
        label,
        ours,
        structure.sites.map((s) => [...s.frac] as Vec3),
        meta[k],
        start,
      );
      start += meta[k].pairs;
      maxDistanceError = Math.max(maxDistanceError, result.maxDistanceError);
      boundaryOnly += result.boundaryOnly;
      pairs += result.pairs;
    });
    expect(start).toBe(refCenters.length);
    expect(pairs).toBeGreaterThan(2_000_000);
    expect(maxDistanceError).toBeLessThan(1e-6);
    expect(boundaryOnly).toBe(0);
  });
});

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sameLists(a: NeighborList, b: NeighborList): void {
  expect(Array.from(a.offsets)).toEqual(Array.from(b.offsets));
  for (let i = 0; i + 1 < a.offsets.length; i += 1) {
    const key = (l: NeighborList, p: number): string =>
      `${l.neighbors[p]}|${l.images[3 * p]}|${l.images[3 * p + 1]}|${l.images[3 * p + 2]}`;
    const fromB = new Map<string, number>();
    for (let p = b.offsets[i]; p < b.offsets[i + 1]; p += 1) fromB.set(key(b, p), b.distances[p]);
    for (let p = a.offsets[i]; p < a.offsets[i + 1]; p += 1) {
      const d = fromB.get(key(a, p));
      expect(d).toBeDefined();
      expect(Math.abs((d as number) - a.distances[p])).toBeLessThan(1e-9);
    }
  }
}

describe('neighborList', () => {
  it('equals brute force on skewed random cells, with coordinates outside [0, 1)', () => {
    const rand = random(42);
    for (let trial = 0; trial < 25; trial += 1) {
      const lattice = Lattice.fromParameters(
        2 + 8 * rand(),
        2 + 8 * rand(),
        2 + 8 * rand(),
        50 + 80 * rand(),
        50 + 80 * rand(),
        60 + 60 * rand(),
      );
      const n = 1 + Math.floor(12 * rand());
      const frac = Array.from({ length: n }, () => [0, 1, 2].map(() => 4 * rand() - 2) as Vec3);
      let structure: Structure;
      try {
        structure = Structure.fromElements(lattice, Array(n).fill('Li'), frac);
      } catch {
        continue;
      }
      const cutoff = 1 + 6 * rand();
      sameLists(neighborList(structure, cutoff), bruteForceNeighborList(structure, cutoff));
    }
  });

  it('simple cubic: 6 nearest neighbours at a, images as lattice translations', () => {
    const structure = Structure.fromElements(
      Lattice.fromParameters(3, 3, 3, 90, 90, 90),
      ['Po'],
      [[0, 0, 0]],
    );
    const [site] = allNeighbors(structure, 3.0001);
    expect(site).toHaveLength(6);
    expect(site.every((nb) => Math.abs(nb.distance - 3) < 1e-12 && nb.index === 0)).toBe(true);
    expect(site.map((nb) => nb.image.join(',')).sort()).toEqual(
      ['-1,0,0', '0,-1,0', '0,0,-1', '0,0,1', '0,1,0', '1,0,0'].sort(),
    );
    // 12 second neighbours at a·√2 (fcc shell of a simple cubic lattice).
    expect(allNeighbors(structure, 4.25)[0]).toHaveLength(18);
  });

  it('rejects a non-positive cutoff', () => {
    const structure = Structure.fromElements(
      Lattice.fromParameters(3, 3, 3, 90, 90, 90),
      ['Po'],
      [[0, 0, 0]],
    );
    expect(() => neighborList(structure, 0)).toThrow('cutoff must be > 0');
  });
});
