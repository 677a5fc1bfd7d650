/**
 * Hand-written SVG of Top%(i) per method: mean line with a ±1 std band across seeds, and the
 * random-search expectation i/N as a dashed line. No browser or plotting library needed.
 */
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

export interface PlotSeries {
  name: string;
  mean: readonly number[];
  std: readonly number[];
}

export function topPercentSvg(series: readonly PlotSeries[], poolSize: number, title: string): string {
  const W = 720;
  const H = 440;
  const m = { l: 60, r: 180, t: 40, b: 50 };
  const budget = Math.max(...series.map((s) => s.mean.length));
  const x = (i: number) => m.l + ((i - 1) / Math.max(1, budget - 1)) * (W - m.l - m.r);
  const y = (v: number) => H - m.b - Math.min(1, Math.max(0, v)) * (H - m.t - m.b);
  const path = (pts: [number, number][]) =>
    pts.map(([a, b], k) => `${k ? 'L' : 'M'}${a.toFixed(1)},${b.toFixed(1)}`).join(' ');
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="24" font-size="14">${escape(title)}</text>`,
  ];
  for (let t = 0; t <= 5; t++) {
    const v = t / 5;
    parts.push(
      `<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${m.l - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v * 100)}%</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(budget / 10 / 10) * 10);
  for (let i = step; i <= budget; i += step) {
    parts.push(`<text x="${x(i)}" y="${H - m.b + 18}" text-anchor="middle">${i}</text>`);
  }
  parts.push(
    `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="black"/>`,
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 12}" text-anchor="middle">experiments</text>`,
    `<text transform="translate(16,${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">Top% found (top 5 %)</text>`,
  );
  const rnd: [number, number][] = [1, budget].map((i) => [x(i), y(i / poolSize)]);
  parts.push(`<path d="${path(rnd)}" stroke="#777" stroke-dasharray="5,4" fill="none"/>`);
  series.forEach((s, k) => {
    const c = PALETTE[k % PALETTE.length];
    const upper = s.mean.map((v, i): [number, number] => [x(i + 1), y(v + s.std[i])]);
    const lower = s.mean.map((v, i): [number, number] => [x(i + 1), y(v - s.std[i])]).reverse();
    parts.push(
      `<path d="${path([...upper, ...lower])} Z" fill="${c}" fill-opacity="0.15" stroke="none"/>`,
      `<path d="${path(s.mean.map((v, i) => [x(i + 1), y(v)]))}" stroke="${c}" stroke-width="2" fill="none"/>`,
      `<line x1="${W - m.r + 12}" x2="${W - m.r + 32}" y1="${m.t + 10 + 18 * k}" y2="${m.t + 10 + 18 * k}" stroke="${c}" stroke-width="3"/>`,
      `<text x="${W - m.r + 38}" y="${m.t + 14 + 18 * k}">${escape(s.name)}</text>`,
    );
  });
  const k = series.length;
  parts.push(
    `<line x1="${W - m.r + 12}" x2="${W - m.r + 32}" y1="${m.t + 10 + 18 * k}" y2="${m.t + 10 + 18 * k}" stroke="#777" stroke-dasharray="5,4"/>`,
    `<text x="${W - m.r + 38}" y="${m.t + 14 + 18 * k}">random (i/N)</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
