import { intervalCalibration } from '../../../ml/ensemble/calibration';
import { seededRandom } from '../../../ml/random';

describe('intervalCalibration', () => {
  it('counts targets inside mean ± std and mean ± 1.96 std', () => {
    const mean = [0, 0, 0, 0];
    const std = [1, 1, 1, 1];
    const c = intervalCalibration(mean, std, [0.5, -0.99, 1.5, 2.5]);
    expect(c.coverage68).toBe(0.5);
    expect(c.coverage95).toBe(0.75);
    const nll = [0.5, -0.99, 1.5, 2.5].reduce((s, y) => s + 0.5 * Math.log(2 * Math.PI) + 0.5 * y * y, 0) / 4;
    expect(c.nll).toBeCloseTo(nll, 12);
  });

  it('gives ~68 % and ~95 % for targets drawn from the predicted Gaussians', () => {
    const random = seededRandom(7);
    const n = 20000;
    const mean = Array.from({ length: n }, (_, i) => Math.sin(i));
    const std = Array.from({ length: n }, (_, i) => 0.5 + (i % 7) / 7);
    // Box–Muller draws y ~ N(mean, std²).
    const y = mean.map(
      (m, i) => m + std[i] * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()),
    );
    const c = intervalCalibration(mean, std, y);
    expect(Math.abs(c.coverage68 - 0.6827)).toBeLessThan(0.015);
    expect(Math.abs(c.coverage95 - 0.95)).toBeLessThan(0.01);
  });

  it('refuses mismatched lengths', () => {
    expect(() => intervalCalibration([0], [1, 1], [0])).toThrow('same non-zero length');
  });
});
