const BARS = '▁▂▃▄▅▆▇█';

/** A one-line chart of a series, e.g. best-so-far against experiments. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values
    .map((v) => BARS[hi === lo ? BARS.length - 1 : Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))])
    .join('');
}

/** Best value after each measurement, in the objective's direction. */
export function bestSoFar(values: readonly number[], direction: 'maximize' | 'minimize'): number[] {
  const out: number[] = [];
  for (const v of values) {
    const prev = out.at(-1);
    out.push(prev === undefined ? v : direction === 'maximize' ? Math.max(prev, v) : Math.min(prev, v));
  }
  return out;
}
