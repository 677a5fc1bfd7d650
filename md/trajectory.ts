/**
 * An MD trajectory at fixed cell (NVT): species, lattice and Cartesian positions per frame, plus
 * a reader for multi-frame extended XYZ (what ASE writes and the CHGNet adapter emits).
 * Positions may be wrapped into the cell or not; analysis unwraps them either way.
 */
import { Lattice } from '../materials/lattice';

export interface Trajectory {
  readonly lattice: Lattice;
  /** Element symbol per atom, same order in every frame. */
  readonly species: readonly string[];
  /** Cartesian positions per frame, flat [x0, y0, z0, x1, ...] (Å). */
  readonly frames: readonly Float64Array[];
  /** Simulated time between two stored frames (fs) = timestep × sampling interval. */
  readonly frameInterval_fs: number;
}

export function validateTrajectory(t: Trajectory): void {
  const n = t.species.length;
  if (n === 0) throw new Error('Trajectory: no atoms');
  if (t.frames.length < 2) throw new Error(`Trajectory: need at least 2 frames, got ${t.frames.length}`);
  if (!(t.frameInterval_fs > 0))
    throw new Error(`Trajectory: frameInterval_fs must be > 0, got ${t.frameInterval_fs}`);
  t.frames.forEach((f, i) => {
    if (f.length !== 3 * n)
      throw new Error(`Trajectory: frame ${i} has ${f.length / 3} atoms, expected ${n}`);
  });
}

/** Parses multi-frame extended XYZ. The lattice is taken from the first frame (NVT). */
export function readExtendedXyzFrames(text: string, frameInterval_fs: number): Trajectory {
  const lines = text.split(/\r?\n/);
  const frames: Float64Array[] = [];
  let species: string[] | null = null;
  let lattice: Lattice | null = null;
  let at = 0;
  while (at < lines.length) {
    if (lines[at].trim() === '') {
      at++;
      continue;
    }
    const n = Number(lines[at]);
    if (!Number.isInteger(n) || n <= 0)
      throw new Error(`extxyz line ${at + 1}: expected an atom count, got "${lines[at]}"`);
    const header = lines[at + 1] ?? '';
    const { posColumn, speciesColumn } = columnsOf(header, at + 2);
    if (lattice === null) lattice = latticeOf(header, at + 2);
    const frameSpecies: string[] = [];
    const pos = new Float64Array(3 * n);
    for (let i = 0; i < n; i++) {
      const fields = (lines[at + 2 + i] ?? '').trim().split(/\s+/);
      if (fields.length < posColumn + 3) throw new Error(`extxyz line ${at + 3 + i}: too few columns`);
      frameSpecies.push(fields[speciesColumn]);
      for (let k = 0; k < 3; k++) pos[3 * i + k] = Number(fields[posColumn + k]);
    }
    if (species === null) species = frameSpecies;
    else if (frameSpecies.some((s, i) => s !== species![i])) {
      throw new Error(`extxyz frame ${frames.length}: species differ from frame 0`);
    }
    frames.push(pos);
    at += n + 2;
  }
  if (species === null || lattice === null) throw new Error('extxyz: no frames');
  const trajectory = { lattice, species, frames, frameInterval_fs };
  validateTrajectory(trajectory);
  return trajectory;
}

function latticeOf(header: string, lineNo: number): Lattice {
  const m = /Lattice="([^"]+)"/.exec(header);
  if (!m) throw new Error(`extxyz line ${lineNo}: no Lattice="..." (MD needs the periodic cell)`);
  const v = m[1].trim().split(/\s+/).map(Number);
  if (v.length !== 9 || !v.every(Number.isFinite)) throw new Error(`extxyz line ${lineNo}: bad Lattice`);
  return new Lattice([v.slice(0, 3), v.slice(3, 6), v.slice(6, 9)]);
}

/** Column offsets of species and pos from Properties=name:type:count:... (ASE's layout). */
function columnsOf(header: string, lineNo: number): { posColumn: number; speciesColumn: number } {
  const m = /Properties=(\S+)/.exec(header);
  const props = (m ? m[1] : 'species:S:1:pos:R:3').split(':');
  let column = 0;
  let posColumn = -1;
  let speciesColumn = -1;
  for (let i = 0; i + 2 < props.length; i += 3) {
    if (props[i] === 'species') speciesColumn = column;
    if (props[i] === 'pos') posColumn = column;
    column += Number(props[i + 2]);
  }
  if (posColumn < 0 || speciesColumn < 0)
    throw new Error(`extxyz line ${lineNo}: Properties lacks species or pos`);
  return { posColumn, speciesColumn };
}
