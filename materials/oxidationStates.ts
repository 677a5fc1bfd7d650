/**
 * Oxidation-state guesses for a composition that carries none, by pymatgen's algorithm
 * (Composition.oxi_state_guesses, all_oxi_states=False): every element takes its ICSD oxidation
 * states (its common states when the ICSD lists none), each way of giving its n atoms states is
 * scored by how often those states occur in the ICSD, and the charge-neutral combinations are
 * ranked by total score. Mixed valence comes out as an average (Fe3O4: Fe +8/3).
 *
 * Data: materials/data/oxidation_states.json, written by generate_oxidation_states.py from
 * pymatgen (Element.icsd_oxidation_states / common_oxidation_states, icsd_bv.yaml occurrences).
 */
import { z } from 'zod';
import type { Composition } from './composition';
import table from './data/oxidation_states.json';

const tableSchema = z.array(
  z.object({
    symbol: z.string(),
    states: z.array(z.number().int()),
    occurrence: z.array(z.number().min(0)),
  }),
);

const BY_SYMBOL: ReadonlyMap<string, { states: number[]; occurrence: number[] }> = (() => {
  const parsed = tableSchema.safeParse(table.elements);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `materials/data/oxidation_states.json: invalid field elements.${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return new Map(parsed.data.map((e) => [e.symbol, e]));
})();

/** Average oxidation state per element, with pymatgen's score (sum of ICSD occurrences). */
export interface OxidationStateGuess {
  readonly states: ReadonlyMap<string, number>;
  readonly score: number;
}

/** Largest number of per-element state combinations enumerated (pymatgen enumerates them all). */
const MAX_COMBINATIONS = 5_000_000;

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * Per element: each achievable sum of oxidation states over its n atoms (in the order pymatgen's
 * combinations_with_replacement first reaches it) and the best score reaching it.
 */
function elementSums(symbol: string, n: number): { sums: number[]; score: Map<number, number> } {
  const data = BY_SYMBOL.get(symbol);
  if (!data) throw new Error(`oxidation states: unknown element "${symbol}"`);
  const { states, occurrence } = data;
  const sums: number[] = [];
  const score = new Map<number, number>();
  const k = states.length;
  if (k === 0) return { sums, score };
  if (binomial(n + k - 1, k - 1) > MAX_COMBINATIONS) {
    throw new Error(
      `oxidation states: ${n} atoms of ${symbol} with ${k} possible states are too many combinations; reduce the composition`,
    );
  }
  // Non-decreasing index sequences i_1 ≤ … ≤ i_n, lexicographic (Python's order).
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    let sum = 0;
    let sc = 0;
    for (const i of idx) {
      sum += states[i];
      sc += occurrence[i];
    }
    const prev = score.get(sum);
    if (prev === undefined) {
      sums.push(sum);
      score.set(sum, sc);
    } else if (sc > prev) score.set(sum, sc);
    let p = n - 1;
    while (p >= 0 && idx[p] === k - 1) p--;
    if (p < 0) break;
    const v = idx[p] + 1;
    for (let q = p; q < n; q++) idx[q] = v;
  }
  return { sums, score };
}

/**
 * All charge-neutral guesses (or those summing to `targetCharge`), best first, equal scores in
 * pymatgen's order; at most `limit`. Amounts must be integers (as in pymatgen): reduce or scale a
 * fractional composition first. A one-element composition gets 0, as in pymatgen.
 */
export function oxidationStateGuesses(
  composition: Composition,
  options: { targetCharge?: number; limit?: number } = {},
): OxidationStateGuess[] {
  const entries = [...composition.amounts];
  for (const [symbol, amount] of entries) {
    if (!Number.isInteger(amount)) {
      throw new Error(
        `oxidation states: composition ${composition.formula} needs integer amounts (${symbol} ${amount})`,
      );
    }
  }
  if (entries.length === 1) return [{ states: new Map([[entries[0][0], 0]]), score: 0 }];
  const target = options.targetCharge ?? 0;
  const perElement = entries.map(([symbol, n]) => elementSums(symbol, n));
  // Range still reachable by elements e..end, to prune the product without changing its order.
  const lo = new Array<number>(entries.length + 1).fill(0);
  const hi = new Array<number>(entries.length + 1).fill(0);
  for (let e = entries.length - 1; e >= 0; e--) {
    const s = perElement[e].sums;
    lo[e] = lo[e + 1] + (s.length ? Math.min(...s) : Infinity);
    hi[e] = hi[e + 1] + (s.length ? Math.max(...s) : -Infinity);
  }
  const limit = options.limit ?? Infinity;
  // Best first; equal scores keep the product order, as Python's stable sorted(reverse=True).
  const ranked: { sums: number[]; score: number }[] = [];
  const chosen = new Array<number>(entries.length);
  const visit = (e: number, charge: number, score: number): void => {
    if (e === entries.length) {
      if (charge !== target) return;
      if (ranked.length >= limit && score <= ranked[ranked.length - 1].score) return;
      let at = ranked.length;
      while (at > 0 && ranked[at - 1].score < score) at--;
      ranked.splice(at, 0, { sums: chosen.slice(), score });
      if (ranked.length > limit) ranked.pop();
      return;
    }
    const rest = target - charge;
    if (rest < lo[e] || rest > hi[e]) return;
    for (const s of perElement[e].sums) {
      chosen[e] = s;
      visit(e + 1, charge + s, score + (perElement[e].score.get(s) as number));
    }
  };
  visit(0, 0, 0);
  return ranked.map((r) => ({
    states: new Map(entries.map(([symbol, n], e) => [symbol, r.sums[e] / n])),
    score: r.score,
  }));
}

/** The most probable charge-neutral guess; throws naming the composition when there is none. */
export function guessOxidationStates(composition: Composition): ReadonlyMap<string, number> {
  const [best] = oxidationStateGuesses(composition, { limit: 1 });
  if (!best) {
    throw new Error(
      `oxidation states: no charge-neutral combination of common oxidation states for ${composition.formula}`,
    );
  }
  return best.states;
}
