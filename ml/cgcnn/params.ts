/**
 * CGCNN parameters as named tfjs variables. Dense kernels are stored [in, out] (tfjs's matMul
 * with transpose flags is ~10x slower on wasm than on a pre-transposed kernel), and each
 * convolution's fc_full is stored split into self / neighbour / edge blocks: CGCNN's
 * fc_full([x_i, x_j, e_ij]) = x_i·W_self + x_j·W_nbr + e_ij·W_edge + b, and applying W_nbr to
 * every atom before gathering (N rows instead of N·M) cuts the layer's FLOPs about 4x with the
 * same result. torchStateDict conversions map to and from Xie & Grossman's PyTorch names.
 */
import { deriveSeed, seededRandom } from '../random';
import { tf } from '../tf';
import { outputLength, type CgcnnConfig } from './config';

export interface ParamSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  init: 'uniform' | 'ones' | 'zeros';
  /** PyTorch nn.Linear's default init bound is 1/sqrt(fan_in) for weight and bias. */
  fanIn?: number;
}

/** Host copy of weights: name → flat float32 values + shape (checkpoints, registry, JSON). */
export type WeightMap = Record<string, { shape: number[]; values: Float32Array }>;
export type CgcnnVariables = Map<string, tf.Variable>;

export function paramSpecs(c: CgcnnConfig): ParamSpec[] {
  const f = c.atomFeatureLength;
  const e = c.edgeInputLength;
  const h = c.hiddenLength;
  const specs: ParamSpec[] = [];
  const dense = (name: string, inLength: number, outLength: number, fanIn = inLength): void => {
    specs.push({
      name: `${name}.kernel`,
      shape: [inLength, outLength],
      trainable: true,
      init: 'uniform',
      fanIn,
    });
    specs.push({ name: `${name}.bias`, shape: [outLength], trainable: true, init: 'uniform', fanIn });
  };
  const batchNorm = (name: string, length: number): void => {
    specs.push({ name: `${name}.gamma`, shape: [length], trainable: true, init: 'ones' });
    specs.push({ name: `${name}.beta`, shape: [length], trainable: true, init: 'zeros' });
    specs.push({ name: `${name}.runningMean`, shape: [length], trainable: false, init: 'zeros' });
    specs.push({ name: `${name}.runningVar`, shape: [length], trainable: false, init: 'ones' });
  };
  dense('embedding', c.atomInputLength, f);
  for (let l = 0; l < c.convLayers; l += 1) {
    const fanIn = 2 * f + e;
    specs.push({
      name: `convs.${l}.self.kernel`,
      shape: [f, 2 * f],
      trainable: true,
      init: 'uniform',
      fanIn,
    });
    specs.push({
      name: `convs.${l}.neighbor.kernel`,
      shape: [f, 2 * f],
      trainable: true,
      init: 'uniform',
      fanIn,
    });
    specs.push({
      name: `convs.${l}.edge.kernel`,
      shape: [e, 2 * f],
      trainable: true,
      init: 'uniform',
      fanIn,
    });
    specs.push({ name: `convs.${l}.bias`, shape: [2 * f], trainable: true, init: 'uniform', fanIn });
    batchNorm(`convs.${l}.bn1`, 2 * f);
    batchNorm(`convs.${l}.bn2`, f);
  }
  dense('conv_to_fc', f, h);
  for (let k = 0; k < c.hiddenLayers - 1; k += 1) dense(`fcs.${k}`, h, h);
  dense('fc_out', h, outputLength(c));
  return specs;
}

/** Fresh weights, PyTorch's default initialization drawn from a seeded generator. */
export function initialWeights(c: CgcnnConfig, seed: number): WeightMap {
  const weights: WeightMap = {};
  paramSpecs(c).forEach((spec, p) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (spec.init === 'ones') values.fill(1);
    if (spec.init === 'uniform') {
      const random = seededRandom(deriveSeed(seed, p));
      const bound = 1 / Math.sqrt(spec.fanIn ?? spec.shape[0]);
      for (let k = 0; k < size; k += 1) values[k] = (2 * random() - 1) * bound;
    }
    weights[spec.name] = { shape: spec.shape, values };
  });
  return weights;
}

export function createVariables(c: CgcnnConfig, weights: WeightMap): CgcnnVariables {
  const vars: CgcnnVariables = new Map();
  for (const spec of paramSpecs(c)) {
    const w = weights[spec.name];
    if (!w) throw new Error(`CGCNN weights: "${spec.name}" missing`);
    if (w.shape.join() !== spec.shape.join()) {
      throw new Error(`CGCNN weights: "${spec.name}" has shape [${w.shape}], expected [${spec.shape}]`);
    }
    vars.set(spec.name, tf.variable(tf.tensor(w.values, spec.shape), spec.trainable, undefined, 'float32'));
  }
  return vars;
}

export async function readWeights(vars: CgcnnVariables): Promise<WeightMap> {
  const out: WeightMap = {};
  for (const [name, v] of vars)
    out[name] = { shape: v.shape.slice(), values: (await v.data()) as Float32Array };
  return out;
}

export function assignWeights(vars: CgcnnVariables, weights: WeightMap): void {
  for (const [name, v] of vars) {
    const w = weights[name];
    if (!w) throw new Error(`CGCNN weights: "${name}" missing`);
    v.assign(tf.tensor(w.values, v.shape));
  }
}

