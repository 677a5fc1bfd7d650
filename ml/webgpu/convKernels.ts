/**
 * WGSL kernels of the fused CGCNN convolution (training mode), registered for the webgpu
 * backend. Shapes: N atoms, M neighbour slots per atom, R = N·M slot rows, F atom features,
 * H = 2F (filter half, then core half), K edge features. Each kernel computes exactly what the
 * stock-op path of ml/cgcnn/model.ts computes, in the same operation order per element; only the
 * order of summation in reductions differs.
 *
 * A BatchNorm "table" [7, C] carries one BatchNorm's per-column numbers between kernels (rows:
 * batch mean, biased batch variance, new running mean, new running variance, 1/sqrt(var + eps),
 * gamma, beta), so later kernels stay within WebGPU's 8 storage buffers per program.
 */
import {
  columnReduceProgram,
  elementwiseProgram,
  floats,
  ints,
  reduceUniforms,
  registerWebgpuKernel,
  type KernelSpec,
} from './program';

export const KERNELS = {
  atomProducts: 'CgcnnAtomProducts',
  gate: 'CgcnnGate',
  batchNormTable: 'CgcnnBatchNormTable',
  messageSum: 'CgcnnMessageSum',
  residual: 'CgcnnResidual',
  bn2GradSum: 'CgcnnBn2GradSum',
  bn2Backward: 'CgcnnBn2Backward',
  bn1GradSum: 'CgcnnBn1GradSum',
  bn1Backward: 'CgcnnBn1Backward',
  atomGrad: 'CgcnnAtomGrad',
  transposedProduct: 'CgcnnTransposedProduct',
  columnSum: 'CgcnnColumnSum',
  inputGrad: 'CgcnnInputGrad',
  batchNormEvalTable: 'CgcnnBatchNormEvalTable',
  messageSumEval: 'CgcnnMessageSumEval',
} as const;

/** Row numbers of a BatchNorm table. */
export const TABLE_ROWS = 7;
export const TABLE = { mean: 0, variance: 1, runningMean: 2, runningVar: 3, invStd: 4, gamma: 5, beta: 6 };

const attr = (attrs: Record<string, unknown>, name: string): number => {
  const v = attrs[name];
  if (typeof v !== 'number') throw new Error(`attribute ${name} missing`);
  return v;
};

/** BatchNorm output of column c for value v: ((v − mean)·invStd)·gamma + beta, as batchNormTraining. */
const bnApply = (table: string, v: string, c: string, width: string) =>
  `((${v} - ${table}[${c}]) * ${table}[${TABLE.invStd} * ${width} + ${c}]) * ${table}[${TABLE.gamma} * ${width} + ${c}] + ${table}[${TABLE.beta} * ${width} + ${c}]`;

// ---------------------------------------------------------------- forward

/** P [N, 2H] = [x·W_self + b | x·W_nbr]: both atom-side products of fc_full, before gathering. */
const atomProducts: KernelSpec = {
  name: KERNELS.atomProducts,
  inputs: ['X', 'Ws', 'Wn', 'B'],
  build: ([x, ws]) => {
    const [n, f] = x.shape;
    const h = ws.shape[1];
    return {
      program: elementwiseProgram(
        'atom_products',
        ['X', 'Ws', 'Wn', 'B'],
        [n, 2 * h],
        `
          let f = uniforms.f;
          let h = uniforms.h;
          let i = index / (2 * h);
          let c = index - i * 2 * h;
          var acc = 0.0;
          if (c < h) {
            for (var k = 0; k < f; k++) { acc = acc + X[i * f + k] * Ws[k * h + c]; }
            acc = acc + B[c];
          } else {
            for (var k = 0; k < f; k++) { acc = acc + X[i * f + k] * Wn[k * h + c - h]; }
          }
          result[index] = acc;`,
        'f : i32, h : i32,',
      ),
      uniforms: ints(f, h),
    };
  },
};

/** G [R, H]: fc_full's output per slot, P_self[i] + P_nbr[j] + e_ij·W_edge. */
const gate: KernelSpec = {
  name: KERNELS.gate,
  inputs: ['P', 'Nbr', 'E', 'We'],
  build: ([p, , e], attrs) => {
    const h = p.shape[1] / 2;
    const [rows, k] = e.shape;
    return {
      program: elementwiseProgram(
        'gate',
        ['P', 'Nbr', 'E', 'We'],
        [rows, h],
        `
          let h = uniforms.h;
          let edges = uniforms.edges;
          let r = index / h;
          let c = index - r * h;
          let i = r / uniforms.m;
          let j = Nbr[r];
          var e = 0.0;
          for (var q = 0; q < edges; q++) { e = e + E[r * edges + q] * We[q * h + c]; }
          result[index] = (P[i * 2 * h + c] + P[j * 2 * h + h + c]) + e;`,
        'm : i32, h : i32, edges : i32,',
      ),
      uniforms: ints(attr(attrs, 'm'), h, k),
    };
  },
};

