/**
 * FlatAdam's update on the webgpu backend in 2 + P dispatches (P parameters) instead of ~2.5·P:
 * the moments over the flat gradient vector, then each parameter straight from the flat
 * moments at its offset (no split, no separate subtraction). Same float32 operations in the
 * same order as the stock path in ml/training/adam.ts.
 */
import {
  elementwiseProgram,
  floats,
  ints,
  registerWebgpuKernel,
  runKernel,
  type KernelSpec,
} from './program';
import { tf, type Tensor } from '../tf';

const MOMENT = 'CrucibleAdamMoment';
const PARAM = 'CrucibleAdamParam';

const num = (attrs: Record<string, unknown>, name: string): number => {
  const v = attrs[name];
  if (typeof v !== 'number') throw new Error(`attribute ${name} missing`);
  return v;
};

/** m·β + g·(1 − β), or with `square` v·β + g²·(1 − β). */
const moment: KernelSpec = {
  name: MOMENT,
  inputs: ['Grad', 'Old'],
  build: ([g], attrs) => ({
    program: elementwiseProgram(
      `adam_moment_${num(attrs, 'square')}`,
      ['Grad', 'Old'],
      g.shape,
      `
        let g = Grad[index];
        result[index] = Old[index] * uniforms.decay + ${num(attrs, 'square') ? 'g * g' : 'g'} * uniforms.keep;`,
      'decay : f32, keep : f32,',
    ),
    uniforms: floats(num(attrs, 'decay'), num(attrs, 'keep')),
  }),
};

/** p − (m·stepSize) / (√v / correction2 + ε), m and v read at the parameter's offset. */
const param: KernelSpec = {
  name: PARAM,
  inputs: ['P', 'M', 'V'],
  build: ([p], attrs) => ({
    program: elementwiseProgram(
      'adam_param',
      ['P', 'M', 'V'],
      p.shape,
      `
        let k = uniforms.offset + index;
        result[index] = P[index] - (M[k] * uniforms.stepSize) / (sqrt(V[k]) / uniforms.correction2 + uniforms.epsilon);`,
      'offset : i32, stepSize : f32, correction2 : f32, epsilon : f32,',
    ),
    uniforms: [
      ...ints(num(attrs, 'offset')),
      ...floats(num(attrs, 'stepSize'), num(attrs, 'correction2'), num(attrs, 'epsilon')),
    ],
  }),
};

export interface AdamStep {
  beta1: number;
  beta2: number;
  epsilon: number;
  stepSize: number;
  correction2: number;
}

/** New m, v (flat) and parameters; the caller assigns them. */
export function fusedAdamUpdate(
  params: readonly Tensor[],
  grads: readonly Tensor[],
  m: Tensor,
  v: Tensor,
  s: AdamStep,
): { m: Tensor; v: Tensor; params: Tensor[] } {
  registerWebgpuKernel(moment);
  registerWebgpuKernel(param);
  const g = tf.concat(grads.map((x) => tf.reshape(x, [-1])));
  const mNew = runKernel(MOMENT, { Grad: g, Old: m }, { square: 0, decay: s.beta1, keep: 1 - s.beta1 });
  const vNew = runKernel(MOMENT, { Grad: g, Old: v }, { square: 1, decay: s.beta2, keep: 1 - s.beta2 });
  let offset = 0;
  const updated = params.map((p) => {
    const out = runKernel(
      PARAM,
      { P: p, M: mNew, V: vNew },
      { offset, stepSize: s.stepSize, correction2: s.correction2, epsilon: s.epsilon },
    );
    offset += p.size;
    return out;
  });
  return { m: mNew, v: vNew, params: updated };
}