export function disposeVariables(vars: CgcnnVariables): void {
  for (const v of vars.values()) v.dispose();
}

/** PyTorch state_dict entry: row-major values with the torch shape. */
export type TorchStateDict = Record<string, { shape: number[]; values: ArrayLike<number> }>;

function transpose(values: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r += 1)
    for (let col = 0; col < cols; col += 1) out[col * rows + r] = values[r * cols + col];
  return out;
}

/** Imports weights saved from Xie & Grossman's CrystalGraphConvNet (model.state_dict()). */
export function fromTorchStateDict(c: CgcnnConfig, state: TorchStateDict): WeightMap {
  const get = (name: string) => {
    const t = state[name];
    if (!t) throw new Error(`torch state_dict: "${name}" missing`);
    return t;
  };
  const w: WeightMap = {};
  const linear = (torchName: string, ours: string): void => {
    const weight = get(`${torchName}.weight`);
    const [out, inLength] = weight.shape;
    w[`${ours}.kernel`] = { shape: [inLength, out], values: transpose(weight.values, out, inLength) };
    w[`${ours}.bias`] = { shape: [out], values: Float32Array.from(get(`${torchName}.bias`).values) };
  };
  const bn = (torchName: string, ours: string): void => {
    const pairs = [
      ['weight', 'gamma'],
      ['bias', 'beta'],
      ['running_mean', 'runningMean'],
      ['running_var', 'runningVar'],
    ];
    for (const [t, o] of pairs) {
      const v = get(`${torchName}.${t}`);
      w[`${ours}.${o}`] = { shape: v.shape, values: Float32Array.from(v.values) };
    }
  };
  linear('embedding', 'embedding');
  const f = c.atomFeatureLength;
  for (let l = 0; l < c.convLayers; l += 1) {
    const full = get(`convs.${l}.fc_full.weight`); // [2F, 2F + E]: columns self | neighbour | edge
    const kernel = transpose(full.values, full.shape[0], full.shape[1]); // [2F + E, 2F]
    const rows = (from: number, to: number) => kernel.slice(from * 2 * f, to * 2 * f);
    w[`convs.${l}.self.kernel`] = { shape: [f, 2 * f], values: rows(0, f) };
    w[`convs.${l}.neighbor.kernel`] = { shape: [f, 2 * f], values: rows(f, 2 * f) };
    w[`convs.${l}.edge.kernel`] = {
      shape: [full.shape[1] - 2 * f, 2 * f],
      values: rows(2 * f, full.shape[1]),
    };
    w[`convs.${l}.bias`] = {
      shape: [2 * f],
      values: Float32Array.from(get(`convs.${l}.fc_full.bias`).values),
    };
    bn(`convs.${l}.bn1`, `convs.${l}.bn1`);
    bn(`convs.${l}.bn2`, `convs.${l}.bn2`);
  }
  linear('conv_to_fc', 'conv_to_fc');
  for (let k = 0; k < c.hiddenLayers - 1; k += 1) linear(`fcs.${k}`, `fcs.${k}`);
  linear('fc_out', 'fc_out');
  return w;
}

/**
 * Exports to Xie & Grossman's state_dict layout (the inverse of fromTorchStateDict). Being a
 * re-indexing only, it also maps gradients, which is how tests compare them with PyTorch.
 */
export function toTorchStateDict(c: CgcnnConfig, w: WeightMap): TorchStateDict {
  const state: TorchStateDict = {};
  const get = (name: string) => {
    const t = w[name];
    if (!t) throw new Error(`CGCNN weights: "${name}" missing`);
    return t;
  };
  const linear = (ours: string, torchName: string): void => {
    const k = get(`${ours}.kernel`);
    const [inLength, out] = k.shape;
    state[`${torchName}.weight`] = { shape: [out, inLength], values: transpose(k.values, inLength, out) };
    state[`${torchName}.bias`] = { shape: [out], values: get(`${ours}.bias`).values };
  };
  const bn = (name: string): void => {
    state[`${name}.weight`] = get(`${name}.gamma`);
    state[`${name}.bias`] = get(`${name}.beta`);
    if (w[`${name}.runningMean`]) state[`${name}.running_mean`] = get(`${name}.runningMean`);
    if (w[`${name}.runningVar`]) state[`${name}.running_var`] = get(`${name}.runningVar`);
  };
  linear('embedding', 'embedding');
  for (let l = 0; l < c.convLayers; l += 1) {
    const blocks = [`convs.${l}.self.kernel`, `convs.${l}.neighbor.kernel`, `convs.${l}.edge.kernel`].map(
      get,
    );
    const inLength = blocks.reduce((s, b) => s + b.shape[0], 0);
    const out = blocks[0].shape[1];
    const kernel = new Float32Array(inLength * out);
    let at = 0;
    for (const b of blocks) {
      kernel.set(b.values, at);
      at += b.values.length;
    }
    state[`convs.${l}.fc_full.weight`] = { shape: [out, inLength], values: transpose(kernel, inLength, out) };
    state[`convs.${l}.fc_full.bias`] = get(`convs.${l}.bias`);
    bn(`convs.${l}.bn1`);
    bn(`convs.${l}.bn2`);
  }
  linear('conv_to_fc', 'conv_to_fc');
  for (let k = 0; k < c.hiddenLayers - 1; k += 1) linear(`fcs.${k}`, `fcs.${k}`);
  linear('fc_out', 'fc_out');
  return state;
}
