/* global window, requestAnimationFrame, AbortController */
// A small crystal-structure viewer for the dashboard: the unit cell as a box and the atoms as
// spheres coloured by element (Jmol's CPK colours), in orthographic projection on a 2D canvas.
// Drag to rotate, wheel to zoom, double-click to reset; arrow keys rotate too. Sites with partial
// occupancy are drawn as pies, one wedge per species (white for the vacant share), as VESTA does.
// Dependency-free and hand-written because matterviz, the field's Svelte library, ships only
// uncompiled Svelte 5 components (three.js/threlte, SvelteKit) and no standalone bundle, and the
// page serves static files with no build step under a CSP that allows scripts from itself only.
'use strict';
(function () {
  // Jmol's element colours (https://jmol.sourceforge.net/jscolors/), the de facto CPK table.
  const JMOL = {
    H: 'ffffff',
    He: 'd9ffff',
    Li: 'cc80ff',
    Be: 'c2ff00',
    B: 'ffb5b5',
    C: '909090',
    N: '3050f8',
    O: 'ff0d0d',
    F: '90e050',
    Ne: 'b3e3f5',
    Na: 'ab5cf2',
    Mg: '8aff00',
    Al: 'bfa6a6',
    Si: 'f0c8a0',
    P: 'ff8000',
    S: 'ffff30',
    Cl: '1ff01f',
    Ar: '80d1e3',
    K: '8f40d4',
    Ca: '3dff00',
    Sc: 'e6e6e6',
    Ti: 'bfc2c7',
    V: 'a6a6ab',
    Cr: '8a99c7',
    Mn: '9c7ac7',
    Fe: 'e06633',
    Co: 'f090a0',
    Ni: '50d050',
    Cu: 'c88033',
    Zn: '7d80b0',
    Ga: 'c28f8f',
    Ge: '668f8f',
    As: 'bd80e3',
    Se: 'ffa100',
    Br: 'a62929',
    Kr: '5cb8d1',
    Rb: '702eb0',
    Sr: '00ff00',
    Y: '94ffff',
    Zr: '94e0e0',
    Nb: '73c2c9',
    Mo: '54b5b5',
    Tc: '3b9e9e',
    Ru: '248f8f',
    Rh: '0a7d8c',
    Pd: '006985',
    Ag: 'c0c0c0',
    Cd: 'ffd98f',
    In: 'a67573',
    Sn: '668080',
    Sb: '9e63b5',
    Te: 'd47a00',
    I: '940094',
    Xe: '429eb0',
    Cs: '57178f',
    Ba: '00c900',
    La: '70d4ff',
    Ce: 'ffffc7',
    Pr: 'd9ffc7',
    Nd: 'c7ffc7',
    Pm: 'a3ffc7',
    Sm: '8fffc7',
    Eu: '61ffc7',
    Gd: '45ffc7',
    Tb: '30ffc7',
    Dy: '1fffc7',
    Ho: '00ff9c',
    Er: '00e675',
    Tm: '00d452',
    Yb: '00bf38',
    Lu: '00ab24',
    Hf: '4dc2ff',
    Ta: '4da6ff',
    W: '2194d6',
    Re: '267dab',
    Os: '266696',
    Ir: '175487',
    Pt: 'd0d0e0',
    Au: 'ffd123',
    Hg: 'b8b8d0',
    Tl: 'a6544d',
    Pb: '575961',
    Bi: '9e4fb5',
    Po: 'ab5c00',
    At: '754f45',
    Rn: '428296',
    Fr: '420066',
    Ra: '007d00',
    Ac: '70abfa',
    Th: '00baff',
    Pa: '00a1ff',
    U: '008fff',
    Np: '0080ff',
    Pu: '006bff',
    Am: '545cf2',
    Cm: '785ce3',
    Bk: '8a4fe3',
    Cf: 'a136d4',
    Es: 'b31fd4',
    Fm: 'b31fba',
    Md: 'b30da6',
    No: 'bd0d87',
    Lr: 'c70066',
    Rf: 'cc0059',
    Db: 'd1004f',
    Sg: 'd90045',
    Bh: 'e00038',
    Hs: 'e6002e',
    Mt: 'eb0026',
  };
  const UNKNOWN = 'ff1493';
  const EPS = 1e-4;
  const DEG = Math.PI / 180;

  const colorOf = (el) => `#${JMOL[el] || UNKNOWN}`;
  const sub = (p, q) => [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
  const norm = (p) => Math.hypot(p[0], p[1], p[2]);
  const apply = (R, v) => [0, 1, 2].map((i) => R[i][0] * v[0] + R[i][1] * v[1] + R[i][2] * v[2]);
  const mul = (A, B) =>
    [0, 1, 2].map((i) => [0, 1, 2].map((j) => A[i][0] * B[0][j] + A[i][1] * B[1][j] + A[i][2] * B[2][j]));
  const rotX = (t) => [
    [1, 0, 0],
    [0, Math.cos(t), -Math.sin(t)],
    [0, Math.sin(t), Math.cos(t)],
  ];
  const rotY = (t) => [
    [Math.cos(t), 0, Math.sin(t)],
    [0, 1, 0],
    [-Math.sin(t), 0, Math.cos(t)],
  ];
  // pymatgen's standard setting puts c near Cartesian z: show z up, looking a little from above.
  const initialRotation = () => mul(rotX(15 * DEG), mul(rotY(-25 * DEG), rotX(-90 * DEG)));

  /** Atoms to draw: every site wrapped into the cell, plus its images on the faces (x = 0 also at 1). */
  function atomsOf(pmg) {
    const M = pmg.lattice.matrix;
    const cart = (f) => [0, 1, 2].map((k) => f[0] * M[0][k] + f[1] * M[1][k] + f[2] * M[2][k]);
    const atoms = [];
    pmg.sites.forEach((site, index) => {
      const species = site.species
        .map((s) => ({ element: s.element, occu: s.occu }))
        .sort((a, b) => b.occu - a.occu);
      if (!site.abc) {
        atoms.push({ pos: site.xyz, species, index });
        return;
      }
      const f = site.abc.map((x) => {
        const w = x - Math.floor(x);
        return w > 1 - EPS ? 0 : w;
      });
      for (const sx of f[0] < EPS ? [0, 1] : [0])
        for (const sy of f[1] < EPS ? [0, 1] : [0])
          for (const sz of f[2] < EPS ? [0, 1] : [0])
            atoms.push({ pos: cart([f[0] + sx, f[1] + sy, f[2] + sz]), species, index });
    });
    return { atoms, cart };
  }

  function elementsOf(pmg) {
    const seen = [];
    for (const site of pmg.sites)
      for (const s of site.species) if (!seen.includes(s.element)) seen.push(s.element);
    return seen;
  }

  /**
   * Draws `structure` (the API's structure object: pymatgen dict and radii) on `canvas` and
   * keeps it interactive until destroy(). The canvas's data-* attributes say what was drawn.
   */
  function create(canvas, structure) {
    const pmg = structure.pymatgen;
    const radii = structure.radii_A || {};
    const { atoms, cart } = atomsOf(pmg);
    const elements = elementsOf(pmg);
    const corners = [];
    for (const i of [0, 1])
      for (const j of [0, 1]) for (const k of [0, 1]) corners.push({ f: [i, j, k], p: cart([i, j, k]) });
    const edges = [];
    corners.forEach((c, i) =>
      corners.forEach((d, j) => {
        if (j > i && Math.abs(c.f[0] - d.f[0]) + Math.abs(c.f[1] - d.f[1]) + Math.abs(c.f[2] - d.f[2]) === 1)
          edges.push([c.p, d.p]);
      }),
    );
    const centre = cart([0.5, 0.5, 0.5]);
    const radiusOf = (a) => Math.max(0.3, 0.5 * (radii[a.species[0].element] || 1.5));
    const extent =
      Math.max(
        ...corners.map((c) => norm(sub(c.p, centre))),
        ...atoms.map((a) => norm(sub(a.pos, centre)) + radiusOf(a)),
      ) || 1;
    let R = initialRotation();
    let zoom = 1;
    let draws = 0;
    let queued = false;

    function draw() {
      queued = false;
      const dpr = window.devicePixelRatio || 1;
      const w = canvas.clientWidth || 480;
      const h = canvas.clientHeight || 360;
      if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(h * dpr);
      }
      const ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, w, h);
      const scale = (zoom * 0.47 * Math.min(w, h)) / extent;
      const project = (p) => {
        const q = apply(R, sub(p, centre));
        return { x: w / 2 + q[0] * scale, y: h / 2 - q[1] * scale, z: q[2] };
      };
      const lines = edges.map(([p, q]) => [project(p), project(q)]);
      const drawEdges = (front) => {
        ctx.strokeStyle = front ? 'rgba(29, 36, 51, 0.75)' : 'rgba(29, 36, 51, 0.35)';
        ctx.lineWidth = 1.2;
        ctx.beginPath();
        for (const [a, b] of lines) {
          if (a.z + b.z >= 0 !== front) continue;
          ctx.moveTo(a.x, a.y);
          ctx.lineTo(b.x, b.y);
        }
        ctx.stroke();
      };
      drawEdges(false);
      const projected = atoms
        .map((a) => ({ a, s: project(a.pos), r: radiusOf(a) * scale }))
        .sort((u, v) => u.s.z - v.s.z);
      for (const { a, s, r } of projected) {
        let start = -Math.PI / 2;
        const pie = a.species.length > 1 || a.species[0].occu < 1 - 1e-6;
        const wedges = pie
          ? a.species.map((sp) => [colorOf(sp.element), sp.occu])
          : [[colorOf(a.species[0].element), 1]];
        const vacant = 1 - a.species.reduce((t, sp) => t + sp.occu, 0);
        if (pie && vacant > 1e-6) wedges.push(['#ffffff', vacant]);
        for (const [color, share] of wedges) {
          ctx.beginPath();
          if (pie) ctx.moveTo(s.x, s.y);
          ctx.arc(s.x, s.y, r, start, start + share * 2 * Math.PI);
          ctx.closePath();
          ctx.fillStyle = color;
          ctx.fill();
          start += share * 2 * Math.PI;
        }
        const shade = ctx.createRadialGradient(s.x - r * 0.35, s.y - r * 0.35, r * 0.1, s.x, s.y, r);
        shade.addColorStop(0, 'rgba(255, 255, 255, 0.55)');
        shade.addColorStop(0.6, 'rgba(255, 255, 255, 0)');
        shade.addColorStop(1, 'rgba(0, 0, 0, 0.3)');
        ctx.beginPath();
        ctx.arc(s.x, s.y, r, 0, 2 * Math.PI);
        ctx.fillStyle = shade;
        ctx.fill();
        ctx.strokeStyle = 'rgba(0, 0, 0, 0.45)';
        ctx.lineWidth = 0.7;
        ctx.stroke();
      }
      drawEdges(true);
      drawAxes(ctx, h);
      drawLegend(ctx);
      draws += 1;
      canvas.dataset.sites = String(pmg.sites.length);
      canvas.dataset.atoms = String(atoms.length);
      canvas.dataset.elements = elements.join(' ');
      canvas.dataset.draws = String(draws);
    }

    function drawAxes(ctx, h) {
      const o = { x: 34, y: h - 34 };
      ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ['a', 'b', 'c'].forEach((label, i) => {
        const v = pmg.lattice.matrix[i];
        const q = apply(R, v).map((x) => x / (norm(v) || 1));
        const tip = { x: o.x + q[0] * 24, y: o.y - q[1] * 24 };
        ctx.strokeStyle = ctx.fillStyle = ['#c0392b', '#1e8449', '#1f4e9c'][i];
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(o.x, o.y);
        ctx.lineTo(tip.x, tip.y);
        ctx.stroke();
        ctx.fillText(label, o.x + q[0] * 33, o.y - q[1] * 33);
      });
    }

    function drawLegend(ctx) {
      ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      elements.forEach((el, i) => {
        const y = 14 + i * 18;
        ctx.beginPath();
        ctx.arc(14, y, 6, 0, 2 * Math.PI);
        ctx.fillStyle = colorOf(el);
        ctx.fill();
        ctx.strokeStyle = 'rgba(0, 0, 0, 0.45)';
        ctx.lineWidth = 0.7;
        ctx.stroke();
        ctx.fillStyle = '#1d2433';
        ctx.fillText(el, 25, y);
      });
    }

    function redraw() {
      if (queued) return;
      queued = true;
      requestAnimationFrame(draw);
    }

    const ac = new AbortController();
    const on = (target, type, fn, opts) =>
      target.addEventListener(type, fn, Object.assign({ signal: ac.signal }, opts));
    let drag = null;
    on(canvas, 'pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY };
      canvas.setPointerCapture(e.pointerId);
    });
    on(canvas, 'pointermove', (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      drag = { x: e.clientX, y: e.clientY };
      R = mul(rotX(dy * 0.01), mul(rotY(dx * 0.01), R));
      redraw();
    });
    const end = () => {
      drag = null;
    };
    on(canvas, 'pointerup', end);
    on(canvas, 'pointercancel', end);
    on(
      canvas,
      'wheel',
      (e) => {
        e.preventDefault();
        zoom = Math.min(6, Math.max(0.3, zoom * Math.exp(-e.deltaY * 0.0015)));
        redraw();
      },
      { passive: false },
    );
    on(canvas, 'dblclick', () => {
      R = initialRotation();
      zoom = 1;
      redraw();
    });
    on(canvas, 'keydown', (e) => {
      const turn = {
        ArrowLeft: rotY(-10 * DEG),
        ArrowRight: rotY(10 * DEG),
        ArrowUp: rotX(-10 * DEG),
        ArrowDown: rotX(10 * DEG),
      }[e.key];
      if (!turn) return;
      e.preventDefault();
      R = mul(turn, R);
      redraw();
    });
    on(window, 'resize', redraw);
    draw();
    return {
      destroy() {
        ac.abort();
      },
    };
  }

  window.CrucibleStructure = { create, colorOf };
})();
