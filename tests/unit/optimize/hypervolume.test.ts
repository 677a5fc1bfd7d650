import { execFileSync } from 'node:child_process';
import { botorchPython, botorchUnavailableReason } from '../../../bench/discovery/botorch';
import { hypervolume, inferReferencePoint } from '../../../optimize/hypervolume';
import { nonDominatedIndices } from '../../../optimize/pareto';
import { createRng } from '../../../optimize/rng';

// BoTorch's own implementations (maximization): botorch.utils.multi_objective.hypervolume's
// Hypervolume (exact, Fonseca et al. 2006) and infer_reference_point.
const BOTORCH = `
import json, sys, torch
from botorch.utils.multi_objective.hypervolume import Hypervolume, infer_reference_point
from botorch.utils.multi_objective.pareto import is_non_dominated
out = []
for case in json.load(sys.stdin)["cases"]:
    Y = torch.tensor(case["Y"], dtype=torch.float64)
    front = Y[is_non_dominated(Y)]
    ref = infer_reference_point(front)
    out.append({"ref": ref.tolist(), "hv": Hypervolume(ref_point=ref).compute(front)})
print(json.dumps(out))
`;

describe('hypervolume', () => {
  it('equals hand-computed areas and volumes', () => {
    // [0, 3]×[0, 1] ∪ [0, 1]×[0, 2]: 3 + 1.
    expect(
      hypervolume(
        [
          [3, 1],
          [1, 2],
        ],
        [0, 0],
      ),
    ).toBe(4);
    // A dominated point and one below the reference add nothing; one objective is a length.
    expect(
      hypervolume(
        [
          [3, 1],
          [1, 2],
          [0.5, 0.5],
          [5, -1],
        ],
        [0, 0],
      ),
    ).toBe(4);
    expect(hypervolume([[2], [5]], [1])).toBe(4);
    const cube = [
      [2, 1, 1],
      [1, 2, 1],
      [1, 1, 2],
    ];
    // 3 boxes of volume 2, pairwise overlaps 1 each, triple overlap 1: 6 − 3 + 1.
    expect(hypervolume(cube, [0, 0, 0])).toBe(4);
    expect(hypervolume([], [0, 0])).toBe(0);
  });

  it('refuses points and reference points that do not fit', () => {
    expect(() => hypervolume([[1, 2, 3]], [0, 0])).toThrow(/point 0 has 3 objectives, the reference 2/);
    expect(() => hypervolume([[1]], [NaN])).toThrow(/finite/);
    expect(() => inferReferencePoint([])).toThrow(/empty/);
  });

  const unavailable = botorchUnavailableReason();
  (unavailable ? it.skip : it)(
    `equals BoTorch's Hypervolume and infer_reference_point on random 2-, 3- and 4-objective sets${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      const rng = createRng(17);
      const cases = [
        [40, 2],
        [60, 3],
        [30, 4],
        [1, 3], // a single point: the reference is pushed by 10 % of |value|
      ].map(([n, k]) => ({
        Y: Array.from({ length: n }, () => Array.from({ length: k }, () => rng.normal())),
      }));
      const ref = JSON.parse(
        execFileSync(botorchPython(), ['-c', BOTORCH], {
          input: JSON.stringify({ cases }),
          encoding: 'utf8',
        })
          .trim()
          .split('\n')
          .at(-1) as string,
      ) as { ref: number[]; hv: number }[];
      cases.forEach(({ Y }, c) => {
        const point = inferReferencePoint(nonDominatedIndices(Y).map((i) => Y[i]));
        point.forEach((v, j) => expect(v).toBeCloseTo(ref[c].ref[j], 12));
        expect(Math.abs(hypervolume(Y, ref[c].ref) - ref[c].hv)).toBeLessThan(1e-9 * Math.max(1, ref[c].hv));
      });
    },
  );
});
