/* global document, window */
// A tiny SVG charting helper for the dashboard: linear axes with nice ticks, lines, step lines,
// points with error bars, a y = x diagonal and a legend. Hand-written (about 150 lines) so the
// page needs no build step and no third-party script; presentation goes through SVG attributes
// and CSS classes because the page's CSP forbids inline styles.
'use strict';
(function () {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 520;
  const H = 320;
  const M = { top: 30, right: 16, bottom: 44, left: 60 }; // the legend row sits above the frame

  function el(parent, tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  /** About n round-numbered ticks (steps of 1, 2 or 5 × 10^k) covering [lo, hi]. */
  function niceTicks(lo, hi, n) {
    const span = hi - lo || 1;
    const raw = span / Math.max(1, n);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
      ticks.push(+t.toPrecision(12));
    return ticks;
  }

  /** [min, max] of finite values, padded by a share of the span (or ±0.5 when flat). */
  function extent(values, pad) {
    const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
    if (!v.length) return [0, 1];
    let lo = Math.min(...v);
    let hi = Math.max(...v);
    if (lo === hi) return [lo - 0.5, hi + 0.5];
    const p = (hi - lo) * (pad === undefined ? 0.05 : pad);
    lo -= p;
    hi += p;
    return [lo, hi];
  }

  function fmt(v) {
    return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(1)
      : String(+v.toPrecision(4));
  }

  /**
   * Draws into `svg` (its old content is removed). opts: {x: {label, domain}, y: {label, domain},
   * layers: [...], legend: bool, empty: string}. A layer is
   *   {type: 'line' | 'step', cls, label, points: [[x, y], ...]}
   *   {type: 'points', cls, label, r, points: [{x, y, xErr?, yErr?, title?}]}
   *   {type: 'diagonal', cls, label}
   */
  function chart(svg, opts) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const [x0, x1] = opts.x.domain;
    const [y0, y1] = opts.y.domain;
    const sx = (v) => M.left + ((v - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
    const sy = (v) => H - M.bottom - ((v - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);
    const clipId = `${svg.id || 'plot'}-clip`;
    const clip = el(el(svg, 'defs'), 'clipPath', { id: clipId });
    el(clip, 'rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom });

    const axes = el(svg, 'g', { class: 'axes' });
    for (const t of niceTicks(x0, x1, 6)) {
      el(axes, 'line', { class: 'grid', x1: sx(t), x2: sx(t), y1: M.top, y2: H - M.bottom });
      el(axes, 'text', { class: 'tick', x: sx(t), y: H - M.bottom + 16, 'text-anchor': 'middle' }, fmt(t));
    }
    for (const t of niceTicks(y0, y1, 5)) {
      el(axes, 'line', { class: 'grid', x1: M.left, x2: W - M.right, y1: sy(t), y2: sy(t) });
      el(axes, 'text', { class: 'tick', x: M.left - 6, y: sy(t) + 4, 'text-anchor': 'end' }, fmt(t));
    }
    el(axes, 'rect', {
      class: 'frame',
      x: M.left,
      y: M.top,
      width: W - M.left - M.right,
      height: H - M.top - M.bottom,
    });
    el(
      axes,
      'text',
      { class: 'axis-label', x: (M.left + W - M.right) / 2, y: H - 8, 'text-anchor': 'middle' },
      opts.x.label,
    );
    el(
      axes,
      'text',
      {
        class: 'axis-label',
        transform: `translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)`,
        'text-anchor': 'middle',
      },
      opts.y.label,
    );

    const plot = el(svg, 'g', { 'clip-path': `url(#${clipId})` });
    for (const layer of opts.layers) {
      if (layer.type === 'diagonal') {
        const lo = Math.max(x0, y0);
        const hi = Math.min(x1, y1);
        el(plot, 'line', { class: layer.cls, x1: sx(lo), y1: sy(lo), x2: sx(hi), y2: sy(hi) });
      } else if (layer.type === 'line' || layer.type === 'step') {
        const pts = layer.points.filter((p) => p[1] !== null && Number.isFinite(p[1]));
        if (!pts.length) continue;
        let d = `M${sx(pts[0][0])},${sy(pts[0][1])}`;
        for (let i = 1; i < pts.length; i++) {
          if (layer.type === 'step') d += `H${sx(pts[i][0])}`;
          d += `${layer.type === 'step' ? 'V' : `L${sx(pts[i][0])},`}${sy(pts[i][1])}`;
        }
        el(plot, 'path', { class: layer.cls, d, fill: 'none' });
      } else if (layer.type === 'points') {
        const g = el(plot, 'g', { class: `${layer.cls}-layer` });
        for (const p of layer.points) {
          if (p.yErr)
            el(g, 'line', {
              class: 'errbar',
              x1: sx(p.x),
              x2: sx(p.x),
              y1: sy(p.y - p.yErr),
              y2: sy(p.y + p.yErr),
            });
          if (p.xErr)
            el(g, 'line', {
              class: 'errbar',
              y1: sy(p.y),
              y2: sy(p.y),
              x1: sx(p.x - p.xErr),
              x2: sx(p.x + p.xErr),
            });
          const c = el(g, 'circle', { class: layer.cls, cx: sx(p.x), cy: sy(p.y), r: layer.r || 3.5 });
          if (p.title) el(c, 'title', {}, p.title);
        }
      }
    }
    if (opts.empty)
      el(svg, 'text', { class: 'empty', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, opts.empty);
    // One legend row above the frame, so it never hides data wherever the points fall.
    let lx = M.left;
    for (const l of opts.layers.filter((layer) => layer.label)) {
      const y = 16;
      // Legend marks get their own class so counting a layer's circles never counts its swatch.
      const cls = `legend-mark mark-${l.cls}`;
      if (l.type === 'points') el(svg, 'circle', { class: cls, cx: lx + 8, cy: y - 4, r: 3.5 });
      else el(svg, 'line', { class: cls, x1: lx, x2: lx + 16, y1: y - 4, y2: y - 4 });
      el(svg, 'text', { class: 'legend', x: lx + 22, y }, l.label);
      lx += 36 + l.label.length * 6;
    }
  }

  window.CruciblePlots = { chart, extent, niceTicks, fmt };
})();