/**
 * BatchNorm table [7, C] of V [rows, C]: two-pass batch mean and biased variance (as
 * batchNormTraining), the running-statistics update (momentum, unbiased variance) and the
 * parameters the later kernels need.
 */
const batchNormTable: KernelSpec = {
  name: KERNELS.batchNormTable,
  inputs: ['V', 'Gamma', 'Beta', 'RunMean', 'RunVar'],
  build: ([v], attrs) => {
    const [rows, columns] = v.shape;
    const momentum = attr(attrs, 'momentum');
    return {
      program: columnReduceProgram({
        key: 'bn_table',
        variableNames: ['V', 'Gamma', 'Beta', 'RunMean', 'RunVar'],
        outputShape: [TABLE_ROWS, columns],
        columns,
        term: 'V[r * uniforms.columns + c]',
        between: 'let mean = first / f32(uniforms.rows);',
        term2: '(V[r * uniforms.columns + c] - mean) * (V[r * uniforms.columns + c] - mean)',
        finish: `
          let w = uniforms.columns;
          let variance = second / f32(uniforms.rows);
          result[${TABLE.mean} * w + c] = mean;
          result[${TABLE.variance} * w + c] = variance;
          result[${TABLE.runningMean} * w + c] = RunMean[c] * uniforms.keep + mean * uniforms.momentum;
          result[${TABLE.runningVar} * w + c] = RunVar[c] * uniforms.keep + (variance * uniforms.unbias) * uniforms.momentum;
          result[${TABLE.invStd} * w + c] = 1.0 / sqrt(variance + uniforms.eps);
          result[${TABLE.gamma} * w + c] = Gamma[c];
          result[${TABLE.beta} * w + c] = Beta[c];`,
        uniforms: 'eps : f32, momentum : f32, keep : f32, unbias : f32,',
      }),
      uniforms: [
        ...reduceUniforms(rows, columns),
        // The same float32 scalars the stock path multiplies by (1 − momentum and the
        // unbiased-variance factor are computed in double, then rounded).
        ...floats(attr(attrs, 'eps'), momentum, 1 - momentum, rows / Math.max(rows - 1, 1)),
      ],
    };
  },
};

/** S [N, F] = Σ_j sigmoid(BN1(G)_filter) · softplus(BN1(G)_core) over each atom's M slots. */
const messageSum: KernelSpec = {
  name: KERNELS.messageSum,
  inputs: ['G', 'T'],
  build: ([g], attrs) => {
    const m = attr(attrs, 'm');
    const h = g.shape[1];
    const f = h / 2;
    return {
      program: elementwiseProgram(
        'message_sum',
        ['G', 'T'],
        [g.shape[0] / m, f],
        `
          let f = uniforms.f;
          let h = 2 * f;
          let i = index / f;
          let c = index - i * f;
          var acc = 0.0;
          for (var j = 0; j < uniforms.m; j++) {
            let r = i * uniforms.m + j;
            let zf = ${bnApply('T', 'G[r * h + c]', 'c', 'h')};
            let zc = ${bnApply('T', 'G[r * h + f + c]', 'f + c', 'h')};
            acc = acc + sigmoidF(zf) * softplusF(zc);
          }
          result[index] = acc;`,
        'm : i32, f : i32,',
      ),
      uniforms: ints(m, f),
    };
  },
};

/** x' [N, F] = softplus(x + BN2(S)). */
const residual: KernelSpec = {
  name: KERNELS.residual,
  inputs: ['X', 'S', 'T'],
  build: ([x]) => ({
    program: elementwiseProgram(
      'residual',
      ['X', 'S', 'T'],
      x.shape,
      `
        let f = uniforms.f;
        let c = index % f;
        result[index] = softplusF(X[index] + ${bnApply('T', 'S[index]', 'c', 'f')});`,
      'f : i32,',
    ),
    uniforms: ints(x.shape[1]),
  }),
};

