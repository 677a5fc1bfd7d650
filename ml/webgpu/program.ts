/**
 * Custom WGSL programs for tfjs's webgpu backend, in the shape its `runWebGPUProgram` takes
 * (@tensorflow/tfjs-backend-webgpu 4.22, dist/webgpu_program.d.ts `WebGPUProgram`). The backend
 * wraps `getUserCode()` in a header that declares, for variableNames [A, B, ...]:
 * `result` (binding 0, the one output), `A`, `B`, ... (read-only storage arrays of f32 / i32),
 * and `uniforms` with `aShape`, `aShapeStrides`, ..., `outShape`, `size` (when `size` is set)
 * and the program's own `uniforms` fields, then calls `main(getGlobalIndex())` for a flat
 * dispatch layout. WebGPU's default limit is 8 storage buffers per shader stage, which the
 * backend does not raise: at most 7 inputs per program.
 *
 * Two program shapes cover the fused CGCNN convolution: elementwise (one thread per output
 * element) and column reductions (one workgroup per block of output columns, lanes over rows).
 */
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { tf } from '../tf';

/** backend_webgpu.d.ts's (unexported) ProgramUniform: values appended to the uniform buffer. */
export type Uniforms = Array<{ type: string; data: number[] }>;

/** Threads per workgroup of every program here (WebGPU guarantees 256 invocations). */
export const WORKGROUP = 256;
/**
 * Column reductions: each workgroup sums COLUMNS adjacent columns with WORKGROUP / COLUMNS lanes
 * striding over the rows, so a warp reads COLUMNS consecutive floats (a 32-byte sector) per row
 * instead of one float per row, and a 128-column table still spreads over 16 workgroups.
 */
export const COLUMNS = 8;
const LANES = WORKGROUP / COLUMNS;

/** tfjs-backend-webgpu's own sigmoid and softplus (unary_op_util.js), so results match its ops. */
export const ACTIVATIONS = `
  fn sigmoidF(a : f32) -> f32 { return 1.0 / (1.0 + exp(-1.0 * a)); }
  fn softplusF(a : f32) -> f32 {
    let epsilon = 1.1920928955078125e-7;
    let threshold = log(epsilon) + 2.0;
    let exp_a = exp(a);
    if (a > -threshold) { return a; }
    if (a < threshold) { return exp_a; }
    return log(exp_a + 1.0);
  }
`;

function dispatchFor(groups: number): [number, number, number] {
  return [Math.max(1, groups), 1, 1];
}

/** One thread per output element; `body` sees `index` (flat output index) and writes result[index]. */
export function elementwiseProgram(
  key: string,
  variableNames: string[],
  outputShape: number[],
  body: string,
  uniforms = '',
  prelude = '',
): WebGPUProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    shaderKey: `crucible_${key}`,
    variableNames,
    outputShape,
    size: true,
    uniforms: uniforms || undefined,
    workgroupSize: [WORKGROUP, 1, 1],
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: dispatchFor(Math.ceil(size / WORKGROUP)),
    getUserCode: () => `
      ${ACTIVATIONS}
      ${prelude}
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }`,
  };
}

/**
 * out[c] for c < columns, reduced over `rows` rows: `term` is a WGSL expression of `r` (row) and
 * `c` (column, valid) giving one row's contribution, summed into `first`; with `term2`, a second
 * pass over the rows sums into `second` and may use what `between` derives from `first`
 * (BatchNorm's mean, then Σ (x − mean)², the exact two-pass variance).
 * The group index comes from the global index, so tfjs may reshape a large dispatch.
 */
