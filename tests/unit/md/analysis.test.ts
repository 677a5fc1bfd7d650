import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Lattice } from '../../../materials/lattice';
import {
  analyseTrajectory,
  blockDiffusivityStdErr,
  driftCorrectedDisplacements,
  meanSquaredDisplacement,
  nernstEinsteinConductivity_S_per_cm,
} from '../../../md/analysis';
import { extrapolateArrhenius, fitArrhenius } from '../../../md/arrhenius';
import { readExtendedXyzFrames, type Trajectory } from '../../../md/trajectory';
import { PYTHON } from '../../helpers/python';
import { seededRandom } from '../../../ml/random';

function gaussian(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/**
 * Li random walk (per-axis step σ = `step` Å per frame) among vibrating framework atoms, with a
 * common drift added to every atom, positions wrapped into the cell: exercises unwrapping and
 * drift removal. Expected D = step² / (2 Δt).
 */
function syntheticTrajectory(opts: {
  seed: number;
  numLi: number;
  numFramework: number;
  frames: number;
  step: number;
}) {
  const u = seededRandom(opts.seed);
  const lattice = new Lattice([
    [9.5, 0, 0],
    [0.8, 10.2, 0],
    [0.3, -0.4, 9.9],
  ]);
  const species = [...Array(opts.numLi).fill('Li'), ...Array(opts.numFramework).fill('O')];
  const n = species.length;
  const home = Array.from({ length: n }, () => lattice.fracToCart([u(), u(), u()]));
  const pos = home.map((p) => [...p]);
  const fracFrames: number[][][] = [];
  const drift = [0, 0, 0];
  for (let f = 0; f < opts.frames; f++) {
    for (let k = 0; k < 3; k++) drift[k] += 0.05 * gaussian(u) + 0.002;
    const frame: number[][] = [];
    for (let i = 0; i < n; i++) {
      if (i < opts.numLi && f > 0) for (let k = 0; k < 3; k++) pos[i][k] += opts.step * gaussian(u);
      const vib = i < opts.numLi ? [0, 0, 0] : [0.1 * gaussian(u), 0.1 * gaussian(u), 0.1 * gaussian(u)];
      const cart: [number, number, number] = [0, 1, 2].map((k) => pos[i][k] + vib[k] + drift[k]) as [
        number,
        number,
        number,
      ];
      frame.push(lattice.cartToFrac(cart).map((x) => x - Math.floor(x)));
    }
    fracFrames.push(frame);
  }
  return { lattice, species, fracFrames };
}

function toTrajectory(s: ReturnType<typeof syntheticTrajectory>, frameInterval_fs: number): Trajectory {
  return {
    lattice: s.lattice,
    species: s.species,
    frameInterval_fs,
    frames: s.fracFrames.map((frame) =>
      Float64Array.from(frame.flatMap((f) => s.lattice.fracToCart(f as never))),
    ),
  };
}

describe('Nernst–Einstein', () => {
  it('gives 12.94 mS/cm for 20 Li in 958 Å³ at 300 K with D = 1e-7 cm²/s', () => {
    const sigma = nernstEinsteinConductivity_S_per_cm({
      diffusivity_cm2_per_s: 1e-7,
      numCarriers: 20,
      volume_A3: 958,
      temperature_K: 300,
    });
    expect(sigma * 1000).toBeCloseTo(12.94, 2);
  });
  it('refuses T ≤ 0', () => {
    expect(() =>
      nernstEinsteinConductivity_S_per_cm({
        diffusivity_cm2_per_s: 1,
        numCarriers: 1,
        volume_A3: 1,
        temperature_K: 0,
      }),
    ).toThrow(/temperature/);
  });
});

describe('unwrapping and drift removal', () => {
  it('recovers a random walk wrapped into the cell, with the framework drift removed', () => {
    const s = syntheticTrajectory({ seed: 7, numLi: 12, numFramework: 24, frames: 400, step: 0.4 });
    const t = toTrajectory(s, 10);
    const { disp, drift } = driftCorrectedDisplacements(t, 'Li');
    // The drift is large (walks several Å) but the framework ends where it started, ±vibration.
    expect(Math.hypot(...drift[drift.length - 1])).toBeGreaterThan(0.5);
    const last = disp[disp.length - 1];
    for (let i = 12; i < 36; i++)
      expect(Math.hypot(last[3 * i], last[3 * i + 1], last[3 * i + 2])).toBeLessThan(0.8);
    // Li went further than half a cell: unwrapping worked.
    const maxLi = Math.max(
      ...Array.from({ length: 12 }, (_, i) => Math.hypot(last[3 * i], last[3 * i + 1], last[3 * i + 2])),
    );
    expect(maxLi).toBeGreaterThan(5);
  });

  it('recovers the known diffusivity of the walk within its fit uncertainty scale', () => {
    const step = 0.3;
    const s = syntheticTrajectory({ seed: 11, numLi: 40, numFramework: 20, frames: 1500, step });
    const a = analyseTrajectory(toTrajectory(s, 10), {
      mobileSpecies: 'Li',
      temperature_K: 800,
      fitStart_fs: 500,
    });
    const expected = ((step * step) / (2 * 10)) * 0.1; // Å²/fs → cm²/s
    expect(Math.abs(a.diffusivity_cm2_per_s / expected - 1)).toBeLessThan(0.15);
    expect(a.diffusivityStdErr_cm2_per_s).toBeGreaterThan(0);
    expect(a.conductivity_S_per_cm).toBeGreaterThan(0);
  });

  it('block averaging gives a D error the size of the run-to-run spread; the regression error is far smaller', () => {
    // Reference: the spread of D over 8 independent walks (the quantity an error bar must describe).
    const step = 0.3;
    const runs = [21, 22, 23, 24, 25, 26, 27, 28].map((seed) =>
      analyseTrajectory(
        toTrajectory(syntheticTrajectory({ seed, numLi: 8, numFramework: 8, frames: 1000, step }), 10),
        { mobileSpecies: 'Li', temperature_K: 800 },
      ),
    );
    const ds = runs.map((r) => r.diffusivity_cm2_per_s);
    const mean = ds.reduce((a, b) => a + b, 0) / ds.length;
    const spread = Math.sqrt(ds.reduce((a, d) => a + (d - mean) ** 2, 0) / (ds.length - 1));
    const block = runs.map((r) => r.diffusivityBlockStdErr_cm2_per_s!);
    const meanBlock = block.reduce((a, b) => a + b, 0) / block.length;
    const meanFit = runs.reduce((a, r) => a + r.diffusivityStdErr_cm2_per_s, 0) / runs.length;
    expect(meanBlock / spread).toBeGreaterThan(0.4);
    expect(meanBlock / spread).toBeLessThan(2.5);
    expect(meanFit / spread).toBeLessThan(0.4);
    for (const r of runs) expect(r.diffusivityUncertainty_cm2_per_s).toBe(r.diffusivityBlockStdErr_cm2_per_s);
  });

  it('has no block error when the run is too short for blocks', () => {
    const s = syntheticTrajectory({ seed: 3, numLi: 20, numFramework: 4, frames: 40, step: 0.3 });
    expect(blockDiffusivityStdErr(toTrajectory(s, 10), 'Li')).toBeNull();
  });

  it('says why when the run is too short to fit', () => {
    const s = syntheticTrajectory({ seed: 1, numLi: 1, numFramework: 2, frames: 20, step: 0.1 });
    expect(() => meanSquaredDisplacement(toTrajectory(s, 10), 'Li', { fitStart_fs: 1000 })).toThrow(
      /not enough data/,
    );
  });
});

describe('extended XYZ frames', () => {
  it('reads ASE-style multi-frame extxyz with extra columns', () => {
    const frame = (x: number) =>
      `2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3:forces:R:3 pbc="T T T"\nLi ${x} 0 0 0 0 0\nO 1 1 1 0 0 0\n`;
    const t = readExtendedXyzFrames(frame(0.5) + frame(4.9), 20);
    expect(t.species).toEqual(['Li', 'O']);
    expect(t.frames).toHaveLength(2);
    expect(t.frames[1][0]).toBe(4.9);
    expect(t.lattice.volume).toBeCloseTo(125);
  });
});

describe('Arrhenius', () => {
  it('recovers Ea from exact Arrhenius data and brackets the 300 K extrapolation', () => {
    const Ea = 0.3;
    const points = [600, 800, 1000].map((T) => ({
      temperature_K: T,
      diffusivity_cm2_per_s: 1e-3 * Math.exp(-Ea / (8.617333262e-5 * T)) * (1 + 0.05 * Math.sin(T)),
    }));
    const fit = fitArrhenius(points);
    expect(fit.activationEnergy_eV).toBeCloseTo(Ea, 1);
    const at300 = extrapolateArrhenius(fit, { temperature_K: 300, numCarriers: 20, volume_A3: 958 });
    const truth = 1e-3 * Math.exp(-Ea / (8.617333262e-5 * 300));
    expect(at300.diffusivityInterval_cm2_per_s[0]).toBeLessThan(truth);
    expect(at300.diffusivityInterval_cm2_per_s[1]).toBeGreaterThan(truth);
    expect(at300.conductivityInterval_S_per_cm[0]).toBeLessThan(at300.conductivity_S_per_cm);
  });
  it('refuses D ≤ 0 with a clear error', () => {
    expect(() =>
      fitArrhenius([
        { temperature_K: 600, diffusivity_cm2_per_s: 0 },
        { temperature_K: 800, diffusivity_cm2_per_s: 1 },
      ]),
    ).toThrow(/must be > 0/);
  });
});

/** A Python that has pymatgen-analysis-diffusion (infra/requirements-md.txt or -dev.txt). */
function diffusionPython(): string | null {
  const candidates = [
    process.env.CRUCIBLE_MD_PYTHON,
    PYTHON,
    path.join(os.homedir(), '.cache', 'crucible', 'venv-md', 'bin', 'python'),
  ].filter((p): p is string => !!p && fs.existsSync(p));
  for (const py of candidates) {
    try {
      execFileSync(py, ['-c', 'import pymatgen.analysis.diffusion.analyzer'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next one
    }
  }
  return null;
}

const referencePython = diffusionPython();
if (!referencePython) {
  console.warn(
    'SKIPPED pymatgen DiffusionAnalyzer comparison: no Python with pymatgen-analysis-diffusion ' +
      '(run infra/install-md-python.sh, or add pymatgen-analysis-diffusion to infra/requirements-dev.txt)',
  );
}
(referencePython ? describe : describe.skip)(
  'agreement with pymatgen DiffusionAnalyzer (smoothed="max")',
  () => {
    it('matches D, σ and the Nernst–Einstein factor on a seeded random walk', () => {
      const timeStep = 2;
      const stepSkip = 5;
      const s = syntheticTrajectory({ seed: 3, numLi: 16, numFramework: 16, frames: 600, step: 0.25 });
      const script = fs.readFileSync(
        path.join(__dirname, '..', '..', 'reference', 'md', 'diffusion_reference.py'),
        'utf8',
      );
      const ref = JSON.parse(
        execFileSync(referencePython!, ['-c', script], {
          input: JSON.stringify({
            lattice: s.lattice.matrix,
            species: s.species,
            frac_frames: s.fracFrames,
            temperature_K: 900,
            time_step_fs: timeStep,
            step_skip: stepSkip,
          }),
          encoding: 'utf8',
          maxBuffer: 1 << 28,
        }),
      ) as {
        diffusivity_cm2_per_s: number;
        diffusivity_std_dev_cm2_per_s: number;
        wls_stderr_cm2_per_s: number;
        conductivity_mS_per_cm: number;
        dt_fs: number[];
        msd_A2: number[];
        test_vector_mS_per_cm: number;
      };
      const ours = analyseTrajectory(toTrajectory(s, timeStep * stepSkip), {
        mobileSpecies: 'Li',
        temperature_K: 900,
        fitStart_fs: 1000, // pymatgen's fixed 1 ps start
      });
      expect(Array.from(ours.msd.lag_fs)).toEqual(ref.dt_fs);
      ours.msd.msd_A2.forEach((m, i) => expect(m).toBeCloseTo(ref.msd_A2[i], 8));
      expect(ours.diffusivity_cm2_per_s / ref.diffusivity_cm2_per_s).toBeCloseTo(1, 10);
      expect((ours.conductivity_S_per_cm * 1000) / ref.conductivity_mS_per_cm).toBeCloseTo(1, 6);
      expect(ref.test_vector_mS_per_cm).toBeCloseTo(12.94, 2);
      // Our standard error is the weighted least-squares one (checked against numpy). pymatgen's
      // diffusivity_std_dev plugs 1/t-weighted residuals into the unweighted slope formula, so it
      // shrinks by ~sqrt(mean lag in fs): reported, not compared.
      expect(ours.diffusivityStdErr_cm2_per_s / ref.wls_stderr_cm2_per_s).toBeCloseTo(1, 8);
      const ratio = ours.diffusivityStdErr_cm2_per_s / ref.diffusivity_std_dev_cm2_per_s;
      console.log(
        `pymatgen agreement: D ours=${ours.diffusivity_cm2_per_s} ref=${ref.diffusivity_cm2_per_s}; ` +
          `σ ours=${ours.conductivity_S_per_cm * 1000} ref=${ref.conductivity_mS_per_cm} mS/cm; stderr ratio=${ratio}`,
      );
    });
  },
);