/** Inference: a BatchNorm table from the running statistics (mean and variance rows = running). */
const batchNormEvalTable: KernelSpec = {
  name: KERNELS.batchNormEvalTable,
  inputs: ['Gamma', 'Beta', 'RunMean', 'RunVar'],
  build: ([gamma], attrs) => {
    const c = gamma.shape[0];
    return {
      program: elementwiseProgram(
        'bn_eval_table',
        ['Gamma', 'Beta', 'RunMean', 'RunVar'],
        [TABLE_ROWS, c],
        `
          let w = uniforms.c;
          let row = index / w;
          let k = index - row * w;
          var v = 0.0;
          switch (row) {
            case ${TABLE.mean}, ${TABLE.runningMean}: { v = RunMean[k]; }
            case ${TABLE.variance}, ${TABLE.runningVar}: { v = RunVar[k]; }
            case ${TABLE.invStd}: { v = 1.0 / sqrt(RunVar[k] + uniforms.eps); }
            case ${TABLE.gamma}: { v = Gamma[k]; }
            default: { v = Beta[k]; }
          }
          result[index] = v;`,
        'c : i32, eps : f32,',
      ),
      uniforms: [...ints(c), ...floats(attr(attrs, 'eps'))],
    };
  },
};

/**
 * Inference: S [N, F] straight from P, the edge features and a BN1 table, fc_full's output per
 * slot computed in place (no G: nothing needs it without a backward pass).
 */
const messageSumEval: KernelSpec = {
  name: KERNELS.messageSumEval,
  inputs: ['P', 'Nbr', 'E', 'We', 'T'],
  build: ([p, , e], attrs) => {
    const m = attr(attrs, 'm');
    const h = p.shape[1] / 2;
    const f = h / 2;
    return {
      program: elementwiseProgram(
        'message_sum_eval',
        ['P', 'Nbr', 'E', 'We', 'T'],
        [p.shape[0], f],
        `
          let f = uniforms.f;
          let h = 2 * f;
          let edges = uniforms.edges;
          let i = index / f;
          let c = index - i * f;
          var acc = 0.0;
          for (var j = 0; j < uniforms.m; j++) {
            let r = i * uniforms.m + j;
            let a = Nbr[r];
            var ef = 0.0;
            var ec = 0.0;
            for (var q = 0; q < edges; q++) {
              let x = E[r * edges + q];
              ef = ef + x * We[q * h + c];
              ec = ec + x * We[q * h + f + c];
            }
            let gf = (P[i * 2 * h + c] + P[a * 2 * h + h + c]) + ef;
            let gc = (P[i * 2 * h + f + c] + P[a * 2 * h + h + f + c]) + ec;
            acc = acc + sigmoidF(${bnApply('T', 'gf', 'c', 'h')}) * softplusF(${bnApply('T', 'gc', 'f + c', 'h')});
          }
          result[index] = acc;`,
        'm : i32, f : i32, edges : i32,',
      ),
      uniforms: ints(m, f, e.shape[1]),
    };
  },
};

// ---------------------------------------------------------------- backward

/**
 * WGSL for the gradient at BN2's output: du = dy·sigmoid(x + BN2(S)) (softplus' = sigmoid), and
 * the normalized BN2 input shat, at flat index `at` of column c.
 */
const bn2Local = (at: string, c: string) => `
  let shat = (S[${at}] - T[${c}]) * T[${TABLE.invStd} * f + ${c}];
  let du = Dy[${at}] * sigmoidF(X[${at}] + (shat * T[${TABLE.gamma} * f + ${c}] + T[${TABLE.beta} * f + ${c}]));`;

/** dBeta2 (mode 0: Σ du) or dGamma2 (mode 1: Σ du·shat) [F]. */
const bn2GradSum: KernelSpec = {
  name: KERNELS.bn2GradSum,
  inputs: ['Dy', 'X', 'S', 'T'],
  build: ([dy], attrs) => {
    const [n, f] = dy.shape;
    const mode = attr(attrs, 'mode');
    return {
      program: columnReduceProgram({
        key: `bn2_grad_sum_${mode}`,
        variableNames: ['Dy', 'X', 'S', 'T'],
        outputShape: [f],
        columns: f,
        prelude: `
          fn contribution(r : i32, c : i32) -> f32 {
            let f = uniforms.columns;
            ${bn2Local('r * f + c', 'c')}
            return ${mode === 0 ? 'du' : 'du * shat'};
          }`,
        term: 'contribution(r, c)',
        finish: 'result[c] = first;',
        uniforms: '',
      }),
      uniforms: reduceUniforms(n, f),
    };
  },
};