export function columnReduceProgram(spec: {
  key: string;
  variableNames: string[];
  outputShape: number[];
  /** Output columns reduced (the workgroups cover ceil(columns / COLUMNS) blocks). */
  columns: number;
  /** Workgroups per output row block (e.g. one per row of a transposed product). */
  blocks?: number;
  term: string;
  /** Statements after the first pass (e.g. `let mean = first / f32(uniforms.rows);`). */
  between?: string;
  term2?: string;
  /** Writes the output of column c (lane 0 only) from `first` and, with term2, `second`. */
  finish: string;
  uniforms: string;
  prelude?: string;
}): WebGPUProgram {
  const blocks = spec.blocks ?? 1;
  const groupsPerBlock = Math.ceil(spec.columns / COLUMNS);
  const pass = (term: string, into: string) => `
        var acc${into} = 0.0;
        if (valid) {
          for (var r = lane; r < uniforms.rows; r = r + ${LANES}) {
            acc${into} = acc${into} + (${term});
          }
        }
        let ${into} = reduceLanes(acc${into}, lane, col);`;
  return {
    shaderKey: `crucible_${spec.key}_${COLUMNS}x${LANES}`,
    variableNames: spec.variableNames,
    outputShape: spec.outputShape,
    uniforms: `rows : i32, columns : i32, groupsPerBlock : i32, blocks : i32, ${spec.uniforms}`,
    workgroupSize: [WORKGROUP, 1, 1],
    dispatchLayout: { x: spec.outputShape.map((_, i) => i) },
    dispatch: dispatchFor(blocks * groupsPerBlock),
    getUserCode: () => `
      ${ACTIVATIONS}
      ${spec.prelude ?? ''}
      var<workgroup> partial : array<f32, ${WORKGROUP}>;
      // Sums v over the ${LANES} lanes of column slot col; every thread gets the total.
      fn reduceLanes(v : f32, lane : i32, col : i32) -> f32 {
        partial[lane * ${COLUMNS} + col] = v;
        workgroupBarrier();
        for (var s = ${LANES / 2}; s > 0; s = s / 2) {
          if (lane < s) {
            partial[lane * ${COLUMNS} + col] = partial[lane * ${COLUMNS} + col] + partial[(lane + s) * ${COLUMNS} + col];
          }
          workgroupBarrier();
        }
        let total = partial[col];
        workgroupBarrier();
        return total;
      }
      fn main(index : i32) {
        let group = index / ${WORKGROUP};
        let local = index - group * ${WORKGROUP};
        let lane = local / ${COLUMNS};
        let slot = local - lane * ${COLUMNS};
        let block = group / uniforms.groupsPerBlock;
        let c = (group - block * uniforms.groupsPerBlock) * ${COLUMNS} + slot;
        let col = slot;
        let valid = block < uniforms.blocks && c < uniforms.columns;
        ${pass(spec.term, 'first')}
        ${spec.between ?? ''}
        ${spec.term2 ? pass(spec.term2, 'second') : ''}
        if (valid && lane == 0) {
          ${spec.finish}
        }
      }`,
  };
}

/** Uniform values in the order of the `uniforms` declaration. */
export function ints(...values: number[]): Uniforms {
  return values.map((v) => ({ type: 'int32', data: [v] }));
}
export function floats(...values: number[]): Uniforms {
  return values.map((v) => ({ type: 'float32', data: [v] }));
}

/** The uniforms every columnReduceProgram declares first. */
export function reduceUniforms(rows: number, columns: number, blocks = 1): Uniforms {
  return ints(rows, columns, Math.ceil(columns / COLUMNS), blocks);
}

export interface KernelSpec {
  name: string;
  /** Input names, in the order the program's variableNames bind them. */
  inputs: string[];
  build: (
    inputs: tf.TensorInfo[],
    attrs: Record<string, unknown>,
  ) => {
    program: WebGPUProgram;
    uniforms: Uniforms;
  };
}

/** Registers a kernel for the webgpu backend that runs one program (idempotent). */
export function registerWebgpuKernel(spec: KernelSpec): void {
  if (tf.getKernel(spec.name, 'webgpu')) return;
  tf.registerKernel({
    kernelName: spec.name,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const ordered = spec.inputs.map((name) => {
        const t = inputs[name];
        if (!t) throw new Error(`${spec.name}: input ${name} missing`);
        return t;
      });
      const { program, uniforms } = spec.build(ordered, attrs as Record<string, unknown>);
      return (backend as WebGPUBackend).runWebGPUProgram(program, ordered, 'float32', uniforms);
    },
  });
}

/** Runs a registered kernel on the engine (tracked, profiled by name, no gradient of its own). */
export function runKernel(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, number> = {},
): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}
