import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimizeBoxedLbfgs } from '../../../models/boundedLbfgs';
import { runPython } from '../../helpers/python';

const REFERENCE = fs.readFileSync(
  path.resolve(__dirname, '../../reference/models/lbfgs_reference.py'),
  'utf8',
);

function rosen(x: Float64Array) {
  let value = 0;
  const gradient = new Float64Array(x.length);
  for (let i = 0; i < x.length - 1; i++) {
    value += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
    gradient[i] += -400 * x[i] * (x[i + 1] - x[i] ** 2) - 2 * (1 - x[i]);
    gradient[i + 1] += 200 * (x[i + 1] - x[i] ** 2);
  }
  return { value, gradient };
}

describe('minimizeBoxedLbfgs', () => {
  it('finds the unconstrained Rosenbrock minimum (1, ..., 1)', () => {
    const r = minimizeBoxedLbfgs(rosen, [-1.2, 1, -0.5, 0.8], {
      lower: [-5, -5, -5, -5],
      upper: [5, 5, 5, 5],
      maxIterations: 500,
      relativeTolerance: 0,
    });
    for (const v of r.x) expect(v).toBeCloseTo(1, 5);
  });

  it('matches scipy L-BFGS-B when a bound is active', () => {
    const x0 = [-1.2, 1, 0.3];
    const bounds: [number, number][] = [
      [-2, 0.5],
      [-2, 2],
      [0.5, 2],
    ];
    const ref = runPython<{ x: number[]; fun: number }>(REFERENCE, { x0, bounds });
    const r = minimizeBoxedLbfgs(rosen, x0, {
      lower: bounds.map((b) => b[0]),
      upper: bounds.map((b) => b[1]),
      maxIterations: 500,
      relativeTolerance: 0,
    });
    expect(r.value).toBeCloseTo(ref.fun, 8);
    r.x.forEach((v, i) => expect(v).toBeCloseTo(ref.x[i], 4));
  });
});
