import { execFileSync } from 'node:child_process';
import { botorchPython, botorchUnavailableReason } from '../../../bench/discovery/botorch';
import { nonDominatedIndices } from '../../../optimize/pareto';
import { createRng } from '../../../optimize/rng';

// BoTorch's own definition (botorch.utils.multi_objective.pareto.is_non_dominated, maximization,
// deduplicate=False keeps every copy of a front point as we do).
const BOTORCH = `
import json, sys, torch
from botorch.utils.multi_objective.pareto import is_non_dominated
Y = torch.tensor(json.load(sys.stdin)["Y"], dtype=torch.float64)
print(json.dumps([i for i, v in enumerate(is_non_dominated(Y, deduplicate=False).tolist()) if v]))
`;

describe('nonDominatedIndices', () => {
  it('keeps the front of a small hand-made set (ties and duplicates included)', () => {
    const Y = [
      [1, 5],
      [2, 4],
      [2, 4], // duplicate of a front point: kept
      [1.5, 3], // dominated by [2, 4]
      [3, 1],
      [3, 0.5], // dominated by [3, 1] (tie in the first objective)
      [0, 0],
    ];
    expect(nonDominatedIndices(Y)).toEqual([0, 1, 2, 4]);
  });

  it('refuses ragged or non-finite rows', () => {
    expect(() => nonDominatedIndices([[1, 2], [3]])).toThrow(/row 1 has 1 objectives/);
    expect(() => nonDominatedIndices([[1, NaN]])).toThrow(/row 0, column 1/);
    expect(nonDominatedIndices([])).toEqual([]);
  });

  const unavailable = botorchUnavailableReason();
  (unavailable ? it.skip : it)(
    `equals BoTorch is_non_dominated on random 2- and 3-objective sets${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    () => {
      const rng = createRng(5);
      for (const [n, k] of [
        [60, 2],
        [80, 3],
      ]) {
        // Rounded so that ties occur, as they do with measured values.
        const Y = Array.from({ length: n }, () =>
          Array.from({ length: k }, () => Math.round(rng.normal() * 4) / 4),
        );
        const out = execFileSync(botorchPython(), ['-W', 'ignore', '-c', BOTORCH], {
          input: JSON.stringify({ Y }),
          encoding: 'utf8',
        });
        const ref = JSON.parse(out) as number[];
        expect(nonDominatedIndices(Y)).toEqual(ref);
      }
    },
  );
});
