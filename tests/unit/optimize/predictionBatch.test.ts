import { scoreAcquisition } from '../../../optimize/acquisition';
import { logProbabilityOfFeasibility } from '../../../optimize/constraints';
import { selectFromPrediction, topScores } from '../../../optimize/predictionBatch';
import { createRng } from '../../../optimize/rng';

// Five candidates of a fixed prediction (as the CGCNN ensemble gives), oriented for maximization.
const pred = {
  mean: Float64Array.from([1.0, 0.2, 0.9, -0.5, 0.6]),
  std: Float64Array.from([0.1, 0.8, 0.3, 1.5, 0.2]),
};
// A constraint g ≤ 0 whose model says candidate 0 and 2 are very likely infeasible.
const g = { mean: [2, -1, 1.5, -2, -0.5], std: [0.5, 0.5, 0.5, 0.5, 0.5] };
const logPof = Float64Array.from(g.mean, (mu, i) => logProbabilityOfFeasibility(mu, g.std[i], { upper: 0 }));
const rng = () => createRng(1);

describe('selectFromPrediction', () => {
  it('takes the q best acquisition scores, best first', () => {
    const ei = scoreAcquisition({ kind: 'ei' }, pred, 0.5, rng());
    const order = [0, 1, 2, 3, 4].sort((a, b) => ei[b] - ei[a]);
    const p = selectFromPrediction(pred, 3, { kind: 'ei' }, 0.5, rng());
    expect(p.indices).toEqual(order.slice(0, 3));
    expect(p.scores).toEqual(order.slice(0, 3).map((i) => ei[i]));
    expect(p.mean).toEqual(order.slice(0, 3).map((i) => pred.mean[i]));
  });

  it('weights EI by the probability of feasibility (Gardner et al. 2014), skipping likely-infeasible picks', () => {
    const ei = scoreAcquisition({ kind: 'ei' }, pred, 0.5, rng());
    const weighted = Array.from(ei, (s, i) => s * Math.exp(logPof[i]));
    const order = [0, 1, 2, 3, 4].sort((a, b) => weighted[b] - weighted[a]);
    const p = selectFromPrediction(pred, 2, { kind: 'ei' }, 0.5, rng(), logPof);
    expect(p.indices).toEqual(order.slice(0, 2));
    p.scores.forEach((s, k) => expect(s).toBeCloseTo(weighted[p.indices[k]], 14));
    expect(p.indices).not.toContain(0); // the best EI, but P(g ≤ 0) = Φ(−4) ≈ 3e-5
    // log EI adds log PoF instead of multiplying.
    const logEi = scoreAcquisition({ kind: 'log_ei' }, pred, 0.5, rng());
    const l = selectFromPrediction(pred, 5, { kind: 'log_ei' }, 0.5, rng(), logPof);
    l.indices.forEach((i, k) => expect(l.scores[k]).toBeCloseTo(logEi[i] + logPof[i], 12));
  });

  it('with no feasible measurement yet, ranks by PoF alone', () => {
    const p = selectFromPrediction(pred, 5, { kind: 'ei' }, null, rng(), logPof);
    // Most probably feasible first: g means −2, −1, −0.5, 1.5, 2.
    expect(p.indices).toEqual([3, 1, 4, 2, 0]);
    p.indices.forEach((i, k) => expect(p.scores[k]).toBeCloseTo(Math.exp(logPof[i]), 14));
  });

  it('refuses feasibility with a score that can be negative, and a missing incumbent without it', () => {
    expect(() => selectFromPrediction(pred, 2, { kind: 'ucb' }, 0.5, rng(), logPof)).toThrow(
      /needs ei, log_ei or pi, not ucb/,
    );
    expect(() => selectFromPrediction(pred, 2, { kind: 'ei' }, null, rng())).toThrow(
      /an incumbent is needed/,
    );
    expect(() => selectFromPrediction(pred, 2, { kind: 'ei' }, 0, rng(), Float64Array.of(0))).toThrow(
      /feasibility for 1 points, scores for 5/,
    );
  });

  it('breaks ties (EI underflowing to 0 far below the incumbent) by the predicted mean, then the index', () => {
    const far = { mean: Float64Array.from([-30, -20, -25, 2]), std: Float64Array.from([0.1, 0.1, 0.1, 0.1]) };
    const ei = scoreAcquisition({ kind: 'ei' }, far, 1, rng());
    expect([ei[0], ei[1], ei[2]]).toEqual([0, 0, 0]);
    expect(selectFromPrediction(far, 3, { kind: 'ei' }, 1, rng()).indices).toEqual([3, 1, 2]);
    expect(topScores([0, 0, 0], 3)).toEqual([0, 1, 2]);
  });
});