/**
 * D2 [N, 2F]: columns [0, F) the gradient at the neighbour sum S (BN2's closed-form backward,
 * as batchNormTraining), columns [F, 2F) du (the residual's share of dx).
 */
const bn2Backward: KernelSpec = {
  name: KERNELS.bn2Backward,
  inputs: ['Dy', 'X', 'S', 'T', 'DBeta', 'DGamma'],
  build: ([dy]) => {
    const [n, f] = dy.shape;
    return {
      program: elementwiseProgram(
        'bn2_backward',
        ['Dy', 'X', 'S', 'T', 'DBeta', 'DGamma'],
        [n, 2 * f],
        `
          let f = uniforms.f;
          let i = index / (2 * f);
          let cc = index - i * 2 * f;
          let c = select(cc - f, cc, cc < f);
          ${bn2Local('i * f + c', 'c')}
          if (cc < f) {
            let rows = f32(uniforms.n);
            let dxhat = (du - DBeta[c] / rows) - shat * (DGamma[c] / rows);
            result[index] = dxhat * (T[${TABLE.gamma} * f + c] * T[${TABLE.invStd} * f + c]);
          } else {
            result[index] = du;
          }`,
        'n : i32, f : i32,',
      ),
      uniforms: ints(n, f),
    };
  },
};

/**
 * WGSL for the gradient at BN1's output of slot r, column c (< F: filter, else core), through
 * message = sigmoid(z_f)·softplus(z_c) and the neighbour sum; d = D2's gradient at S.
 */
const bn1Local = `
  fn bn1OutGrad(r : i32, c : i32) -> f32 {
    let f = uniforms.f;
    let h = 2 * f;
    let i = r / uniforms.m;
    let cf = select(c - f, c, c < f);
    let zf = ${bnApply('T', 'G[r * h + cf]', 'cf', 'h')};
    let zc = ${bnApply('T', 'G[r * h + f + cf]', 'f + cf', 'h')};
    let d = D2[i * h + cf];
    let sf = sigmoidF(zf);
    if (c < f) {
      return (d * softplusF(zc)) * (sf * (1.0 - sf));
    }
    return (d * sf) * sigmoidF(zc);
  }
  fn bn1Hat(r : i32, c : i32) -> f32 {
    let h = 2 * uniforms.f;
    return (G[r * h + c] - T[c]) * T[${TABLE.invStd} * h + c];
  }`;

/** dBeta1 (mode 0: Σ dz) or dGamma1 (mode 1: Σ dz·ghat) [H] over the R slots. */
const bn1GradSum: KernelSpec = {
  name: KERNELS.bn1GradSum,
  inputs: ['G', 'T', 'D2'],
  build: ([g], attrs) => {
    const [rows, h] = g.shape;
    const mode = attr(attrs, 'mode');
    return {
      program: columnReduceProgram({
        key: `bn1_grad_sum_${mode}`,
        variableNames: ['G', 'T', 'D2'],
        outputShape: [h],
        columns: h,
        prelude: bn1Local,
        term: mode === 0 ? 'bn1OutGrad(r, c)' : 'bn1OutGrad(r, c) * bn1Hat(r, c)',
        finish: 'result[c] = first;',
        uniforms: 'm : i32, f : i32,',
      }),
      uniforms: [...reduceUniforms(rows, h), ...ints(attr(attrs, 'm'), h / 2)],
    };
  },
};

/** dG [R, H]: BN1's closed-form backward. */
const bn1Backward: KernelSpec = {
  name: KERNELS.bn1Backward,
  inputs: ['G', 'T', 'D2', 'DBeta', 'DGamma'],
  build: ([g], attrs) => {
    const [rows, h] = g.shape;
    return {
      program: elementwiseProgram(
        'bn1_backward',
        ['G', 'T', 'D2', 'DBeta', 'DGamma'],
        [rows, h],
        `
          let h = 2 * uniforms.f;
          let r = index / h;
          let c = index - r * h;
          let n = f32(uniforms.rows);
          let dxhat = (bn1OutGrad(r, c) - DBeta[c] / n) - bn1Hat(r, c) * (DGamma[c] / n);
          result[index] = dxhat * (T[${TABLE.gamma} * h + c] * T[${TABLE.invStd} * h + c]);`,
        'm : i32, f : i32, rows : i32,',
        bn1Local,
      ),
      uniforms: ints(attr(attrs, 'm'), h / 2, rows),
    };
  },
};

