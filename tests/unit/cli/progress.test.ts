import { createProgress, renderBar } from '../../../cli/progress';

describe('renderBar', () => {
  it('fills the bar in proportion and fits the width', () => {
    const line = renderBar('writing candidates', 270, 599, 80);
    expect(line).toHaveLength(80);
    expect(line).toContain(' 45%  270/599');
    const bar = /\[(.*)\]/.exec(line)?.[1] ?? '';
    expect(bar.length).toBeGreaterThan(20);
    expect(bar.split('█').length - 1).toBe(Math.round((270 / 599) * bar.length));
  });

  it('shows 0% and 100% at the ends, and a full bar for an empty phase', () => {
    expect(renderBar('x', 0, 10)).not.toContain('█');
    expect(renderBar('x', 10, 10)).not.toContain('░');
    expect(renderBar('x', 10, 10)).toContain('100%');
    expect(renderBar('x', 0, 0)).toContain('100%');
  });
});

describe('createProgress', () => {
  const stream = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, isTTY, columns: 60, write: (c: string) => chunks.push(c) };
  };

  it('redraws in place on a terminal, one line per phase', () => {
    const s = stream(true);
    const p = createProgress(s, 0);
    p.update('reading CIFs', 1, 3);
    p.update('reading CIFs', 3, 3);
    p.update('writing structures', 3, 3);
    p.finish();
    const out = s.chunks.join('');
    expect(out.split('\r')).toHaveLength(4);
    expect(out.split('\n')).toHaveLength(3); // after each phase, and at the end
    expect(out).toContain('reading CIFs');
    expect(out).toMatch(/100% {2}3\/3\n$/);
    for (const line of out.split(/[\r\n]/).filter(Boolean)) expect(line.length).toBeLessThanOrEqual(59);
  });

  it('throttles redraws within a phase but always draws its end', () => {
    const s = stream(true);
    const p = createProgress(s, 60_000);
    for (let i = 1; i <= 100; i++) p.update('x', i, 100);
    expect(s.chunks).toHaveLength(2); // the first and the last
    expect(s.chunks[1]).toContain('100/100');
  });

  it('prints nothing where stderr is not a terminal', () => {
    const s = stream(false);
    const p = createProgress(s, 0);
    p.update('x', 1, 2);
    p.finish();
    expect(s.chunks).toEqual([]);
  });
});