/**
 * dP [N, 2H]: the self half sums each atom's own M slots; the neighbour half sums the slots
 * that name the atom as neighbour (incoming lists: Offsets [N + 1], Slots [R]), a gather
 * instead of a scatter with atomics, in a fixed order.
 */
const atomGrad: KernelSpec = {
  name: KERNELS.atomGrad,
  inputs: ['DG', 'Offsets', 'Slots'],
  build: ([dg, offsets], attrs) => {
    const h = dg.shape[1];
    const n = offsets.shape[0] - 1;
    return {
      program: elementwiseProgram(
        'atom_grad',
        ['DG', 'Offsets', 'Slots'],
        [n, 2 * h],
        `
          let h = uniforms.h;
          let i = index / (2 * h);
          let c = index - i * 2 * h;
          var acc = 0.0;
          if (c < h) {
            for (var j = 0; j < uniforms.m; j++) { acc = acc + DG[(i * uniforms.m + j) * h + c]; }
          } else {
            for (var s = Offsets[i]; s < Offsets[i + 1]; s++) { acc = acc + DG[Slots[s] * h + c - h]; }
          }
          result[index] = acc;`,
        'm : i32, h : i32,',
      ),
      uniforms: ints(attr(attrs, 'm'), h),
    };
  },
};

/** out [KA, width] = Aᵀ · B[:, off, off + width): a weight gradient, one workgroup row per A column. */
const transposedProduct: KernelSpec = {
  name: KERNELS.transposedProduct,
  inputs: ['A', 'B'],
  build: ([a, b], attrs) => {
    const [rows, ka] = a.shape;
    const width = attr(attrs, 'width');
    return {
      program: columnReduceProgram({
        key: 'transposed_product',
        variableNames: ['A', 'B'],
        outputShape: [ka, width],
        columns: width,
        blocks: ka,
        term: 'A[r * uniforms.ka + block] * B[r * uniforms.bw + uniforms.off + c]',
        finish: 'result[block * uniforms.columns + c] = first;',
        uniforms: 'ka : i32, bw : i32, off : i32,',
      }),
      uniforms: [...reduceUniforms(rows, width, ka), ...ints(ka, b.shape[1], attr(attrs, 'off'))],
    };
  },
};

/** out [width] = Σ_r B[r, off + c]: the bias gradient. */
const columnSum: KernelSpec = {
  name: KERNELS.columnSum,
  inputs: ['B'],
  build: ([b], attrs) => {
    const width = attr(attrs, 'width');
    return {
      program: columnReduceProgram({
        key: 'column_sum',
        variableNames: ['B'],
        outputShape: [width],
        columns: width,
        term: 'B[r * uniforms.bw + uniforms.off + c]',
        finish: 'result[c] = first;',
        uniforms: 'bw : i32, off : i32,',
      }),
      uniforms: [...reduceUniforms(b.shape[0], width), ...ints(b.shape[1], attr(attrs, 'off'))],
    };
  },
};

/** dx [N, F] = du + dP_self·W_selfᵀ + dP_nbr·W_nbrᵀ. */
const inputGrad: KernelSpec = {
  name: KERNELS.inputGrad,
  inputs: ['D2', 'DP', 'Ws', 'Wn'],
  build: ([d2, , ws]) => {
    const [f, h] = ws.shape;
    return {
      program: elementwiseProgram(
        'input_grad',
        ['D2', 'DP', 'Ws', 'Wn'],
        [d2.shape[0], f],
        `
          let f = uniforms.f;
          let h = uniforms.h;
          let i = index / f;
          let k = index - i * f;
          var a = 0.0;
          for (var c = 0; c < h; c++) { a = a + DP[i * 2 * h + c] * Ws[k * h + c]; }
          var b = 0.0;
          for (var c = 0; c < h; c++) { b = b + DP[i * 2 * h + h + c] * Wn[k * h + c]; }
          result[index] = D2[i * 2 * f + f + k] + a + b;`,
        'f : i32, h : i32,',
      ),
      uniforms: ints(f, h),
    };
  },
};

let registered = false;

/** Registers every kernel above for the webgpu backend (once per tfjs instance). */
export function registerConvKernels(): void {
  if (registered) return;
  for (const spec of [
    atomProducts,
    gate,
    batchNormTable,
    messageSum,
    residual,
    bn2GradSum,
    bn2Backward,
    bn1GradSum,
    bn1Backward,
    atomGrad,
    transposedProduct,
    columnSum,
    inputGrad,
    batchNormEvalTable,
    messageSumEval,
  ])
    registerWebgpuKernel(spec);
  registered = true;
}
